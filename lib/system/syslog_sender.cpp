#include "syslog_sender.hpp"

#include <fmt/format.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include "fd.hpp"

namespace hookctl::syslog_sender {

std::string format(Severity severity, std::string_view ident, long pid, std::string_view message) {
    return fmt::format("<{}>{}[{}]: {}", facility_daemon * 8 + static_cast<int>(severity), ident,
                       pid, message);
}

namespace {

bool send_on(int type, const sockaddr_un& addr, const std::string& datagram) {
    const UniqueFd fd(::socket(AF_UNIX, type | SOCK_CLOEXEC, 0));
    if (!fd) return false;
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0)
        return false;
    // A stream receiver needs the end of the message marked.
    const std::size_t size = type == SOCK_STREAM ? datagram.size() + 1 : datagram.size();
    return ::send(fd.get(), datagram.c_str(), size, MSG_NOSIGNAL) == static_cast<ssize_t>(size);
}

}  // namespace

bool send(Severity severity, std::string_view ident, std::string_view message,
          const char* socket_path) {
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (std::strlen(socket_path) >= sizeof addr.sun_path) return false;
    std::strcpy(addr.sun_path, socket_path);
    const std::string datagram = format(severity, ident, ::getpid(), message);
    if (send_on(SOCK_DGRAM, addr, datagram)) return true;
    return errno == EPROTOTYPE && send_on(SOCK_STREAM, addr, datagram);
}

}  // namespace hookctl::syslog_sender
