// Kernel events: the line format of a dump, and the dispatcher contracts. The
// networkd-dispatcher and NetworkManager facts are in docs/daemons.md.
#include "kernel_event.hpp"

#include "parse_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <map>

namespace hookctl {

namespace {

using parse_util::quoted;

// Far above any router: a dump of more is refused rather than journaled.
constexpr std::size_t max_lines = 4096;
constexpr std::size_t max_line_bytes = 256;

std::string lifetime_text(const Lifetime& l) {
    return l.is_infinite() ? "forever" : std::to_string(l.seconds);
}

std::vector<std::string_view> words_of(std::string_view line) {
    std::vector<std::string_view> words;
    std::size_t i = 0;
    while (i < line.size()) {
        const auto end = std::min(line.find(' ', i), line.size());
        if (end > i) words.push_back(line.substr(i, end - i));
        i = end + 1;
    }
    return words;
}

Lifetime parse_kernel_lifetime(std::string_view text, const std::string& what) {
    if (text == "forever") return Lifetime{Lifetime::infinite};
    return Lifetime{parse_u32(text, what)};
}

KernelAddress parse_addr_words(const std::vector<std::string_view>& w, const std::string& what) {
    // addr IFNAME ADDRESS/LEN [FLAG...] preferred N valid N
    if (w.size() < 7 || w[w.size() - 4] != "preferred" || w[w.size() - 2] != "valid")
        throw InputError(what,
                         "expected \"addr IFNAME ADDRESS/LEN [FLAG...] preferred N|forever "
                         "valid N|forever\"");
    KernelAddress a;
    a.address = parse_interface_address(w[2], what);
    for (std::size_t i = 3; i + 4 < w.size(); ++i)
        if (!set_flag(a, w[i])) throw InputError(what, "unknown address flag " + quoted(w[i]));
    a.preferred = parse_kernel_lifetime(w[w.size() - 3], what);
    a.valid = parse_kernel_lifetime(w[w.size() - 1], what);
    return a;
}

KernelLinkSnapshot parse_link_words(const std::vector<std::string_view>& w,
                                    const std::string& what) {
    KernelLinkSnapshot link;
    link.name = parse_interface_name(w[1], what);
    const std::vector<std::string_view> state(w.begin() + 2, w.end());
    using V = std::vector<std::string_view>;
    if (state == V{"absent"}) return link;
    link.present = true;
    if (state == V{"down"}) return link;
    link.up = true;
    if (state == V{"up", "no-carrier"}) return link;
    if (state == V{"up", "lower-up"}) {
        link.lower_up = true;
        return link;
    }
    throw InputError(what, "expected \"link IFNAME up lower-up|up no-carrier|down|absent\"");
}

}  // namespace

std::vector<std::string> kernel_lines(const std::vector<KernelLinkSnapshot>& links) {
    std::vector<std::string> out;
    for (const auto& l : links) {
        const char* state = !l.present   ? "absent"
                            : !l.up      ? "down"
                            : l.lower_up ? "up lower-up"
                                         : "up no-carrier";
        out.push_back(fmt::format("link {} {}", l.name.str(), state));
        for (const auto& a : l.addresses) {
            std::string flags;
            for (const auto& f : flag_names(a)) flags += f + " ";
            out.push_back(fmt::format("addr {} {} {}preferred {} valid {}", l.name.str(),
                                      a.address.to_string(), flags, lifetime_text(a.preferred),
                                      lifetime_text(a.valid)));
        }
    }
    return out;
}

std::vector<KernelLinkSnapshot> parse_kernel_lines(const std::vector<std::string>& lines) {
    if (lines.size() > max_lines)
        throw InputError("kernel", fmt::format("{} lines, at most {}", lines.size(), max_lines));
    std::vector<KernelLinkSnapshot> links;
    std::map<std::string, std::size_t> index;  // name → position in links
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::string what = fmt::format("kernel line {}", n + 1);
        const std::string& line = lines[n];
        if (line.size() > max_line_bytes)
            throw InputError(what,
                             fmt::format("{} bytes, at most {}", line.size(), max_line_bytes));
        if (!std::all_of(line.begin(), line.end(), [](char c) { return c >= 0x20 && c < 0x7f; }))
            throw InputError(what, "not printable ASCII: " + quoted(line));
        const auto w = words_of(line);
        if (w.size() >= 3 && w[0] == "link") {
            KernelLinkSnapshot link = parse_link_words(w, what);
            if (!index.emplace(link.name.str(), links.size()).second)
                throw InputError(what, fmt::format("interface {} listed twice", link.name.str()));
            links.push_back(std::move(link));
        } else if (w.size() >= 2 && w[0] == "addr") {
            const auto it = index.find(std::string(w[1]));
            if (it == index.end())
                throw InputError(what,
                                 fmt::format("address of {} before its link line", quoted(w[1])));
            KernelLinkSnapshot& link = links[it->second];
            if (!link.present)
                throw InputError(what,
                                 fmt::format("address on {}, which is absent", link.name.str()));
            link.addresses.push_back(parse_addr_words(w, what));
        } else {
            throw InputError(what,
                             "expected a \"link ...\" or \"addr ...\" line, got " + quoted(line));
        }
    }
    return links;
}

std::string dispatcher_from_argv0(std::string_view argv0) {
    // The directories above the script, innermost first.
    std::vector<std::string_view> dirs;
    std::string_view rest = argv0;
    for (auto slash = rest.rfind('/'); slash != std::string_view::npos && dirs.size() < 3;
         slash = rest.rfind('/')) {
        rest = rest.substr(0, slash);
        const auto up = rest.rfind('/');
        dirs.push_back(up == std::string_view::npos ? rest : rest.substr(up + 1));
    }
    auto ends_with = [](std::string_view s, std::string_view tail) {
        return s.size() >= tail.size() && s.substr(s.size() - tail.size()) == tail;
    };
    if (dirs.size() >= 2 && dirs[1] == "networkd-dispatcher" && ends_with(dirs[0], ".d"))
        return kernel_trigger_networkd;
    if (dirs.size() >= 2 && dirs[0] == "dispatcher.d" && dirs[1] == "NetworkManager")
        return kernel_trigger_nm;
    if (dirs.size() >= 3 && dirs[1] == "dispatcher.d" && dirs[2] == "NetworkManager" &&
        (dirs[0] == "pre-up.d" || dirs[0] == "pre-down.d" || dirs[0] == "no-wait.d"))
        return kernel_trigger_nm;
    return {};
}

const std::vector<std::string>& networkd_state_names() {
    static const std::vector<std::string> names{
        // AdministrativeState
        "configured", "configuring", "failed", "pending", "unmanaged", "linger", "initialized",
        // OperationalState
        "carrier", "degraded", "degraded-carrier", "dormant", "enslaved", "missing", "no-carrier",
        "off", "routable"};
    return names;
}

const std::vector<std::string>& nm_action_names() {
    static const std::vector<std::string> names{
        "pre-up",     "up",           "pre-down",     "down",
        "vpn-pre-up", "vpn-up",       "vpn-pre-down", "vpn-down",
        "hostname",   "dhcp4-change", "dhcp6-change", "connectivity-change",
        "reapply"};
    return names;
}

bool nm_action_reads_kernel(std::string_view action) {
    static const std::vector<std::string_view> reads{
        "up", "down", "vpn-up", "vpn-down", "dhcp4-change", "dhcp6-change", "reapply"};
    return std::find(reads.begin(), reads.end(), action) != reads.end();
}

std::optional<InterfaceName> dispatcher_interface(const RawEvent& raw) {
    if (raw.script == kernel_trigger_networkd) {
        const auto state = parse_util::require_var(raw.env, "STATE");
        const auto& states = networkd_state_names();
        if (std::find(states.begin(), states.end(), state) == states.end())
            throw InputError("STATE", "not a networkd-dispatcher state: " + quoted(state));
        return parse_interface_name(parse_util::require_var(raw.env, "IFACE"), "IFACE");
    }
    if (raw.script == kernel_trigger_nm) {
        if (raw.args.size() != 2)
            throw InputError("argv", fmt::format("NetworkManager passes 2 arguments (interface, "
                                                 "action), got {}",
                                                 raw.args.size()));
        const std::string& action = raw.args[1];
        const auto& actions = nm_action_names();
        if (std::find(actions.begin(), actions.end(), action) == actions.end())
            throw InputError("argv[2]",
                             "not a NetworkManager dispatcher action: " + quoted(action));
        if (!nm_action_reads_kernel(action)) return std::nullopt;
        return parse_interface_name(raw.args[0], "argv[1]");
    }
    throw InputError("kernel event", "unknown trigger " + quoted(raw.script));
}

Event parse_kernel_event(const RawEvent& raw) {
    Event e;
    e.source = Source::kernel;
    e.time = raw.time;
    e.name = raw.script;
    if (raw.script == kernel_trigger_networkd) {
        e.interface = *dispatcher_interface(raw);
        e.name = fmt::format("networkd {}", raw.env.at("STATE"));
    } else if (raw.script == kernel_trigger_nm) {
        const auto ifname = dispatcher_interface(raw);
        if (ifname) e.interface = *ifname;
        e.name = fmt::format("nm {}", raw.args[1]);
    } else if (raw.script != kernel_trigger_watch) {
        throw InputError("kernel event", "unknown trigger " + quoted(raw.script));
    }
    for (auto& link : parse_kernel_lines(raw.kernel)) {
        if (e.interface.str().empty()) e.interface = link.name;
        FactsUpdate u;
        u.interface = link.name;
        if (!link.present) {
            u.kernel = std::optional<KernelLinkFacts>{};
        } else {
            KernelLinkFacts k;
            k.up = link.up;
            k.lower_up = link.lower_up;
            for (auto& a : link.addresses) {
                if (const auto c = a.address.address.special_class(); !c.empty()) {
                    e.warnings.push_back(fmt::format("{}: address {} left out: it is {}",
                                                     link.name.str(), a.address.to_string(), c));
                    continue;
                }
                k.addresses.push_back(a);
            }
            u.kernel = std::optional<KernelLinkFacts>{std::move(k)};
        }
        e.updates.push_back(std::move(u));
    }
    return e;
}

}  // namespace hookctl
