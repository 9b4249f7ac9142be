// What config expressions are worth against the facts: the one place that knows
// which fact each field reads (see config.hpp, ValueExpr).
#include "resolve.hpp"

#include <fmt/format.h>

#include <tuple>

namespace hookctl {

namespace {

const InterfaceFacts* facts_of(const Facts& facts, const InterfaceName& name) {
    auto it = facts.interfaces.find(name);
    return it == facts.interfaces.end() ? nullptr : &it->second;
}

std::optional<IpPrefix> delegated_prefix(const UplinkConfig& u, const Facts& facts) {
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f || !f->dhcp6) return std::nullopt;
    for (const auto& p : f->dhcp6->prefixes)
        if (!u.pd_iaid || p.iaid == *u.pd_iaid) return p.prefix;
    return std::nullopt;
}

// The uplink's on-link IPv6 /64: an autonomous RA prefix, else the IA_NA address's.
std::optional<IpPrefix> uplink_prefix(const UplinkConfig& u, const Facts& facts) {
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f) return std::nullopt;
    if (f->ra)
        for (const auto& r : f->ra->routers)
            for (const auto& p : r.prefixes)
                if (p.autonomous && p.valid.seconds > 0 && p.prefix.family() == Family::v6)
                    return p.prefix;
    if (f->dhcp6 && !f->dhcp6->addresses.empty())
        return mask(f->dhcp6->addresses.front().address, 64);
    return std::nullopt;
}

std::optional<IpAddress> uplink_ipv6(const UplinkConfig& u, const Facts& facts) {
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f) return std::nullopt;
    if (f->dhcp6 && !f->dhcp6->addresses.empty()) return f->dhcp6->addresses.front().address;
    if (u.token) {
        if (auto p = uplink_prefix(u, facts)) return with_token(*p, *u.token);
    }
    if (f->ra)
        for (const auto& r : f->ra->routers)
            if (!r.addresses.empty()) return r.addresses.front().address;
    return std::nullopt;
}

// ---- source = "kernel": the addresses rtnetlink reported, on a link that is up

const KernelLinkFacts* kernel_link(const UplinkConfig& u, const Facts& facts) {
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f || !f->kernel || !f->kernel->up || !f->kernel->lower_up) return nullptr;
    return &*f->kernel;
}

// The uplink's own address of a family: usable (not tentative, deprecated, failed
// or temporary), the one carrying the token first, then the longest preferred
// lifetime (the newest prefix during a renumbering), then the lowest address.
const KernelAddress* kernel_address(const UplinkConfig& u, const KernelLinkFacts& k,
                                    Family family) {
    const KernelAddress* best = nullptr;
    auto rank = [&](const KernelAddress& a) {
        const bool token = u.token && family == Family::v6 &&
                           a.address.address == with_token(mask(a.address.address, 64), *u.token);
        return std::tuple(token, a.preferred.seconds);
    };
    for (const auto& a : k.addresses) {
        if (a.address.address.family != family || !a.usable()) continue;
        if (!best || rank(a) > rank(*best) ||
            (rank(a) == rank(*best) && a.address.address < best->address.address))
            best = &a;
    }
    return best;
}

std::optional<ResolvedValue> resolve_kernel_uplink(const ValueExpr& e, const UplinkConfig& u,
                                                   const Facts& facts) {
    const KernelLinkFacts* k = kernel_link(u, facts);
    if (!k) return std::nullopt;
    switch (e.field) {
    case ValueExpr::Field::ipv4:
        if (const auto* a = kernel_address(u, *k, Family::v4)) return a->address.address;
        return std::nullopt;
    case ValueExpr::Field::ipv6:
        if (const auto* a = kernel_address(u, *k, Family::v6)) return a->address.address;
        return std::nullopt;
    case ValueExpr::Field::prefix:
        // The on-link prefix as the kernel holds it (a /64 from SLAAC); an address
        // without one (a /128 from DHCPv6) stands for its /64.
        if (const auto* a = kernel_address(u, *k, Family::v6))
            return mask(a->address.address, a->address.length <= 64 ? a->address.length : 64);
        return std::nullopt;
    default: return std::nullopt;
    }
}

std::optional<ResolvedValue> resolve_uplink(const ValueExpr& e, const UplinkConfig& u,
                                            const Facts& facts) {
    if (u.source == UplinkSource::kernel) return resolve_kernel_uplink(e, u, facts);
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f) return std::nullopt;
    switch (e.field) {
    case ValueExpr::Field::ipv4:
        if (f->ppp4) return f->ppp4->local;
        if (f->dhcp4) return f->dhcp4->address.address;
        return std::nullopt;
    case ValueExpr::Field::ipv4_peer:
        if (f->ppp4 && f->ppp4->remote) return *f->ppp4->remote;
        if (f->dhcp4 && !f->dhcp4->routers.empty()) return f->dhcp4->routers.front();
        return std::nullopt;
    case ValueExpr::Field::ipv6:
        if (auto a = uplink_ipv6(u, facts)) return *a;
        return std::nullopt;
    case ValueExpr::Field::link_local:
        if (f->ppp6) return f->ppp6->link_local;
        return std::nullopt;
    case ValueExpr::Field::prefix:
        if (auto p = uplink_prefix(u, facts)) return *p;
        return std::nullopt;
    case ValueExpr::Field::delegated:
        if (auto p = delegated_prefix(u, facts)) return *p;
        return std::nullopt;
    default: return std::nullopt;
    }
}

// Adds the host token where the expression has one.
ResolvedValue apply_token(const ValueExpr& e, ResolvedValue v) {
    if (!e.token) return v;
    const auto* p = std::get_if<IpPrefix>(&v);
    if (!p)
        throw Error(fmt::format("{}: '+ {}' needs a prefix on its left", e.where.to_string(),
                                e.token->to_string()));
    try {
        return with_token(*p, *e.token);
    } catch (const Error& err) {
        throw Error(fmt::format("{}: {}: {}", e.where.to_string(), e.text, err.what()));
    }
}

}  // namespace

IpPrefix as_prefix(const ResolvedValue& v) {
    if (const auto* p = std::get_if<IpPrefix>(&v)) return *p;
    return host_prefix(std::get<IpAddress>(v));
}

IpAddress as_address(const ResolvedValue& v) {
    if (const auto* a = std::get_if<IpAddress>(&v)) return *a;
    return std::get<IpPrefix>(v).network;
}

std::string to_string(const ResolvedValue& v) {
    return std::visit([](const auto& x) { return x.to_string(); }, v);
}

bool uplink_is_up(const UplinkConfig& u, const Facts& facts, std::optional<Family> family) {
    if (u.source == UplinkSource::kernel) {
        const KernelLinkFacts* k = kernel_link(u, facts);
        if (!k) return false;
        if (!family) return true;
        return kernel_address(u, *k, *family) != nullptr;
    }
    const InterfaceFacts* f = facts_of(facts, u.interface);
    if (!f) return false;
    const bool v4 = f->ppp4.has_value() || f->dhcp4.has_value();
    const bool v6 =
        f->ppp6.has_value() || f->dhcp6.has_value() || (f->ra && !f->ra->routers.empty());
    if (!family) return v4 || v6;
    return *family == Family::v4 ? v4 : v6;
}

std::optional<IpPrefix> lan_prefix(const LanConfig& lan, const Config& config, const Facts& facts) {
    const UplinkConfig* u = config.find_uplink(lan.prefix_from);
    if (!u) return std::nullopt;
    auto delegated = delegated_prefix(*u, facts);
    if (!delegated) return std::nullopt;
    try {
        return subnet_of(*delegated, lan.subnet, lan.length);
    } catch (const Error& e) {
        throw Error(fmt::format("{}: [lan.{}] subnet {} /{} of delegated {}: {}",
                                lan.where.to_string(), lan.name, lan.subnet, lan.length,
                                delegated->to_string(), e.what()));
    }
}

std::optional<ResolvedValue> resolve(const ValueExpr& e, const Config& config, const Facts& facts) {
    if (e.field == ValueExpr::Field::none) {
        if (e.literal_prefix) return *e.literal_prefix;
        if (e.literal_address) return *e.literal_address;
        return std::nullopt;
    }
    std::optional<ResolvedValue> v;
    if (const auto* u = config.find_uplink(e.owner)) {
        v = resolve_uplink(e, *u, facts);
    } else if (const auto* l = config.find_lan(e.owner)) {
        auto p = lan_prefix(*l, config, facts);
        if (!p) return std::nullopt;
        if (e.field == ValueExpr::Field::prefix)
            v = *p;
        else if (e.field == ValueExpr::Field::address && l->address_token)
            v = with_token(*p, *l->address_token);
    }
    if (!v) return std::nullopt;
    return apply_token(e, *v);
}

}  // namespace hookctl
