// rtnetlink notifications of link and address changes, for `hookctl watch`: one
// socket subscribed to RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR and RTNLGRP_IPV6_IFADDR.
// It only says *that* something changed and where; the facts always come from a
// fresh dump (NetlinkInterfaces), so a lost notification costs nothing but time.
#pragma once

#include "netlink_codec.hpp"

#include <cstdint>
#include <memory>
#include <vector>

namespace hookctl {

struct NetlinkNotices {
    // The kernel dropped notifications (ENOBUFS): whatever changed is unknown.
    bool overflow = false;
    std::vector<netlink::KernelLink> links;  // RTM_NEWLINK/DELLINK: index and name
    std::vector<unsigned>
        address_indexes;  // RTM_NEWADDR/DELADDR of a global address: its interface
    bool empty() const { return !overflow && links.empty() && address_indexes.empty(); }
};

class NetlinkMonitor {
public:
    // Opens and subscribes; throws Error naming the failed call.
    NetlinkMonitor();
    ~NetlinkMonitor();
    NetlinkMonitor(const NetlinkMonitor&) = delete;
    NetlinkMonitor& operator=(const NetlinkMonitor&) = delete;

    int fd() const { return fd_; }  // for poll(): readable when notices are queued
    // Everything queued now, without blocking.
    NetlinkNotices drain();

private:
    int fd_ = -1;
    // Not zero-filled: the kernel writes what is read, and 64 KiB of zeroes would
    // touch 16 pages (16 page faults) on every run for replies of a few hundred bytes.
    std::unique_ptr<std::uint32_t[]> buffer_;
};

}  // namespace hookctl
