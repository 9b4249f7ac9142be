// parse_ppp_event(): pppd's ip-up/ip-down/ipv6-up/ipv6-down invocation → facts.
// argv is `ifname tty speed local remote [ipparam]` (5 arguments from pppd, 6 from
// Debian's run-parts); any missing argument falls back to pppd's own variables
// (IFNAME, IPLOCAL, LLLOCAL, ...) and then to the Debian wrapper's PPP_*.
#include "event.hpp"
#include "parse_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <initializer_list>

namespace hookctl {

namespace {

using namespace parse_util;

// A value and where it came from ("argv[4]" or "IPLOCAL"), for error messages.
struct Sourced {
    std::string_view value;
    std::string name;
};

// argv[index] when pppd passed it, else the first of `env_names` that is set.
std::optional<Sourced> pick(const RawEvent& raw, std::size_t index,
                            std::initializer_list<const char*> env_names) {
    if (index <= raw.args.size()) {
        const std::string name = fmt::format("argv[{}]", index);
        const std::string& value = raw.args[index - 1];
        if (value.size() > max_value_bytes)
            throw InputError(name, fmt::format("value too long ({} bytes)", value.size()));
        return Sourced{value, name};
    }
    for (const char* env_name : env_names)
        if (auto v = find_var(raw.env, env_name)) return Sourced{*v, env_name};
    return std::nullopt;
}

std::optional<IpAddress> parse_optional_address(const std::optional<Sourced>& s, Family family) {
    if (!s) return std::nullopt;
    return parse_address(s->value, family, s->name);
}

const std::vector<std::string> ppp_scripts = {"ip-up", "ip-down", "ipv6-up", "ipv6-down"};

// pppd's device: a tty path ("/dev/ttyUSB0") or, for PPPoE, the Ethernet interface
// ("eth0", "nic-eth0" minus the prefix); the empty string when pppd has none.
void parse_device_name(std::string_view text, const std::string& name) {
    const bool ok = text.size() <= 255 && std::all_of(text.begin(), text.end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                               (c >= '0' && c <= '9') || c == '/' || c == '.' || c == '_' ||
                               c == '-' || c == ':' || c == '@';
                    });
    if (!ok || text.find("..") != std::string_view::npos)
        throw InputError(name, "not a device name or path: " + quoted(text));
}

bool is_up_script(std::string_view script) {
    return script == "ip-up" || script == "ipv6-up";
}

}  // namespace

const std::vector<std::string>& ppp_script_names() {
    return ppp_scripts;
}

bool is_ppp_script(std::string_view name) {
    return std::find(ppp_scripts.begin(), ppp_scripts.end(), name) != ppp_scripts.end();
}

std::string ppp_script_from_argv0(std::string_view argv0) {
    const auto slash = argv0.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
    // Named after the script: /etc/ppp/ip-up itself, or Arch's ip-up.d/*.sh loop
    // calling a link named ip-up.sh.
    std::string_view stem = base;
    if (stem.size() > 3 && stem.substr(stem.size() - 3) == ".sh") stem.remove_suffix(3);
    if (is_ppp_script(stem)) return std::string(stem);
    // A link in /etc/ppp/<script>.d/ (Debian run-parts, Arch loop): the directory
    // says which script is running, whatever the link is called.
    if (slash == std::string_view::npos) return {};
    const std::string_view dir = argv0.substr(0, slash);
    const auto dir_slash = dir.rfind('/');
    std::string_view dir_base =
        dir_slash == std::string_view::npos ? dir : dir.substr(dir_slash + 1);
    if (dir_base.size() > 2 && dir_base.substr(dir_base.size() - 2) == ".d") {
        dir_base.remove_suffix(2);
        if (is_ppp_script(dir_base)) return std::string(dir_base);
    }
    return {};
}

bool ppp_invoked_directly(std::string_view argv0) {
    const auto slash = argv0.rfind('/');
    const std::string_view base = slash == std::string_view::npos ? argv0 : argv0.substr(slash + 1);
    return is_ppp_script(base);
}

Event parse_ppp_event(const RawEvent& raw) {
    if (!is_ppp_script(raw.script))
        throw InputError("script", "not a pppd script (ip-up, ip-down, ipv6-up, ipv6-down): " +
                                       quoted(raw.script));
    if (raw.args.size() > 6)
        throw InputError("argv", fmt::format("expected at most 6 arguments (ifname tty speed "
                                             "local remote ipparam), got {}",
                                             raw.args.size()));
    const bool v6 = raw.script == "ipv6-up" || raw.script == "ipv6-down";
    const Family family = v6 ? Family::v6 : Family::v4;

    // argv wins over IFNAME when both are there: pppd built argv for this very call,
    // while its environment accumulates over the life of the process and may also
    // carry anything a `set NAME=value` option put there. PPP_IFACE is just $1.
    const auto ifname_src = pick(raw, 1, {"IFNAME", "PPP_IFACE"});
    if (!ifname_src) throw InputError("argv[1]", "missing interface name (and IFNAME not set)");
    const InterfaceName ifname = parse_interface_name(ifname_src->value, ifname_src->name);

    // Not stored, but checked: nothing unvalidated goes further, not even to the journal view.
    if (const auto tty = pick(raw, 2, {"PPP_TTY"})) parse_device_name(tty->value, tty->name);
    if (const auto speed = pick(raw, 3, {"PPP_SPEED"})) parse_u32(speed->value, speed->name);

    const auto local_src = pick(raw, 4, {v6 ? "LLLOCAL" : "IPLOCAL", "PPP_LOCAL"});
    const auto remote_src = pick(raw, 5, {v6 ? "LLREMOTE" : "IPREMOTE", "PPP_REMOTE"});
    const auto local = parse_optional_address(local_src, family);
    auto remote = parse_optional_address(remote_src, family);
    std::string ipparam;
    if (const auto s = pick(raw, 6, {"PPP_IPPARAM"})) ipparam = parse_printable(s->value, s->name);

    FactsUpdate update;
    update.interface = ifname;
    if (!is_up_script(raw.script)) {
        // ip-down/ipv6-down: the link is gone whatever the (stale) addresses say.
        if (v6)
            update.ppp6 = std::optional<Ppp6Facts>{};
        else
            update.ppp4 = std::optional<Ppp4Facts>{};
    } else if (!v6) {
        if (!local) throw InputError("argv[4]", "missing local address (and IPLOCAL not set)");
        if (const auto problem = local->special_class(); !problem.empty())
            throw InputError(local_src->name,
                             fmt::format("local address {} is {}, not an address a host can have",
                                         local->to_string(), problem));
        // With noremoteip pppd passes 0.0.0.0 and leaves IPREMOTE unset.
        if (remote && remote->is_unspecified()) remote.reset();
        if (remote)
            if (const auto problem = remote->special_class(); !problem.empty())
                throw InputError(
                    remote_src->name,
                    fmt::format("peer address {} is {}, not an address a host can have",
                                remote->to_string(), problem));
        Ppp4Facts f{*local, remote, {}, ipparam};
        for (const char* name : {"DNS1", "DNS2"})
            if (auto v = find_var(raw.env, name))
                f.dns.push_back(parse_address(*v, Family::v4, name));
        update.ppp4 = std::optional<Ppp4Facts>{std::move(f)};
    } else {
        if (!local)
            throw InputError("argv[4]", "missing local link-local address (and LLLOCAL not set)");
        if (!local->is_link_local())
            throw InputError(local_src->name,
                             "not a link-local address: " + quoted(local_src->value));
        // A zero interface id prints as fe80:: (pppd 2.4.9 passes it; later versions
        // leave LLREMOTE unset): no peer address known.
        if (remote && remote->is_unspecified()) remote.reset();
        if (remote && !remote->is_link_local())
            throw InputError(remote_src->name,
                             "not a link-local address: " + quoted(remote_src->value));
        if (remote && *remote == mask(*remote, 64).network) remote.reset();
        update.ppp6 = std::optional<Ppp6Facts>{Ppp6Facts{*local, remote, ipparam}};
    }

    Event event;
    event.source = Source::ppp;
    event.name = raw.script;
    event.interface = ifname;
    event.updates.push_back(std::move(update));
    event.time = raw.time;
    return event;
}

}  // namespace hookctl
