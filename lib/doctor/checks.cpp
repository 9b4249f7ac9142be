// The checks of `hookctl doctor`; see checks.hpp and docs/doctor.md.
#include "checks.hpp"

#include "daemon_configs.hpp"
#include "firewall.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace hookctl {

namespace {

constexpr std::uint32_t table_main = 254;
constexpr std::uint32_t table_default = 253;

// "/proc/sys/net/ipv6/conf/wan0/accept_ra=1": the file and the value, as evidence.
std::string sysctl_evidence(const SystemSnapshot& s, const std::string& key,
                            const std::string& value) {
    std::string path = key;
    std::replace(path.begin(), path.end(), '.', '/');
    return s.proc_sys + "/" + path + "=" + value;
}

std::string v6_key(const std::string& interface, const std::string& leaf) {
    return "net.ipv6.conf." + interface + "." + leaf;
}

// The value an interface has, or for one that does not exist (ppp0 before pppd
// creates it) the value it will be created with: `default`'s. The key used is
// returned with it for the evidence.
std::optional<std::pair<std::string, std::string>> v6_sysctl(const SystemSnapshot& s,
                                                             const std::string& interface,
                                                             const std::string& leaf) {
    for (const auto& name : {interface, std::string("default")}) {
        const auto key = v6_key(name, leaf);
        if (auto v = s.sysctl(key)) return std::make_pair(key, *v);
    }
    return std::nullopt;
}

const std::vector<PppPeer> ppp_peers(const SystemSnapshot& s) {
    std::vector<std::string> names;
    names.reserve(s.links.size());
    for (const auto& l : s.links) names.push_back(l.name);
    return parse_ppp(s.ppp, names);
}

bool uplink_has_ipv6_in_config(const Config& c, const UplinkConfig& u) {
    if (u.token || u.pd_iaid || !u.sysctl.ipv6.empty()) return true;
    if (std::any_of(c.lans.begin(), c.lans.end(),
                    [&](const auto& lan) { return lan.second.prefix_from == u.name; }))
        return true;
    // A rule, route or record that uses one of the uplink's IPv6 values.
    auto v6_of_uplink = [&](const ValueExpr& e) {
        return e.owner == u.name && e.field != ValueExpr::Field::none && e.family() == Family::v6;
    };
    for (const auto& r : c.rules)
        for (const auto* list : {&r.from, &r.to})
            if (std::any_of(list->begin(), list->end(), v6_of_uplink)) return true;
    for (const auto& r : c.routes)
        if (v6_of_uplink(r.to) || (r.via && v6_of_uplink(*r.via))) return true;
    for (const auto& zone : c.dns)
        for (const auto& record : zone.records)
            if (v6_of_uplink(record.value)) return true;
    return false;
}

std::string route_text(const netlink::KernelRoute& r) {
    return "ip route: " + describe(Object{r.route});
}

std::string rule_text(const netlink::KernelRule& r) {
    return "ip rule: " + describe(Object{r.rule});
}

bool is_plain_lookup(const netlink::KernelRule& r, std::uint32_t table) {
    const auto& o = r.rule;
    return !r.other_selectors && o.action == RuleAction::lookup && o.table == table && !o.from &&
           !o.to && !o.iif && !o.oif && !o.fwmark;
}

const netlink::KernelLink* link_named(const SystemSnapshot& s, const std::string& name) {
    return s.link(name);
}

}  // namespace

// ---- roles ------------------------------------------------------------------------

const InterfaceRole* Roles::uplink(const std::string& name) const {
    for (const auto& r : uplinks)
        if (r.interface == name) return &r;
    return nullptr;
}

const InterfaceRole* Roles::lan(const std::string& name) const {
    for (const auto& r : lans)
        if (r.interface == name) return &r;
    return nullptr;
}

Roles roles_of(const DoctorInput& in) {
    Roles roles;
    const auto& s = *in.system;
    auto add = [](std::vector<InterfaceRole>& list, InterfaceRole role) {
        for (auto& r : list)
            if (r.interface == role.interface) {
                r.ipv6 = r.ipv6 || role.ipv6;
                return;
            }
        list.push_back(std::move(role));
    };
    if (in.config != nullptr) {
        for (const auto& [name, u] : in.config->uplinks)
            add(roles.uplinks,
                {u.interface.str(), fmt::format("uplink '{}' ({})", name, u.where.to_string()),
                 uplink_has_ipv6_in_config(*in.config, u), true});
        for (const auto& [name, lan] : in.config->lans)
            add(roles.lans,
                {lan.interface.str(), fmt::format("lan '{}' ({})", name, lan.where.to_string()),
                 true, true});
    }
    for (const auto& peer : ppp_peers(s)) {
        if (!peer.ifname.empty())
            add(roles.uplinks,
                {peer.ifname, "pppd's interface (" + peer.ifname_where + ")", peer.ipv6, false});
        if (!peer.device.empty())
            add(roles.uplinks,
                {peer.device, "pppd's PPPoE device (" + peer.device_where + ")", false, false});
    }
    // dhcpcd asking for a delegation on an interface expects IPv6 from it.
    if (s.dhcpcd_conf)
        for (const auto& d : parse_dhcpcd_conf(*s.dhcpcd_conf))
            if (!d.uplink.empty())
                add(roles.uplinks,
                    {d.uplink, "dhcpcd asks for a prefix delegation on it (" + d.where + ")", true,
                     false});
    if (in.config == nullptr || in.config->uplinks.empty()) {
        for (const auto& r : s.routes) {
            if (r.route.table != table_main || r.route.destination.length != 0 || !r.route.dev)
                continue;
            const bool v6 = r.route.destination.family() == Family::v6;
            if (v6 && r.route.via && r.route.via->is_link_local() && roles.lan(r.route.dev->str()))
                continue;
            add(roles.uplinks,
                {r.route.dev->str(), fmt::format("holds the IPv{} default route", v6 ? 6 : 4), v6,
                 false});
        }
    }
    if (s.radvd_conf) {
        const auto radvd = parse_radvd_conf(*s.radvd_conf);
        for (const auto& block : radvd.interfaces)
            add(roles.lans,
                {block.interface,
                 "radvd advertises on it (" +
                     cite(s.radvd_conf->path, block.line, line_of(s.radvd_conf->text, block.line)) +
                     ")",
                 true, false});
    }
    return roles;
}

// ---- checks -----------------------------------------------------------------------

std::vector<Finding> check_config(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    if (!in.config_error.empty())
        out.push_back({"config",
                       Severity::error,
                       in.config_path,
                       "hookctl's config cannot be loaded",
                       {in.config_error},
                       "every hook run stops at the config: nothing hookctl manages is applied",
                       "correct the place the error names; `hookctl check` reads it the same way"});
    else if (in.config_absent)
        out.push_back(
            {"config",
             Severity::info,
             in.config_path,
             "no hookctl config: only the system's own state is checked",
             {in.config_path + ": does not exist"},
             "the checks that compare with hookctl's uplinks, lans and tables are skipped",
             "pass --config FILE if the config is elsewhere"});
    return out;
}

std::vector<Finding> check_probes(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    const std::string unread_why = "the checks that need it found nothing, which proves nothing";
    if (!s.kernel_read)
        out.push_back({"not-read",
                       Severity::info,
                       "rtnetlink",
                       "links, addresses, rules and routes could not be read",
                       {s.kernel_error},
                       unread_why,
                       "run doctor where rtnetlink can be read"});
    for (const auto* probe : {&s.nftables, &s.ip6tables_legacy}) {
        if (probe->status != ProbeOutput::Status::skipped &&
            probe->status != ProbeOutput::Status::failed)
            continue;
        out.push_back({"not-read",
                       Severity::info,
                       probe->command,
                       "the firewall could not be read",
                       {probe->command + ": " + probe->note},
                       unread_why,
                       "run `hookctl doctor` as root to include the firewall"});
    }
    for (const auto& u : s.unreadable)
        out.push_back({"not-read",
                       Severity::info,
                       u.substr(0, u.find(':')),
                       "a file could not be read",
                       {u},
                       unread_why,
                       "run `hookctl doctor` as root to include it"});
    return out;
}

std::vector<Finding> check_uplink_ra(const DoctorInput& in, const Roles& roles) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    for (const auto& up : roles.uplinks) {
        // An uplink the config uses for IPv4 only should ignore advertisements.
        if (up.from_config && !up.ipv6) continue;
        const auto fwd = v6_sysctl(s, up.interface, "forwarding");
        const auto ra = v6_sysctl(s, up.interface, "accept_ra");
        if (!fwd || !ra || fwd->second != "1" || ra->second != "1") continue;
        Finding f{"uplink-ra-ignored",
                  Severity::error,
                  up.interface,
                  "the uplink forwards with accept_ra=1, so the kernel ignores its router "
                  "advertisements",
                  {sysctl_evidence(s, fwd->first, fwd->second),
                   sysctl_evidence(s, ra->first, ra->second), "role: " + up.why},
                  "accept_ra=1 accepts advertisements only while the interface does not forward "
                  "(ip-sysctl.rst); with forwarding=1 no default route and no SLAAC address come "
                  "from the ISP's router, so IPv6 on the uplink never configures",
                  fmt::format("sysctl -w net.ipv6.conf.{}.accept_ra=2 (accept advertisements even "
                              "when forwarding; keep forwarding=1), and persist it",
                              up.interface)};
        if (!up.ipv6) {
            // Not known to be meant for IPv6: the advertisements may be unwanted there.
            f.severity = Severity::warning;
            f.what += " (if IPv6 is expected from this uplink)";
        }
        if (!s.link(up.interface))
            f.evidence.push_back(up.interface +
                                 " does not exist now; it will be created with default's values");
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<Finding> check_dhcpv6_reply(const DoctorInput& in, const Roles& roles) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    for (const auto& up : roles.uplinks) {
        if (!up.ipv6) continue;
        const auto packet = dhcpv6_reply(up.interface);
        const std::pair<const ProbeOutput*,
                        FirewallVerdict (*)(const std::string&, const InboundPacket&)>
            walkers[] = {{&s.nftables, &nft_input_verdict},
                         {&s.ip6tables_legacy, &ip6tables_input_verdict}};
        for (const auto& [probe, walk] : walkers) {
            if (probe->status != ProbeOutput::Status::ok) continue;
            const auto v = walk(probe->text, packet);
            if (v.result == FirewallVerdict::Result::accepted) continue;
            Finding f{"dhcpv6-reply-dropped",
                      Severity::error,
                      up.interface,
                      "the firewall drops DHCPv6 replies (UDP port 546) arriving on the uplink",
                      v.evidence,
                      "the ISP's DHCPv6 server answers from port 547 to the client's port 546; "
                      "dropped, the delegated prefix never arrives and the LANs get no IPv6",
                      fmt::format("accept it before the drop: nft add rule inet filter input "
                                  "iifname \"{0}\" udp dport 546 accept, or ip6tables -I INPUT -i "
                                  "{0} -p udp --dport 546 -j ACCEPT",
                                  up.interface)};
            f.evidence.insert(f.evidence.begin(), "packet: " + packet.describe());
            if (v.result == FirewallVerdict::Result::unknown) {
                f.severity = Severity::info;
                f.what = "cannot tell whether the firewall lets DHCPv6 replies (UDP port 546) in";
                f.evidence.push_back("not evaluated: " + v.reason);
                f.fix = "check by hand that udp dport 546 is accepted on " + up.interface;
            }
            out.push_back(std::move(f));
        }
    }
    return out;
}

std::vector<Finding> check_default_rules(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    if (!s.kernel_read) return out;
    struct Wanted {
        Family family;
        std::uint32_t table;
        const char* name;
        Severity severity;
        const char* why;
    };
    const Wanted wanted[] = {
        {Family::v4, table_main, "main", Severity::error,
         "every packet not matched by an earlier rule finds no route: \"Destination Host "
         "Unreachable\" / \"Network is unreachable\" for everything"},
        {Family::v4, table_default, "default", Severity::warning,
         "routes put into table default (253) are never consulted"},
        {Family::v6, table_main, "main", Severity::error,
         "every IPv6 packet not matched by an earlier rule finds no route"},
    };
    for (const auto& w : wanted) {
        const bool present = std::any_of(s.rules.begin(), s.rules.end(), [&](const auto& r) {
            return r.rule.family == w.family && is_plain_lookup(r, w.table);
        });
        if (present) continue;
        const int v = w.family == Family::v4 ? 4 : 6;
        const std::uint32_t priority = w.table == table_main ? 32766 : 32767;
        Finding f{
            "default-rules",
            w.severity,
            fmt::format("IPv{} rules", v),
            fmt::format("the rule `from all lookup {}` is missing", w.name),
            {},
            w.why,
            fmt::format("ip -{} rule add from all lookup {} priority {}", v, w.name, priority)};
        for (const auto& r : s.rules)
            if (r.rule.family == w.family) f.evidence.push_back(rule_text(r));
        if (f.evidence.empty())
            f.evidence.push_back(fmt::format("ip -{} rule: no rules at all", v));
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<Finding> check_radvd_managed(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    if (!s.radvd_conf) return out;
    const auto radvd = parse_radvd_conf(*s.radvd_conf);
    const auto dnsmasq = parse_dnsmasq(s.dnsmasq);
    std::vector<Dhcpv6Service> services = dnsmasq.services;
    if (s.kea_dhcp6) {
        const auto kea = parse_kea_dhcp6(*s.kea_dhcp6);
        services.insert(services.end(), kea.services.begin(), kea.services.end());
    }
    auto dnsmasq_serves = [&](const std::string& interface) {
        const auto& no = dnsmasq.no_dhcp;
        if (std::find(no.begin(), no.end(), interface) != no.end()) return false;
        const auto& only = dnsmasq.interfaces;
        return only.empty() || std::find(only.begin(), only.end(), interface) != only.end();
    };
    for (const auto& block : radvd.interfaces) {
        // The stateful DHCPv6 services for this LAN: named for it, or for one of its
        // prefixes; a dnsmasq range naming neither serves every interface dnsmasq serves.
        std::vector<const Dhcpv6Service*> serving;
        for (const auto& svc : services) {
            if (!svc.stateful) continue;
            bool match = svc.interface == block.interface;
            if (!match && svc.interface.empty() && svc.prefix)
                for (const auto& p : block.prefixes)
                    match = match || (p.prefix.length <= svc.prefix->length &&
                                      p.prefix.contains(svc.prefix->network));
            if (!match && svc.interface.empty() && svc.server == "dnsmasq" && !svc.prefix)
                match = dnsmasq_serves(block.interface);
            if (match) serving.push_back(&svc);
        }
        const auto here =
            cite(s.radvd_conf->path, block.line, line_of(s.radvd_conf->text, block.line));
        if (!block.managed && !serving.empty()) {
            Finding f{"radvd-managed-flag",
                      Severity::warning,
                      block.interface,
                      "a DHCPv6 server hands out addresses on the LAN, but radvd does not set "
                      "the Managed flag",
                      {here, "AdvManagedFlag: not on (radvd's default is off)"},
                      "hosts ask DHCPv6 for addresses only when the advertisement carries M=1 "
                      "(RFC 4861 4.2); without it the server's leases are never requested",
                      "add `AdvManagedFlag on;` to the interface block (hookctl: managed = true "
                      "in [[radvd.interface]]), or stop the stateful DHCPv6 range"};
            if (block.managed_line != 0)
                f.evidence[1] = cite(s.radvd_conf->path, block.managed_line,
                                     line_of(s.radvd_conf->text, block.managed_line));
            for (const auto* svc : serving) f.evidence.push_back(svc->server + ": " + svc->where);
            out.push_back(std::move(f));
        } else if (block.managed && serving.empty()) {
            std::vector<std::string> evidence{
                here, cite(s.radvd_conf->path, block.managed_line,
                           line_of(s.radvd_conf->text, block.managed_line))};
            std::string read = "DHCPv6 configs read:";
            for (const auto& file : s.dnsmasq) read += " " + file.path;
            if (s.kea_dhcp6) read += " " + s.kea_dhcp6->path;
            if (s.dnsmasq.empty() && !s.kea_dhcp6) read += " none found";
            evidence.push_back(read + "; none hands out addresses on " + block.interface);
            out.push_back({"radvd-managed-flag", Severity::warning, block.interface,
                           "radvd sets the Managed flag, but no DHCPv6 server was found serving "
                           "the LAN",
                           evidence,
                           "hosts told M=1 ask DHCPv6 for an address and wait for an answer "
                           "that never comes (some never form a usable address)",
                           "remove `AdvManagedFlag on;` (hookctl: managed = false), or serve "
                           "the LAN with a stateful DHCPv6 range (dnsmasq dhcp-range, kea "
                           "subnet6)"});
        }
    }
    return out;
}

std::vector<Finding> check_uplink_bridge(const DoctorInput& in, const Roles& roles) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    for (const auto& up : roles.uplinks) {
        const auto* link = link_named(s, up.interface);
        if (link == nullptr || link->master == 0) continue;
        const auto* master = s.link(link->master);
        if (master == nullptr || master->kind != "bridge") continue;
        out.push_back(
            {"uplink-in-bridge",
             Severity::error,
             up.interface,
             "the uplink is a port of bridge " + master->name,
             {fmt::format("ip link: {} master {} (a {})", link->name, master->name, master->kind),
              "role: " + up.why},
             "the bridge forwards frames of every other port (VMs, containers) with "
             "their own MAC addresses onto the provider's network; hosting providers "
             "lock the port for foreign MACs, and the router's own filtering is "
             "bypassed",
             fmt::format("ip link set {} nomaster, give the bridge its own address and "
                         "route (or NAT) between the bridge and the uplink",
                         up.interface)});
    }
    return out;
}

std::vector<Finding> check_ipv6_default_route(const DoctorInput& in, const Roles& roles) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    for (const auto& up : roles.uplinks) {
        if (!up.from_config || up.ipv6) continue;  // only an uplink hookctl uses for IPv4 only
        std::vector<std::string> routes;
        for (const auto& r : s.routes)
            if (r.route.destination.family() == Family::v6 && r.route.destination.length == 0 &&
                r.route.dev && r.route.dev->str() == up.interface)
                routes.push_back(route_text(r));
        const auto ra = v6_sysctl(s, up.interface, "accept_ra");
        // accept_ra=1 is ignored while the interface forwards (ip-sysctl.rst).
        const auto fwd = v6_sysctl(s, up.interface, "forwarding");
        const bool accepts =
            ra && (ra->second == "2" || (ra->second == "1" && (!fwd || fwd->second == "0")));
        if (routes.empty() && !accepts) continue;
        Finding f{"ipv4-uplink-ipv6-route",
                  routes.empty() ? Severity::info : Severity::warning,
                  up.interface,
                  routes.empty() ? "the uplink is IPv4-only in hookctl's config but accepts "
                                   "router advertisements"
                                 : "an IPv6 default route points out of an uplink that is "
                                   "IPv4-only in hookctl's config",
                  routes,
                  "an advertisement on this link (a provider's router, networkd's own RA "
                  "handling) installs a default route via its link-local address (often "
                  "fe80::1) that leads nowhere: IPv6 connections hang instead of falling back "
                  "to IPv4",
                  fmt::format("sysctl -w net.ipv6.conf.{}.accept_ra=0 (networkd: "
                              "IPv6AcceptRA=no), then ip -6 route del default dev {}",
                              up.interface, up.interface)};
        if (ra) f.evidence.push_back(sysctl_evidence(s, ra->first, ra->second));
        if (fwd) f.evidence.push_back(sysctl_evidence(s, fwd->first, fwd->second));
        f.evidence.push_back("role: " + up.why + ", with no lan prefix, token or pd_iaid");
        out.push_back(std::move(f));
    }
    for (const auto& lan : roles.lans) {
        for (const auto& r : s.routes) {
            if (r.route.destination.family() != Family::v6 || r.route.destination.length != 0 ||
                !r.route.dev || r.route.dev->str() != lan.interface || r.route.table != table_main)
                continue;
            out.push_back({"lan-ipv6-default-route",
                           Severity::warning,
                           lan.interface,
                           "an IPv6 default route points into a LAN",
                           {route_text(r), "role: " + lan.why},
                           "the router's own traffic and forwarded packets go to the LAN "
                           "instead of the uplink (a route made by an advertisement heard on "
                           "the LAN, or by hand)",
                           fmt::format("ip -6 route del default dev {}; sysctl -w "
                                       "net.ipv6.conf.{}.accept_ra=0",
                                       lan.interface, lan.interface)});
        }
    }
    return out;
}

std::vector<Finding> check_forwarding(const DoctorInput& in, const Roles& roles) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    const auto all = s.sysctl(v6_key("all", "forwarding"));
    if (!all) return out;
    std::set<std::string> seen;
    for (const auto* list : {&roles.uplinks, &roles.lans}) {
        for (const auto& role : *list) {
            if (!seen.insert(role.interface).second) continue;
            const auto key = v6_key(role.interface, "forwarding");
            const auto value = s.sysctl(key);
            if (!value || *value == *all) continue;
            out.push_back(
                {"forwarding-differs",
                 Severity::warning,
                 role.interface,
                 fmt::format("IPv6 forwarding is {} on {} but {} in all", *value, role.interface,
                             *all),
                 {sysctl_evidence(s, key, *value),
                  sysctl_evidence(s, v6_key("all", "forwarding"), *all), "role: " + role.why},
                 "the interface kept a value set before (or after) all/forwarding: a "
                 "forwarding value changed at runtime does not redo what the interface "
                 "decided when it came up (router solicitations, the router flag, accepting "
                 "advertisements) until the link goes down and up",
                 fmt::format("sysctl -w net.ipv6.conf.{}.forwarding={}, then ip link set {} "
                             "down && ip link set {} up (or set it in sysctl.d before the link "
                             "comes up)",
                             role.interface, *all, role.interface, role.interface)});
        }
    }
    const auto def = s.sysctl(v6_key("default", "forwarding"));
    if (def && *def != *all)
        out.push_back({"forwarding-differs",
                       Severity::info,
                       "default",
                       fmt::format("interfaces created from now on get IPv6 forwarding {} (all "
                                   "says {})",
                                   *def, *all),
                       {sysctl_evidence(s, v6_key("default", "forwarding"), *def),
                        sysctl_evidence(s, v6_key("all", "forwarding"), *all)},
                       "ppp0 and other links created later take default's values, not all's",
                       fmt::format("sysctl -w net.ipv6.conf.default.forwarding={}", *all)});
    return out;
}

std::vector<Finding> check_dhcpcd_suffix(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    const auto& s = *in.system;
    if (!s.dhcpcd_conf) return out;
    for (const auto& d : parse_dhcpcd_conf(*s.dhcpcd_conf)) {
        const auto& t = d.suffix_text;
        const bool decimal =
            !t.empty() && t[0] != '0' &&
            std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (!decimal || d.suffix < 10) continue;
        const auto hex = fmt::format("{:x}", d.suffix);
        out.push_back({"dhcpcd-suffix-decimal",
                       Severity::warning,
                       d.interface,
                       fmt::format("the ia_pd suffix {} is decimal: the address ends in ::{}, "
                                   "not ::{}",
                                   t, hex, t),
                       {d.where},
                       "dhcpcd reads the suffix with strtoul base 0 (src/if-options.c): "
                       "without 0x it is decimal, and IPv6 addresses are written in hex",
                       fmt::format("write 0x{} for the address ::{}, or {} to keep ::{}", t, t,
                                   d.suffix, hex)});
    }
    return out;
}

std::vector<Finding> check_rt_tables(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    if (in.config == nullptr) return out;
    const auto& s = *in.system;
    const auto& c = *in.config;
    auto known = [&](const TableRef& t) {
        return t.id || t.name.empty() || c.tables.count(t.name) != 0 ||
               s.rt_tables.count(t.name) != 0;
    };
    auto report = [&](const TableRef& t, const SourceLocation& where, const char* what) {
        out.push_back({"table-unknown",
                       Severity::error,
                       t.name,
                       fmt::format("the {} names table '{}', which is in neither rt_tables nor "
                                   "the config's [tables]",
                                   what, t.name),
                       {fmt::format("{}: table = \"{}\"", where.to_string(), t.name),
                        "rt_tables: no line for '" + t.name + "'"},
                       "a name iproute2 and hookctl cannot resolve: the rule or route is not "
                       "made, and traffic meant for the table takes the main table",
                       fmt::format("add `{} = <number>` to [tables] in the config, or a line "
                                   "`<number> {}` to /etc/iproute2/rt_tables.d/hookctl.conf",
                                   t.name, t.name)});
    };
    for (const auto& r : c.rules)
        if (r.action == RuleAction::lookup && !known(r.table)) report(r.table, r.where, "rule");
    for (const auto& r : c.routes)
        if (!known(r.table)) report(r.table, r.where, "route");
    return out;
}

std::vector<Finding> check_tsig_keys(const DoctorInput& in, const Roles& /*roles*/) {
    std::vector<Finding> out;
    for (const auto& key : in.system->key_files) {
        if (!key.exists) continue;
        const bool other = (key.mode & 0004U) != 0;
        const bool group = (key.mode & 0040U) != 0;
        if (!other && !group) continue;
        out.push_back(
            {"tsig-key-readable",
             other ? Severity::error : Severity::warning,
             key.path,
             other ? "the TSIG key is readable by every user"
                   : "the TSIG key is readable by its group",
             {fmt::format("{}: mode {:04o}, uid {}, gid {}", key.path, key.mode, key.uid, key.gid)},
             "whoever reads the key can change the zone's records (RFC 8945: the "
             "key is the only authentication of an update)",
             fmt::format("chmod 0600 {} (owned by the user hookctl runs as)", key.path)});
    }
    return out;
}

// ---- the table --------------------------------------------------------------------

const std::vector<CheckEntry>& doctor_checks() {
    static const std::vector<CheckEntry> checks{
        {"config", "hookctl's config loads", &check_config},
        {"not-read", "what could not be read (not root, a tool missing)", &check_probes},
        {"uplink-ra-ignored", "an IPv6 uplink forwards with accept_ra=1", &check_uplink_ra},
        {"dhcpv6-reply-dropped", "the firewall drops UDP 546 on an IPv6 uplink",
         &check_dhcpv6_reply},
        {"default-rules", "from all lookup main / lookup default present", &check_default_rules},
        {"radvd-managed-flag", "AdvManagedFlag agrees with the LAN's DHCPv6 server",
         &check_radvd_managed},
        {"uplink-in-bridge", "the uplink is not a bridge port", &check_uplink_bridge},
        {"ipv4-uplink-ipv6-route", "no IPv6 default route out of an IPv4-only uplink or a LAN",
         &check_ipv6_default_route},
        {"forwarding-differs", "per-interface IPv6 forwarding agrees with all", &check_forwarding},
        {"dhcpcd-suffix-decimal", "dhcpcd ia_pd suffixes written in decimal", &check_dhcpcd_suffix},
        {"table-unknown", "tables named by the config exist", &check_rt_tables},
        {"tsig-key-readable", "TSIG keys readable only by their owner", &check_tsig_keys},
    };
    return checks;
}

std::vector<Finding> run_checks(const DoctorInput& in) {
    const auto roles = roles_of(in);
    std::vector<Finding> all;
    for (const auto& check : doctor_checks()) {
        auto found = check.run(in, roles);
        all.insert(all.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    }
    std::stable_sort(all.begin(), all.end(),
                     [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
    return all;
}

}  // namespace hookctl
