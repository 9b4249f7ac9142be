// Identity and one-line descriptions of owned objects. describe() mimics iproute2's
// wording so a user can compare it with `ip rule` / `ip route` output at a glance.
#include "objects.hpp"

#include "overloaded.hpp"

#include <fmt/format.h>

namespace hookctl {

namespace {

// Appended, not formatted: key_of spells each rule several times per run.
std::string rule_selector(const RuleObject& r) {
    std::string s = r.family == Family::v4 ? "ipv4 " : "ipv6 ";
    s += std::to_string(r.priority);
    s += ':';
    s += r.from ? " from " + r.from->to_string() : " from all";
    if (r.to) s += " to " + r.to->to_string();
    if (r.iif) s += " iif " + r.iif->str();
    if (r.oif) s += " oif " + r.oif->str();
    if (r.fwmark)
        s += r.fwmask ? fmt::format(" fwmark {:#x}/{:#x}", *r.fwmark, *r.fwmask)
                      : fmt::format(" fwmark {:#x}", *r.fwmark);
    return s;
}

std::string rule_target(const RuleObject& r) {
    if (r.action == RuleAction::lookup) return " lookup " + std::to_string(r.table);
    return " " + to_string(r.action);
}

std::string route_text(const RouteObject& r) {
    std::string s;
    if (r.type != RouteType::unicast) s += to_string(r.type) + " ";
    s += r.destination.length == 0 ? std::string("default") : r.destination.to_string();
    if (r.destination.length == 0)
        s += r.destination.family() == Family::v4 ? " (ipv4)" : " (ipv6)";
    if (r.via) s += " via " + r.via->to_string();
    if (r.dev) s += " dev " + r.dev->str();
    s += fmt::format(" table {}", r.table);
    if (r.metric) s += fmt::format(" metric {}", r.metric);
    return s;
}

}  // namespace

std::string owned_marker(const std::string& comment_prefix) {
    return comment_prefix +
           " Written by hookctl; edits here are overwritten. Remove this line to take the file over.";
}

bool carries_marker(std::string_view content) {
    static const std::string body = owned_marker("");  // " Written by hookctl; ..."
    const std::string_view first = content.substr(0, content.find('\n'));
    return first.size() > body.size() && first.substr(first.size() - body.size()) == body;
}

std::string to_string(RuleAction a) {
    switch (a) {
    case RuleAction::lookup: return "lookup";
    case RuleAction::unreachable: return "unreachable";
    case RuleAction::blackhole: return "blackhole";
    case RuleAction::prohibit: return "prohibit";
    }
    return "?";
}

std::string to_string(RouteType t) {
    switch (t) {
    case RouteType::unicast: return "unicast";
    case RouteType::unreachable: return "unreachable";
    case RouteType::blackhole: return "blackhole";
    case RouteType::prohibit: return "prohibit";
    }
    return "?";
}

std::string to_string(DnsType t) {
    return t == DnsType::a ? "A" : "AAAA";
}

std::string ServiceAction::describe() const {
    switch (kind) {
    case Kind::reload: return "reload " + unit;
    case Kind::restart: return "restart " + unit;
    case Kind::try_restart: return "try-restart " + unit;
    case Kind::signal_pidfile: return fmt::format("SIGHUP {} (pid in {})", program, pidfile);
    case Kind::command: {
        std::string s = "run";
        for (const auto& a : command.argv) s += " " + a;
        return s;
    }
    }
    return "?";
}

std::string program_of_pidfile(const std::string& pidfile) {
    std::string base = pidfile.substr(pidfile.rfind('/') + 1);
    if (base.size() > 4 && base.compare(base.size() - 4, 4, ".pid") == 0)
        base.resize(base.size() - 4);
    return base;
}

std::string dns_server_id(const DnsRecordObject& r) {
    return fmt::format("{}#{}", r.server, r.port);
}

std::string kind_of(const Object& o) {
    return std::visit(overloaded{
                          [](const SysctlObject&) { return std::string("sysctl"); },
                          [](const RuleObject&) { return std::string("rule"); },
                          [](const RouteObject&) { return std::string("route"); },
                          [](const FileObject&) { return std::string("file"); },
                          [](const DnsRecordObject&) { return std::string("dns"); },
                      },
                      o);
}

std::string key_of(const Object& o) {
    return std::visit(
        overloaded{
            [](const SysctlObject& s) { return "sysctl " + s.key; },
            // A rule's identity includes its target: the same selector pointing at
            // another table is another rule, so a change is remove + add.
            [](const RuleObject& r) { return "rule " + rule_selector(r) + rule_target(r); },
            [](const RouteObject& r) {
                return fmt::format("route {} table {} metric {}", r.destination.to_string(),
                                   r.table, r.metric);
            },
            [](const FileObject& f) { return "file " + f.path; },
            [](const DnsRecordObject& d) {
                return fmt::format("dns {} {} @{}", d.name, to_string(d.type), d.server);
            },
        },
        o);
}

std::string describe(const Object& o) {
    return std::visit(
        overloaded{
            [](const SysctlObject& s) { return fmt::format("sysctl {} = {}", s.key, s.value); },
            [](const RuleObject& r) { return "rule " + rule_selector(r) + rule_target(r); },
            [](const RouteObject& r) { return "route " + route_text(r); },
            [](const FileObject& f) {
                return fmt::format("file {} ({} bytes, mode {:04o})", f.path, f.content.size(),
                                   f.mode);
            },
            [](const DnsRecordObject& d) {
                return fmt::format("dns {} {} {} ttl {} (zone {} @{})", d.name, to_string(d.type),
                                   d.value.to_string(), d.ttl, d.zone, d.server);
            },
        },
        o);
}

}  // namespace hookctl
