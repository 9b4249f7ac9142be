// NetlinkMonitor; see netlink_monitor.hpp.
#include "netlink_monitor.hpp"

#include "error.hpp"

#include <fmt/format.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace hookctl {

namespace {

constexpr std::size_t receive_size = std::size_t{64} * 1024;
// A renumbering is a few dozen messages; a bigger queue only postpones ENOBUFS on
// a box with thousands of interfaces, where a resync handles it anyway.
constexpr int queue_bytes = 1024 * 1024;

}  // namespace

NetlinkMonitor::NetlinkMonitor() {
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE);
    if (fd_ < 0) throw Error(fmt::format("rtnetlink: socket: {}", std::strerror(errno)));
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &queue_bytes, sizeof queue_bytes);
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR | RTMGRP_IPV6_IFADDR;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        const int e = errno;
        ::close(fd_);
        fd_ = -1;
        throw Error(
            fmt::format("rtnetlink: subscribe to link and address changes: {}", std::strerror(e)));
    }
    if (!buffer_) buffer_ = std::make_unique_for_overwrite<std::uint32_t[]>(receive_size / 4);
}

NetlinkMonitor::~NetlinkMonitor() {
    if (fd_ >= 0) ::close(fd_);
}

NetlinkNotices NetlinkMonitor::drain() {
    NetlinkNotices out;
    for (;;) {
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buffer_.get(), receive_size, 0,
                                     reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == ENOBUFS) {
                out.overflow = true;
                continue;
            }
            if (errno == EAGAIN || errno == EWOULDBLOCK) return out;
            throw Error(fmt::format("rtnetlink: receive notifications: {}", std::strerror(errno)));
        }
        if (from.nl_pid != 0) continue;  // only the kernel speaks on these groups
        std::size_t len = static_cast<std::size_t>(n);
        for (auto* h = reinterpret_cast<const nlmsghdr*>(buffer_.get()); NLMSG_OK(h, len);
             h = NLMSG_NEXT(h, len)) {
            if (auto l = netlink::parse_link(h)) out.links.push_back(std::move(*l));
            // Link-local and host addresses come and go with DAD and never count.
            else if (auto a = netlink::parse_address(h); a && a->scope == RT_SCOPE_UNIVERSE)
                out.address_indexes.push_back(a->index);
        }
    }
}

}  // namespace hookctl
