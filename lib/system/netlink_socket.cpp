// The rtnetlink exchange; see netlink_socket.hpp.
#include "netlink_socket.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace hookctl::netlink {

namespace {

// Dump replies: the kernel fills up to 32 KiB per datagram when the reader offers
// that much; 64 KiB avoids MSG_TRUNC.
constexpr std::size_t receive_size = std::size_t{64} * 1024;
constexpr int dump_attempts = 3;

}  // namespace

Socket::~Socket() {
    close();
}

void Socket::close() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
}

int Socket::open() {
    if (fd_ >= 0) return 0;
    fd_ = ::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd_ < 0) return errno;
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) {
        const int e = errno;
        close();
        return e;
    }
    // Extended acks give the kernel's reason in words; capped acks keep the error
    // reply small. Both are optional (old kernels): failures are ignored.
    const int one = 1;
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof one);
    ::setsockopt(fd_, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof one);
    if (strict_dumps_) ::setsockopt(fd_, SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, sizeof one);
    if (!buffer_) buffer_ = std::make_unique_for_overwrite<std::uint32_t[]>(receive_size / 4);
    return 0;
}

int Socket::transact(Message& request, const std::function<void(const nlmsghdr*)>& on_message,
                     Reply& reply, const std::function<void()>& on_restart) {
    for (int attempt = 0; attempt < dump_attempts; ++attempt) {
        if (attempt > 0 && on_restart) on_restart();
        bool interrupted = false;
        const int e = exchange(request, on_message, reply, interrupted);
        if (e != 0 || !interrupted) return e;
    }
    return EINTR;
}

int Socket::exchange(Message& request, const std::function<void(const nlmsghdr*)>& on_message,
                     Reply& reply, bool& interrupted) {
    if (const int e = open(); e != 0) return e;
    nlmsghdr* req = request.header();
    req->nlmsg_seq = ++seq_;
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    for (;;) {
        const ssize_t n = ::sendto(fd_, request.data(), request.size(), 0,
                                   reinterpret_cast<sockaddr*>(&kernel), sizeof kernel);
        if (n >= 0) break;
        if (errno == EINTR) continue;
        const int e = errno;
        close();
        return e;
    }
    for (;;) {
        sockaddr_nl from{};
        socklen_t from_len = sizeof from;
        const ssize_t n = ::recvfrom(fd_, buffer_.get(), receive_size, 0,
                                     reinterpret_cast<sockaddr*>(&from), &from_len);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int e = errno;
            close();
            return e;
        }
        if (from.nl_pid != 0) continue;  // only the kernel answers requests
        auto left = static_cast<std::size_t>(n);
        for (auto* m = reinterpret_cast<const nlmsghdr*>(buffer_.get()); NLMSG_OK(m, left);
             m = NLMSG_NEXT(m, left)) {
            // A reply to an earlier request that gave up: not ours, skip it.
            if (m->nlmsg_seq != req->nlmsg_seq) continue;
            if (m->nlmsg_flags & NLM_F_DUMP_INTR) interrupted = true;
            if (m->nlmsg_type == NLMSG_DONE) {
                // Since Linux 4.x a dump's DONE carries the dump's own error, if any.
                int status = 0;
                if (m->nlmsg_len >= NLMSG_HDRLEN + sizeof status)
                    std::memcpy(&status, reinterpret_cast<const std::uint8_t*>(m) + NLMSG_HDRLEN,
                                sizeof status);
                return status < 0 ? -status : 0;
            }
            if (m->nlmsg_type == NLMSG_ERROR) {
                const auto r = parse_error(m);
                if (!r) return EBADMSG;
                reply = *r;
                return r->error;
            }
            if (m->nlmsg_type == NLMSG_NOOP || m->nlmsg_type == NLMSG_OVERRUN) continue;
            on_message(m);
        }
        if (left != 0) {
            // A truncated message: the socket holds the rest of a datagram we cannot
            // read; start over on a new socket next time.
            close();
            return EBADMSG;
        }
    }
}

}  // namespace hookctl::netlink
