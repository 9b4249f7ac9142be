// One NETLINK_ROUTE socket and the request/reply exchange over it: send one
// message, read to its ACK, error or end of dump, hand every data message to a
// callback. No libmnl: the messages are netlink_codec.hpp's.
#pragma once

#include "netlink_codec.hpp"

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace hookctl::netlink {

class Socket {
public:
    // strict_dumps: NETLINK_GET_STRICT_CHK, under which the kernel checks a dump
    // request's header strictly and applies the filters it names (a route dump's
    // protocol). Kernels before 4.20 ignore it, and so the filters: callers filter too.
    explicit Socket(bool strict_dumps = false) : strict_dumps_(strict_dumps) {}
    ~Socket();
    Socket(const Socket&) = delete;
    Socket& operator=(const Socket&) = delete;

    // Sends `request` (ACK or dump flags set by the caller) and reads its replies:
    // `on_message` gets each data message of a dump. Returns 0 or an errno; `reply`
    // gets the kernel's extended-ack text. The socket opens on first use.
    // A dump the kernel marks inconsistent (NLM_F_DUMP_INTR: the table changed
    // while it was being read) is asked again, up to 3 times, then EINTR;
    // `on_restart` is called before each new try so the caller drops what it got.
    int transact(Message& request, const std::function<void(const nlmsghdr*)>& on_message,
                 Reply& reply, const std::function<void()>& on_restart = {});

private:
    int open();
    void close();
    int exchange(Message& request, const std::function<void(const nlmsghdr*)>& on_message,
                 Reply& reply, bool& interrupted);

    bool strict_dumps_ = false;
    int fd_ = -1;
    std::uint32_t seq_ = 0;
    // Not zero-filled: the kernel writes what is read, and 64 KiB of zeroes would
    // touch 16 pages (16 page faults) on every run for replies of a few hundred bytes.
    std::unique_ptr<std::uint32_t[]> buffer_;
};

}  // namespace hookctl::netlink
