#pragma once
// One message to the local syslog socket (/dev/log: journald or rsyslog), sent
// directly rather than through syslog(3): glibc's syslog() formats a local-time
// timestamp, which reads /etc/localtime and the zone file on every hook run, and
// both receivers stamp a message with its arrival time anyway (journald skips a
// timestamp in the message; rsyslog's imuxsock uses the system time by default).
#include <string>
#include <string_view>

namespace hookctl::syslog_sender {

enum class Severity { warning = 4, info = 6 };  // RFC 5424 severities hookctl uses
constexpr int facility_daemon = 3;              // LOG_DAEMON >> 3

// "<PRI>IDENT[PID]: MESSAGE", PRI = facility * 8 + severity (RFC 3164 without its
// optional timestamp). Pure, for tests.
std::string format(Severity severity, std::string_view ident, long pid, std::string_view message);

// Sends it to `socket_path`; false if there is no listener (a log is never worth
// failing a hook over, so the caller ignores it). A datagram socket, as both
// receivers provide; a stream socket (an old syslogd) gets the message
// NUL-terminated, as syslog(3) does.
bool send(Severity severity, std::string_view ident, std::string_view message,
          const char* socket_path = "/dev/log");

}  // namespace hookctl::syslog_sender
