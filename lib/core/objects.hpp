// The objects hookctl owns on the system: desired state is a list of these, the
// store keeps the list last applied, and the plan is the difference. Each object
// has a key (its identity: "the rule with this selector", "the file at this path")
// and a value; two objects with the same key and different values mean "replace".
#pragma once

#include "net_types.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace hookctl {

// A program to run: argv only, never a shell. argv[0] is resolved on hookctl's
// fixed PATH when it has no '/'.
struct Command {
    std::vector<std::string> argv;
    std::uint32_t timeout_ms = 5000;
    auto operator<=>(const Command&) const = default;
};

// What to do to a service when a file it reads changed.
struct ServiceAction {
    enum class Kind { reload, restart, try_restart, signal_pidfile, command };
    Kind kind = Kind::reload;
    std::string unit;     // systemd unit for reload/restart/try_restart
    std::string pidfile;  // signal_pidfile: SIGHUP to the pid in this file...
    std::string program;  // ...only if that process is this program (its comm or exe name)
    Command command;      // kind == command: a configured argv
    std::string describe() const;
    auto operator<=>(const ServiceAction&) const = default;
};

// The program a pidfile is for, by its name: "/run/radvd.pid" -> "radvd".
std::string program_of_pidfile(const std::string& pidfile);

// A value written under /proc/sys. `key` is dotted like sysctl(8) uses it,
// e.g. "net.ipv6.conf.ppp0.accept_ra"; the interface part was validated.
struct SysctlObject {
    std::string key;
    std::string value;
    auto operator<=>(const SysctlObject&) const = default;
};

enum class RuleAction : std::uint8_t { lookup, unreachable, blackhole, prohibit };

// An ip rule. Identity is the whole selector plus action and table, so two rules
// that differ only in table are different objects (never a "replace").
struct RuleObject {
    Family family = Family::v4;
    std::uint32_t priority = 0;
    std::optional<IpPrefix> from;
    std::optional<IpPrefix> to;
    std::optional<InterfaceName> iif;
    std::optional<InterfaceName> oif;
    std::optional<std::uint32_t> fwmark;
    std::optional<std::uint32_t> fwmask;
    RuleAction action = RuleAction::lookup;
    std::uint32_t table = 0;  // lookup only
    auto operator<=>(const RuleObject&) const = default;
};

enum class RouteType : std::uint8_t { unicast, unreachable, blackhole, prohibit };

struct RouteObject {
    IpPrefix destination;  // 0.0.0.0/0 or ::/0 for default
    std::optional<IpAddress> via;
    std::optional<InterfaceName> dev;
    std::uint32_t table = 254;  // main
    std::uint32_t metric = 0;
    RouteType type = RouteType::unicast;
    auto operator<=>(const RouteObject&) const = default;
};

// The marker line every file hookctl writes starts with, after the file's comment
// prefix ("#", ";", "//"). A file without it is someone else's: never overwritten
// or deleted. Removing the line hands the file over to the user.
std::string owned_marker(const std::string& comment_prefix = "#");
// True when the first line of `content` is hookctl's marker with any comment prefix.
bool carries_marker(std::string_view content);

// A file hookctl renders and owns. `content` is complete (marker line included).
struct FileObject {
    std::string path;
    std::string content;
    std::uint32_t mode = 0644;
    std::string owner;                  // empty: root
    std::string group;                  // empty: root
    std::vector<std::string> validate;  // argv; "{}" is replaced by the temp file's path
    std::vector<ServiceAction> on_change;
    auto operator<=>(const FileObject&) const = default;
};

enum class DnsType : std::uint8_t { a, aaaa };

// One DNS RRset with one value, pushed with RFC 2136 UPDATE.
struct DnsRecordObject {
    std::string server;  // address
    std::uint16_t port = 53;
    std::string key_file;
    std::string zone;  // without trailing dot
    std::string name;  // fully qualified, without trailing dot
    DnsType type = DnsType::aaaa;
    IpAddress value;
    std::uint32_t ttl = 300;
    auto operator<=>(const DnsRecordObject&) const = default;
};

// "server#port", as nsupdate and dig name a server in their messages.
std::string dns_server_id(const DnsRecordObject& record);

using Object = std::variant<SysctlObject, RuleObject, RouteObject, FileObject, DnsRecordObject>;

// The kind word used in output and the journal: "sysctl", "rule", "route", "file", "dns".
std::string kind_of(const Object& o);
// Identity: equal keys = same object (maybe with another value).
std::string key_of(const Object& o);
// One line for humans, iproute2-like: "rule 1000: from 2001:db8:1::/64 lookup 199".
std::string describe(const Object& o);

std::string to_string(RuleAction a);
std::string to_string(RouteType t);
std::string to_string(DnsType t);

// An object together with where in the config it came from and which interfaces'
// facts it was derived from (to explain a plan entry).
struct OwnedObject {
    Object object;
    std::string origin;                   // "hookctl.toml:31 [[rule]]"
    std::vector<std::string> depends_on;  // interface names
    bool operator==(const OwnedObject& o) const { return object == o.object; }
};

}  // namespace hookctl
