// merge(): apply one event's sections to the stored facts (level-triggered: a
// section is replaced whole). diff(): the transitions between two fact sets, by
// comparing what each section says about addresses and prefixes, never lifetimes.
#include "facts.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace hookctl {

namespace {

template <typename T>
void apply_section(std::optional<T>& slot, const std::optional<std::optional<T>>& update) {
    if (update) slot = *update;
}

bool all_sections_empty(const InterfaceFacts& f) {
    return !f.carrier && !f.ppp4 && !f.ppp6 && !f.dhcp4 && !f.dhcp6 && !f.ra && !f.delegated &&
           !f.kernel;
}

// One comparable line per "thing known" in a section: subject → value. Two fact
// sets differ where these maps differ.
using Observations = std::map<std::string, std::string>;

std::string join(const std::vector<std::string>& parts) {
    std::string out;
    for (const auto& p : parts) {
        if (!out.empty()) out += ' ';
        out += p;
    }
    return out;
}

template <typename T>
std::vector<std::string> strings(const std::vector<T>& v) {
    std::vector<std::string> out;
    out.reserve(v.size());
    for (const auto& x : v) out.push_back(x.to_string());
    std::sort(out.begin(), out.end());
    return out;
}

Observations observe(const InterfaceFacts& f) {
    Observations o;
    if (f.carrier) o["carrier"] = *f.carrier ? "up" : "down";
    if (f.ppp4) {
        o["ppp ipv4 link"] = "up";
        o["ipv4 address (ppp)"] = f.ppp4->local.to_string();
        if (f.ppp4->remote) o["ipv4 peer (ppp)"] = f.ppp4->remote->to_string();
        if (!f.ppp4->dns.empty()) o["ipv4 dns (ppp)"] = join(strings(f.ppp4->dns));
    }
    if (f.ppp6) {
        o["ppp ipv6 link"] = "up";
        o["ipv6 link-local (ppp)"] = f.ppp6->link_local.to_string();
    }
    if (f.dhcp4) {
        o["ipv4 address (dhcp)"] = f.dhcp4->address.to_string();
        if (!f.dhcp4->routers.empty()) o["ipv4 routers (dhcp)"] = join(strings(f.dhcp4->routers));
        if (!f.dhcp4->dns.empty()) o["ipv4 dns (dhcp)"] = join(strings(f.dhcp4->dns));
    }
    if (f.dhcp6) {
        for (const auto& a : f.dhcp6->addresses)
            o["ipv6 address " + a.address.to_string() + " (dhcp6)"] = "present";
        std::map<std::uint32_t, std::vector<std::string>> by_iaid;
        for (const auto& p : f.dhcp6->prefixes) by_iaid[p.iaid].push_back(p.prefix.to_string());
        for (auto& [iaid, prefixes] : by_iaid) {
            std::sort(prefixes.begin(), prefixes.end());
            o[fmt::format("delegated prefix iaid {}", iaid)] = join(prefixes);
        }
        if (!f.dhcp6->dns.empty()) o["ipv6 dns (dhcp6)"] = join(strings(f.dhcp6->dns));
    }
    if (f.ra) {
        for (const auto& r : f.ra->routers) {
            const std::string who = "router " + r.from.to_string();
            o[who] = "present";
            std::vector<std::string> prefixes;
            for (const auto& p : r.prefixes) prefixes.push_back(p.prefix.to_string());
            if (!prefixes.empty()) o[who + " prefixes"] = join(prefixes);
            if (!r.addresses.empty()) o[who + " slaac addresses"] = join(strings(r.addresses));
            if (!r.rdnss.empty()) o[who + " rdnss"] = join(strings(r.rdnss));
        }
    }
    if (f.delegated && !f.delegated->addresses.empty())
        o["delegated address"] = join(strings(f.delegated->addresses));
    if (f.kernel) {
        o["link (kernel)"] = !f.kernel->up ? "down" : f.kernel->lower_up ? "up" : "no carrier";
        for (const auto& a : f.kernel->addresses)
            o[fmt::format("{} address {} (kernel)", a.address.address.is_v4() ? "ipv4" : "ipv6",
                          a.address.to_string())] = a.state();
    }
    return o;
}

}  // namespace

namespace {
constexpr std::pair<const char*, bool KernelAddress::*> kernel_flags[] = {
    {"tentative", &KernelAddress::tentative},   {"deprecated", &KernelAddress::deprecated},
    {"dadfailed", &KernelAddress::dadfailed},   {"temporary", &KernelAddress::temporary},
    {"mngtmpaddr", &KernelAddress::mngtmpaddr}, {"permanent", &KernelAddress::permanent},
};
}  // namespace

std::vector<std::string> flag_names(const KernelAddress& a) {
    std::vector<std::string> out;
    for (const auto& [name, member] : kernel_flags)
        if (a.*member) out.emplace_back(name);
    return out;
}

bool set_flag(KernelAddress& a, std::string_view name) {
    for (const auto& [flag, member] : kernel_flags)
        if (name == flag) {
            a.*member = true;
            return true;
        }
    return false;
}

std::string KernelAddress::state() const {
    if (dadfailed) return "dadfailed";
    if (tentative) return "tentative";
    if (deprecated) return "deprecated";
    if (temporary) return "temporary";
    return "preferred";
}

namespace {

// The soonest a lease section could expire, in seconds; 0: never.
std::uint32_t shortest_valid(const Dhcp4Facts& f) {
    return f.lease_seconds;
}
std::uint32_t shortest_valid(const Dhcp6Facts& f) {
    std::uint32_t s = 0;
    auto take = [&](const Lifetime& l) {
        if (!l.is_infinite() && l.seconds > 0 && (s == 0 || l.seconds < s)) s = l.seconds;
    };
    for (const auto& a : f.addresses) take(a.valid);
    for (const auto& p : f.prefixes) take(p.valid);
    return s;
}
std::uint32_t shortest_valid(const RaFacts& f) {
    std::uint32_t s = 0;
    for (const auto& r : f.routers)
        for (const auto& p : r.prefixes)
            if (!p.valid.is_infinite() && p.valid.seconds > 0 && (s == 0 || p.valid.seconds < s))
                s = p.valid.seconds;
    return s;
}

// Kernel dumps count lifetimes down: equal otherwise means nothing happened.
bool same_but_lifetimes(KernelLinkFacts a, KernelLinkFacts b) {
    for (auto* f : {&a, &b}) {
        f->reported = 0;
        for (auto& x : f->addresses) x.preferred = x.valid = Lifetime{};
    }
    return a == b;
}

template <typename T>
void stamp(std::optional<T>& section, const std::optional<T>& before, Timestamp now) {
    if (!section) return;
    section->reported = now;
    if (!before) return;
    T old = *before;
    old.reported = now;
    const std::uint32_t life = shortest_valid(*section);
    if (old == *section && (life == 0 || now - before->reported < life / 2))
        section->reported = before->reported;
}

}  // namespace

Facts merge(Facts facts, const FactsUpdate& u, Timestamp now) {
    InterfaceFacts& f = facts.interfaces[u.interface];
    const InterfaceFacts before = f;
    if (u.forget_interface) {
        // dhcpcd STOPPED/DEPARTED: everything dhcpcd told us about this interface is
        // void. pppd's sections are pppd's to clear.
        f.carrier.reset();
        f.dhcp4.reset();
        f.dhcp6.reset();
        f.ra.reset();
        f.delegated.reset();
    }
    apply_section(f.carrier, u.carrier);
    apply_section(f.ppp4, u.ppp4);
    apply_section(f.ppp6, u.ppp6);
    apply_section(f.dhcp4, u.dhcp4);
    apply_section(f.dhcp6, u.dhcp6);
    apply_section(f.ra, u.ra);
    apply_section(f.delegated, u.delegated);
    apply_section(f.kernel, u.kernel);
    if (u.dhcp4) stamp(f.dhcp4, before.dhcp4, now);
    if (u.dhcp6) stamp(f.dhcp6, before.dhcp6, now);
    if (u.ra) stamp(f.ra, before.ra, now);
    if (u.kernel && f.kernel) {
        f.kernel->reported = now;
        if (before.kernel && same_but_lifetimes(*before.kernel, *f.kernel))
            f.kernel = before.kernel;
    }
    if (!(f == before)) f.updated = now;
    if (all_sections_empty(f)) facts.interfaces.erase(u.interface);
    return facts;
}

Facts expire(Facts facts, Timestamp now, const std::string& boot_id,
             std::vector<std::string>& notes) {
    if (!boot_id.empty() && !facts.boot_id.empty() && facts.boot_id != boot_id) {
        for (const auto& [name, f] : facts.interfaces)
            notes.push_back(
                fmt::format("{}: facts from before the reboot dropped (boot id {} is now {})",
                            name.str(), facts.boot_id, boot_id));
        facts.interfaces.clear();
    }
    if (!boot_id.empty()) facts.boot_id = boot_id;
    auto gone = [now](Timestamp reported, const Lifetime& valid) {
        return !valid.is_infinite() && reported + static_cast<Timestamp>(valid.seconds) <= now;
    };
    for (auto it = facts.interfaces.begin(); it != facts.interfaces.end();) {
        InterfaceFacts& f = it->second;
        const std::string ifname = it->first.str();
        if (f.dhcp6) {
            const Timestamp at = f.dhcp6->reported;
            const bool had = !f.dhcp6->addresses.empty() || !f.dhcp6->prefixes.empty();
            auto& addrs = f.dhcp6->addresses;
            auto& pds = f.dhcp6->prefixes;
            for (const auto& a : addrs)
                if (gone(at, a.valid))
                    notes.push_back(fmt::format("{}: DHCPv6 address {} expired", ifname,
                                                a.address.to_string()));
            for (const auto& p : pds)
                if (gone(at, p.valid))
                    notes.push_back(fmt::format("{}: delegated prefix {} expired", ifname,
                                                p.prefix.to_string()));
            addrs.erase(std::remove_if(addrs.begin(), addrs.end(),
                                       [&](const AddressLease& a) { return gone(at, a.valid); }),
                        addrs.end());
            pds.erase(std::remove_if(pds.begin(), pds.end(),
                                     [&](const PrefixLease& p) { return gone(at, p.valid); }),
                      pds.end());
            if (had && addrs.empty() && pds.empty()) f.dhcp6.reset();
        }
        if (f.dhcp4 && f.dhcp4->lease_seconds > 0 &&
            gone(f.dhcp4->reported, Lifetime{f.dhcp4->lease_seconds})) {
            notes.push_back(fmt::format("{}: DHCPv4 lease of {} expired", ifname,
                                        f.dhcp4->address.to_string()));
            f.dhcp4.reset();
        }
        if (f.ra) {
            const Timestamp at = f.ra->reported;
            for (auto& r : f.ra->routers) {
                for (const auto& p : r.prefixes)
                    if (gone(at, p.valid))
                        notes.push_back(
                            fmt::format("{}: RA prefix {} expired", ifname, p.prefix.to_string()));
                r.prefixes.erase(
                    std::remove_if(r.prefixes.begin(), r.prefixes.end(),
                                   [&](const RaPrefix& p) { return gone(at, p.valid); }),
                    r.prefixes.end());
            }
        }
        if (all_sections_empty(f))
            it = facts.interfaces.erase(it);
        else
            ++it;
    }
    return facts;
}

std::string Transition::to_string() const {
    switch (kind) {
    case Kind::added: return fmt::format("{}: {} added {}", interface.str(), subject, after);
    case Kind::removed: return fmt::format("{}: {} removed {}", interface.str(), subject, before);
    case Kind::changed:
        return fmt::format("{}: {} changed {} -> {}", interface.str(), subject, before, after);
    }
    return {};
}

std::vector<Transition> diff(const Facts& before, const Facts& after) {
    std::set<InterfaceName> names;
    for (const auto& [n, _] : before.interfaces) names.insert(n);
    for (const auto& [n, _] : after.interfaces) names.insert(n);
    std::vector<Transition> out;
    static const InterfaceFacts none;
    for (const auto& name : names) {
        auto b = before.interfaces.find(name);
        auto a = after.interfaces.find(name);
        const Observations ob = observe(b == before.interfaces.end() ? none : b->second);
        const Observations oa = observe(a == after.interfaces.end() ? none : a->second);
        for (const auto& [subject, value] : ob) {
            auto it = oa.find(subject);
            if (it == oa.end())
                out.push_back({Transition::Kind::removed, name, subject, value, ""});
            else if (it->second != value)
                out.push_back({Transition::Kind::changed, name, subject, value, it->second});
        }
        for (const auto& [subject, value] : oa)
            if (!ob.count(subject))
                out.push_back({Transition::Kind::added, name, subject, "", value});
    }
    return out;
}

}  // namespace hookctl
