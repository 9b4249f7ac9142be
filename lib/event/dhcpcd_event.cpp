// parse_dhcpcd_event(): one dhcpcd hook invocation (everything is in the
// environment; argv is empty) → the facts sections its protocol owns. Sections are
// level-triggered: a lease event reports the whole new_* lease, an old_*-only event
// (EXPIRE6, STOP6, RELEASE6, ...) clears the section. See docs/daemons.md, dhcpcd.
#include "event.hpp"
#include "parse_util.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace hookctl {

namespace {

using namespace parse_util;

enum class Action {
    none,  // reason known, but it changes no section we keep
    carrier_up,
    carrier_down,
    forget,  // dhcpcd let go of the interface
    dhcp4_lease,
    dhcp4_gone,
    dhcp6_lease,
    dhcp6_gone,
    delegated,
    ra,
};

// Every reason dhcpcd-run-hooks(8) documents (docs/daemons.md, dhcpcd reasons). Unknown → error:
// a reason we do not know is a reason we cannot say is harmless.
// A constant list (no std::map built at every process start).
constexpr std::pair<std::string_view, Action> reasons[] = {
    {"PREINIT", Action::none},  // starting on the interface: nothing known yet
    {"TEST", Action::none},     // dhcpcd -T: nothing is configured
    {"CARRIER", Action::carrier_up},
    {"NOCARRIER", Action::carrier_down},
    {"NOCARRIER_ROAMING", Action::carrier_down},
    {"STOPPED", Action::forget},
    {"DEPARTED", Action::forget},
    {"BOUND", Action::dhcp4_lease},
    {"RENEW", Action::dhcp4_lease},
    {"REBIND", Action::dhcp4_lease},
    {"REBOOT", Action::dhcp4_lease},
    {"STATIC", Action::dhcp4_lease},
    {"INFORM", Action::dhcp4_lease},
    {"3RDPARTY", Action::dhcp4_lease},
    {"EXPIRE", Action::dhcp4_gone},
    {"NAK", Action::dhcp4_gone},
    {"RELEASE", Action::dhcp4_gone},
    {"STOP", Action::dhcp4_gone},
    {"FAIL", Action::dhcp4_gone},
    {"TIMEOUT", Action::dhcp4_gone},
    // RECONFIGURE (config reload) carries no lease; IPV4LL is a link-local v4 address
    // we do not model. Both leave the DHCPv4 section as it was.
    {"RECONFIGURE", Action::none},
    {"IPV4LL", Action::none},
    {"BOUND6", Action::dhcp6_lease},
    {"RENEW6", Action::dhcp6_lease},
    {"REBIND6", Action::dhcp6_lease},
    {"REBOOT6", Action::dhcp6_lease},
    {"INFORM6", Action::dhcp6_lease},
    {"EXPIRE6", Action::dhcp6_gone},
    {"RELEASE6", Action::dhcp6_gone},
    {"STOP6", Action::dhcp6_gone},
    // TIMEOUT6: no reply yet, the previous lease (if any) still stands. UNKNOWN6: a
    // reply dhcpcd could not classify. STATIC6: static config, not a lease.
    {"TIMEOUT6", Action::none},
    {"UNKNOWN6", Action::none},
    {"STATIC6", Action::none},
    {"DELEGATED6", Action::delegated},
    {"ROUTERADVERT", Action::ra},
};

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

// A dhcpcd option index: 1-based decimal without leading zeros, at most 4 digits.
// Reads it from the front of `s` and advances `s`.
std::optional<unsigned> take_index(std::string_view& s) {
    std::size_t n = 0;
    while (n < s.size() && n < 5 && s[n] >= '0' && s[n] <= '9') ++n;
    if (n == 0 || n > 4 || s[0] == '0') return std::nullopt;
    unsigned v = 0;
    for (std::size_t i = 0; i < n; ++i) v = v * 10 + static_cast<unsigned>(s[i] - '0');
    s.remove_prefix(n);
    return v;
}

// Does `name` match `pattern` exactly, where each '#' in the pattern is an index?
// "new_dhcp6_ia_pd#_prefix#" matches "new_dhcp6_ia_pd1_prefix2" (→ {1, 2}) but not
// "..._prefix2_length" or "..._prefix02".
std::optional<std::vector<unsigned>> match_indexed(std::string_view name,
                                                   std::string_view pattern) {
    std::vector<unsigned> indices;
    while (!pattern.empty()) {
        const auto hash = pattern.find('#');
        const auto literal = pattern.substr(0, hash);
        if (!starts_with(name, literal)) return std::nullopt;
        name.remove_prefix(literal.size());
        if (hash == std::string_view::npos) break;
        pattern.remove_prefix(hash + 1);
        const auto index = take_index(name);
        if (!index) return std::nullopt;
        indices.push_back(*index);
    }
    if (!name.empty()) return std::nullopt;
    return indices;
}

struct Indexed {
    std::vector<unsigned> indices;
    std::string name;
};

// Every variable matching `pattern`, ordered by index. Scanning names instead of
// counting 1, 2, 3 until a gap keeps a gap (or a hostile "prefix999") from hiding
// or inventing entries; the count bound keeps the work small.
std::vector<Indexed> scan(const Environment& env, std::string_view pattern) {
    const auto literal = pattern.substr(0, pattern.find('#'));
    std::vector<Indexed> found;
    for (auto it = env.lower_bound(std::string(literal));
         it != env.end() && starts_with(it->first, literal); ++it) {
        auto indices = match_indexed(it->first, pattern);
        if (!indices) continue;
        if (found.size() == max_list_entries)
            throw InputError(
                it->first, fmt::format("more than {} entries like {}", max_list_entries, pattern));
        found.push_back(Indexed{std::move(*indices), it->first});
    }
    std::sort(found.begin(), found.end(),
              [](const Indexed& a, const Indexed& b) { return a.indices < b.indices; });
    return found;
}

template <typename T>
void append_bounded(std::vector<T>& to, std::vector<T> more, const std::string& what) {
    if (to.size() + more.size() > max_list_entries)
        throw InputError(what, fmt::format("more than {} entries in total", max_list_entries));
    to.insert(to.end(), std::make_move_iterator(more.begin()), std::make_move_iterator(more.end()));
}

std::uint8_t parse_prefix_length(const Environment& env, const std::string& name, int max) {
    const auto n = parse_u32(require_var(env, name), name);
    if (n > static_cast<std::uint32_t>(max))
        throw InputError(name, fmt::format("prefix length above {}: {}", max, n));
    return static_cast<std::uint8_t>(n);
}

Lifetime lifetime_var(const Environment& env, const std::string& name) {
    return parse_lifetime(require_var(env, name), name);
}

// dhcpcd prints an IAID as binhex: exactly 8 lowercase hex digits ("00000002").
std::uint32_t parse_iaid(std::string_view text, const std::string& name) {
    const bool ok =
        text.size() == 8 && std::all_of(text.begin(), text.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
        });
    if (!ok) throw InputError(name, "not an IAID (8 hex digits): " + quoted(text));
    return static_cast<std::uint32_t>(std::stoul(std::string(text), nullptr, 16));
}

// A network prefix from separate address and length variables. Bits past the length
// are masked off, as RFC 4861 4.6.2 tells receivers of prefix information to do; a
// DHCPv6 IA prefix gets the same treatment.
IpPrefix prefix_var(const Environment& env, const std::string& name,
                    const std::string& length_name) {
    const IpAddress a = parse_address(require_var(env, name), Family::v6, name);
    const auto length = parse_prefix_length(env, length_name, 128);
    return mask(a, length);
}

// Option letters as dhcpcd prints them ("MO", "LA"): letters only, short.
std::string parse_flags(std::optional<std::string_view> text, const std::string& name) {
    if (!text) return {};
    const bool ok = text->size() <= 16 && std::all_of(text->begin(), text->end(), [](char c) {
                        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
                    });
    if (!ok) throw InputError(name, "not a set of flag letters: " + quoted(*text));
    return std::string(*text);
}

std::uint8_t subnet_mask_length(std::string_view text, const std::string& name) {
    const IpAddress m = parse_address(text, Family::v4, name);
    std::uint32_t bits = (std::uint32_t{m.bytes[0]} << 24) | (std::uint32_t{m.bytes[1]} << 16) |
                         (std::uint32_t{m.bytes[2]} << 8) | m.bytes[3];
    std::uint8_t length = 0;
    while (bits & 0x80000000u) {
        ++length;
        bits <<= 1;
    }
    if (bits != 0) throw InputError(name, "not a contiguous subnet mask: " + quoted(text));
    return length;
}

// Entries a daemon passed that cannot stand for the uplink (a link-local, multicast
// or unspecified address; a prefix of an absurd length) are left out of the facts
// and reported: one bad entry of a router or a server must not hide the good ones.
using Warnings = std::vector<std::string>;

bool usable_address(const IpAddress& a, const std::string& name, Warnings& warnings) {
    const auto problem = a.special_class();
    if (problem.empty()) return true;
    warnings.push_back(fmt::format("{}: {} is {}; entry ignored", name, a.to_string(), problem));
    return false;
}

bool usable_prefix(const IpPrefix& p, int min_length, int max_length, const std::string& name,
                   Warnings& warnings) {
    const std::string problem = prefix_problem(p, min_length, max_length);
    if (problem.empty()) return true;
    warnings.push_back(fmt::format("{}: {}; entry ignored", name, problem));
    return false;
}

// An address that stands for this host or its router: nothing special (docs/daemons.md).
IpAddress host_address(std::string_view text, const std::string& name) {
    const IpAddress a = parse_address(text, Family::v4, name);
    if (const auto problem = a.special_class(); !problem.empty())
        throw InputError(
            name, fmt::format("{} is {}, not an address a host can have", a.to_string(), problem));
    return a;
}

// A delegated prefix is at most a /64 (a LAN needs one) and no shorter than /16.
constexpr int min_delegated_length = 16;
constexpr int max_delegated_length = 64;

Dhcp4Facts parse_dhcp4(const Environment& env) {
    Dhcp4Facts f;
    const IpAddress ip = host_address(require_var(env, "new_ip_address"), "new_ip_address");
    std::uint8_t length = 0;
    if (env.count("new_subnet_cidr"))
        length = parse_prefix_length(env, "new_subnet_cidr", 32);
    else if (auto m = find_var(env, "new_subnet_mask"))
        length = subnet_mask_length(*m, "new_subnet_mask");
    else
        throw InputError("new_subnet_cidr", "missing (and no new_subnet_mask)");
    f.address = InterfaceAddress{ip, length};
    if (auto v = find_var(env, "new_routers"))
        for (auto word : split_words(*v, "new_routers"))
            f.routers.push_back(host_address(word, "new_routers"));
    if (auto v = find_var(env, "new_domain_name_servers"))
        f.dns = parse_address_list(*v, Family::v4, "new_domain_name_servers");
    if (auto v = find_var(env, "new_domain_search"))
        f.domain_search = parse_domain_list(*v, "new_domain_search");
    // Absent for STATIC/INFORM: 0 stands for "no lease time given".
    if (auto v = find_var(env, "new_dhcp_lease_time"))
        f.lease_seconds = parse_u32(*v, "new_dhcp_lease_time");
    return f;
}

Dhcp6Facts parse_dhcp6(const Environment& env, Warnings& warnings) {
    Dhcp6Facts f;
    // Zero valid lifetime = the server withdrawing an entry (kea repeats the old
    // prefix with 0/0 after a prefix change, docs/daemons.md): it is not part of the lease.
    for (const auto& [idx, name] : scan(env, "new_dhcp6_ia_na#_ia_addr#")) {
        const IpAddress a = parse_option_address(require_var(env, name), Family::v6, name);
        const Lifetime preferred = lifetime_var(env, name + "_pltime");
        const Lifetime valid = lifetime_var(env, name + "_vltime");
        if (valid.seconds == 0 || !usable_address(a, name, warnings)) continue;
        f.addresses.push_back(AddressLease{a, preferred, valid});
    }
    for (const auto& [idx, name] : scan(env, "new_dhcp6_ia_pd#_prefix#")) {
        const IpPrefix prefix = prefix_var(env, name, name + "_length");
        const Lifetime preferred = lifetime_var(env, name + "_pltime");
        const Lifetime valid = lifetime_var(env, name + "_vltime");
        // The N in ia_pdN is the position in the reply, not the IAID
        // (docs/daemons.md, DHCPv6 variable names).
        const std::string iaid_name = fmt::format("new_dhcp6_ia_pd{}_iaid", idx[0]);
        const std::uint32_t iaid = parse_iaid(require_var(env, iaid_name), iaid_name);
        if (valid.seconds == 0 ||
            !usable_prefix(prefix, min_delegated_length, max_delegated_length, name, warnings))
            continue;
        f.prefixes.push_back(PrefixLease{prefix, iaid, preferred, valid});
    }
    if (auto v = find_var(env, "new_dhcp6_name_servers"))
        f.dns = parse_address_list(*v, Family::v6, "new_dhcp6_name_servers");
    if (auto v = find_var(env, "new_dhcp6_domain_search"))
        f.domain_search = parse_domain_list(*v, "new_dhcp6_domain_search");
    return f;
}

DelegatedFacts parse_delegated(const Environment& env, Warnings& warnings) {
    const std::string name = "new_delegated_dhcp6_prefix";
    DelegatedFacts f;
    // Never seen missing on DELEGATED6; if it were, "no delegated addresses" is the
    // level-triggered reading.
    const auto v = find_var(env, name);
    if (!v) return f;
    for (auto word : split_words(*v, name)) {
        const InterfaceAddress a = parse_interface_address(word, name);
        if (!a.address.is_v6()) throw InputError(name, "not an IPv6 address: " + quoted(word));
        if (!usable_address(a.address, name, warnings)) continue;
        f.addresses.push_back(a);
    }
    return f;
}

RaRouter parse_ra_router(const Environment& env, unsigned n, Warnings& warnings) {
    const std::string p = fmt::format("nd{}_", n);
    RaRouter r;
    r.from = parse_option_address(require_var(env, p + "from"), Family::v6, p + "from");
    // RFC 4861 6.1.2: an RA not from a link-local source is invalid.
    if (!r.from.is_link_local())
        throw InputError(p + "from", "router address is not link-local: " + r.from.to_string());
    r.router_lifetime = parse_u32(require_var(env, p + "lifetime"), p + "lifetime");
    r.flags = parse_flags(find_var(env, p + "flags"), p + "flags");
    for (const auto& [idx, name] : scan(env, p + "prefix_information#_prefix")) {
        const std::string base = name.substr(0, name.size() - 7);  // drop "_prefix"
        RaPrefix pi;
        pi.prefix = prefix_var(env, name, base + "_length");
        const std::string flags = parse_flags(find_var(env, base + "_flags"), base + "_flags");
        pi.on_link = flags.find('L') != std::string::npos;
        pi.autonomous = flags.find('A') != std::string::npos;
        pi.preferred = lifetime_var(env, base + "_pltime");
        pi.valid = lifetime_var(env, base + "_vltime");
        if (!usable_prefix(pi.prefix, 1, 128, name, warnings)) continue;
        r.prefixes.push_back(pi);
    }
    for (const auto& [idx, name] : scan(env, p + "rdnss#_servers"))
        append_bounded(r.rdnss, parse_address_list(require_var(env, name), Family::v6, name), name);
    for (const auto& [idx, name] : scan(env, p + "dnssl#_search"))
        append_bounded(r.dnssl, parse_domain_list(require_var(env, name), name), name);
    for (const auto& [idx, name] : scan(env, p + "addr#")) {
        const InterfaceAddress a = parse_interface_address(require_var(env, name), name);
        if (!a.address.is_v6()) throw InputError(name, "not an IPv6 address");
        if (!usable_address(a.address, name, warnings)) continue;
        r.addresses.push_back(a);
    }
    return r;
}

// All routers dhcpcd currently knows on the interface; none at all (no nd*
// variables) means the RA state was dropped (carrier loss, stop, release).
std::optional<RaFacts> parse_ra(const Environment& env, Warnings& warnings) {
    std::set<unsigned> routers;
    for (auto it = env.lower_bound("nd"); it != env.end() && starts_with(it->first, "nd"); ++it) {
        std::string_view rest = std::string_view(it->first).substr(2);
        const auto n = take_index(rest);
        if (!n || rest.empty() || rest[0] != '_') continue;
        routers.insert(*n);
        if (routers.size() > max_list_entries)
            throw InputError(it->first, fmt::format("more than {} routers", max_list_entries));
    }
    if (routers.empty()) return std::nullopt;
    RaFacts f;
    for (unsigned n : routers) f.routers.push_back(parse_ra_router(env, n, warnings));
    return f;
}

}  // namespace

const std::vector<std::string>& dhcpcd_reason_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        out.reserve(std::size(reasons));
        for (const auto& [name, action] : reasons) out.emplace_back(name);
        std::sort(out.begin(), out.end());
        return out;
    }();
    return names;
}

Event parse_dhcpcd_event(const RawEvent& raw) {
    const Environment& env = raw.env;
    const std::string_view reason = require_var(env, "reason");
    const auto found = std::find_if(std::begin(reasons), std::end(reasons),
                                    [&](const auto& r) { return r.first == reason; });
    if (found == std::end(reasons)) throw InputError("reason", "unknown reason: " + quoted(reason));
    const InterfaceName ifname = parse_interface_name(require_var(env, "interface"), "interface");

    FactsUpdate u;
    u.interface = ifname;
    Warnings warnings;
    switch (found->second) {
    case Action::none: break;
    case Action::carrier_up: u.carrier = std::optional<bool>{true}; break;
    case Action::carrier_down: u.carrier = std::optional<bool>{false}; break;
    case Action::forget:
        u.forget_interface = true;
        u.carrier = std::optional<bool>{};
        break;
    case Action::dhcp4_lease: u.dhcp4 = std::optional<Dhcp4Facts>{parse_dhcp4(env)}; break;
    case Action::dhcp4_gone: u.dhcp4 = std::optional<Dhcp4Facts>{}; break;
    case Action::dhcp6_lease:
        u.dhcp6 = std::optional<Dhcp6Facts>{parse_dhcp6(env, warnings)};
        break;
    case Action::dhcp6_gone: u.dhcp6 = std::optional<Dhcp6Facts>{}; break;
    // DELEGATED6 says if_up=false if_down=true every time (docs/daemons.md, dhcpcd): ignored.
    case Action::delegated:
        u.delegated = std::optional<DelegatedFacts>{parse_delegated(env, warnings)};
        break;
    case Action::ra:
        u.ra.emplace(parse_ra(env, warnings));
        break;  // inner nullopt = RA state dropped
    }

    Event event;
    event.warnings = std::move(warnings);
    event.source = Source::dhcpcd;
    event.name = std::string(reason);
    event.interface = ifname;
    event.updates.push_back(std::move(u));
    event.time = raw.time;
    return event;
}

}  // namespace hookctl
