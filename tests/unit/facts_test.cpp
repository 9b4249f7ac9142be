// merge() and diff(): sections are replaced whole, dhcpcd's STOPPED forgets only
// dhcpcd's sections, empty interfaces disappear, `updated` moves only on a change;
// diff() reports addresses and prefixes, never lifetimes.
#include "facts.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace hookctl;

namespace {

IpAddress addr(const char* s) {
    return parse_address(s, "test");
}
IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}

Lifetime secs(std::uint32_t s) {
    return Lifetime{s};
}

PrefixLease pd(const char* prefix, std::uint32_t iaid, std::uint32_t pl = 3600,
               std::uint32_t vl = 7200) {
    return PrefixLease{pfx(prefix), iaid, secs(pl), secs(vl)};
}

Dhcp6Facts dhcp6_with(std::vector<PrefixLease> prefixes) {
    Dhcp6Facts d;
    d.prefixes = std::move(prefixes);
    return d;
}

Ppp4Facts ppp4(const char* local, const char* remote) {
    Ppp4Facts p;
    p.local = addr(local);
    p.remote = addr(remote);
    return p;
}

Dhcp4Facts dhcp4(const char* address) {
    Dhcp4Facts d;
    d.address = parse_interface_address(address, "test");
    d.lease_seconds = 3600;
    return d;
}

RaRouter router(const char* from, std::vector<const char*> prefixes,
                std::uint32_t lifetime = 1800) {
    RaRouter r;
    r.from = addr(from);
    r.router_lifetime = lifetime;
    for (const char* p : prefixes)
        r.prefixes.push_back(RaPrefix{pfx(p), true, true, secs(1800), secs(3600)});
    return r;
}

Facts with(const char* ifname, InterfaceFacts f) {
    Facts facts;
    facts.interfaces[ifn(ifname)] = std::move(f);
    return facts;
}

std::vector<std::string> texts(const std::vector<Transition>& ts) {
    std::vector<std::string> out;
    for (const auto& t : ts) out.push_back(t.to_string());
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace

TEST_CASE("merge replaces a section wholesale", "[facts][merge]") {
    Facts f;
    FactsUpdate u;
    u.interface = ifn("wan0");
    u.dhcp6 =
        std::optional<Dhcp6Facts>(dhcp6_with({pd("2001:db8:1::/56", 1), pd("2001:db8:2::/56", 2)}));
    f = merge(f, u, 100);
    REQUIRE(f.interfaces.at(ifn("wan0")).dhcp6->prefixes.size() == 2);

    // The next report names one prefix: the other is gone, not kept from before.
    u.dhcp6 = std::optional<Dhcp6Facts>(dhcp6_with({pd("2001:db8:3::/56", 2)}));
    f = merge(f, u, 200);
    const auto& prefixes = f.interfaces.at(ifn("wan0")).dhcp6->prefixes;
    REQUIRE(prefixes.size() == 1);
    CHECK(prefixes[0].prefix == pfx("2001:db8:3::/56"));

    // A section the update does not mention is left alone.
    FactsUpdate carrier;
    carrier.interface = ifn("wan0");
    carrier.carrier = std::optional<bool>(true);
    f = merge(f, carrier, 300);
    CHECK(f.interfaces.at(ifn("wan0")).dhcp6->prefixes.size() == 1);
    CHECK(f.interfaces.at(ifn("wan0")).carrier == true);

    // An explicit "gone" clears only that section.
    FactsUpdate gone;
    gone.interface = ifn("wan0");
    gone.dhcp6 = std::optional<Dhcp6Facts>();
    f = merge(f, gone, 400);
    CHECK_FALSE(f.interfaces.at(ifn("wan0")).dhcp6);
    CHECK(f.interfaces.at(ifn("wan0")).carrier == true);
}

TEST_CASE("forget_interface drops dhcpcd's sections and keeps pppd's", "[facts][merge]") {
    InterfaceFacts all;
    all.carrier = true;
    all.ppp4 = ppp4("198.51.100.7", "203.0.113.1");
    all.ppp6 = Ppp6Facts{addr("fe80::1"), addr("fe80::2"), ""};
    all.dhcp4 = dhcp4("192.0.2.7/24");
    all.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 1)});
    all.ra = RaFacts{{router("fe80::9", {"2001:db8:0:1::/64"})}};
    all.delegated = DelegatedFacts{{parse_interface_address("2001:db8:1::321/64", "test")}};
    Facts f = with("ppp0", all);

    FactsUpdate stop;
    stop.interface = ifn("ppp0");
    stop.forget_interface = true;
    f = merge(f, stop, 500);
    const InterfaceFacts& left = f.interfaces.at(ifn("ppp0"));
    CHECK_FALSE(left.carrier);
    CHECK_FALSE(left.dhcp4);
    CHECK_FALSE(left.dhcp6);
    CHECK_FALSE(left.ra);
    CHECK_FALSE(left.delegated);
    CHECK(left.ppp4 == all.ppp4);
    CHECK(left.ppp6 == all.ppp6);
}

TEST_CASE("an interface with nothing left is erased", "[facts][merge]") {
    SECTION("pppd ip-down of the last section") {
        InterfaceFacts only;
        only.ppp4 = ppp4("198.51.100.7", "203.0.113.1");
        Facts f = with("ppp0", only);
        FactsUpdate down;
        down.interface = ifn("ppp0");
        down.ppp4 = std::optional<Ppp4Facts>();
        f = merge(f, down, 10);
        CHECK(f.interfaces.empty());
    }
    SECTION("dhcpcd STOPPED of an interface with only dhcpcd sections") {
        InterfaceFacts only;
        only.carrier = true;
        only.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 1)});
        Facts f = with("wan0", only);
        f.interfaces[ifn("int0")].carrier = true;  // another interface is not touched
        FactsUpdate stop;
        stop.interface = ifn("wan0");
        stop.forget_interface = true;
        f = merge(f, stop, 10);
        CHECK(f.interfaces.count(ifn("wan0")) == 0);
        CHECK(f.interfaces.count(ifn("int0")) == 1);
    }
    SECTION("a removal for an unknown interface does not create it") {
        FactsUpdate down;
        down.interface = ifn("ppp9");
        down.ppp4 = std::optional<Ppp4Facts>();
        CHECK(merge(Facts{}, down, 10).interfaces.empty());
    }
}

TEST_CASE("updated moves only when the interface's facts change", "[facts][merge]") {
    FactsUpdate up;
    up.interface = ifn("ppp0");
    up.ppp4 = std::optional<Ppp4Facts>(ppp4("198.51.100.7", "203.0.113.1"));
    Facts f = merge(Facts{}, up, 100);
    CHECK(f.interfaces.at(ifn("ppp0")).updated == 100);

    f = merge(f, up, 200);  // the same report again
    CHECK(f.interfaces.at(ifn("ppp0")).updated == 100);

    up.ppp4 = std::optional<Ppp4Facts>(ppp4("198.51.100.8", "203.0.113.1"));
    f = merge(f, up, 300);
    CHECK(f.interfaces.at(ifn("ppp0")).updated == 300);

    // Another interface's event leaves this one's time alone.
    FactsUpdate other;
    other.interface = ifn("wan0");
    other.carrier = std::optional<bool>(true);
    f = merge(f, other, 400);
    CHECK(f.interfaces.at(ifn("ppp0")).updated == 300);
    CHECK(f.interfaces.at(ifn("wan0")).updated == 400);
}

TEST_CASE("diff reports added, removed and changed facts", "[facts][diff]") {
    InterfaceFacts v4a, v4b;
    v4a.dhcp4 = dhcp4("192.0.2.7/24");
    v4b.dhcp4 = dhcp4("192.0.2.8/24");

    InterfaceFacts pd12, pd12b;
    pd12.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 1), pd("2001:db8:2::/56", 2)});
    pd12b.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 1), pd("2001:db8:9::/56", 2)});
    InterfaceFacts pd1;
    pd1.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 1)});

    InterfaceFacts link4;
    link4.ppp4 = ppp4("198.51.100.7", "203.0.113.1");
    InterfaceFacts link46 = link4;
    link46.ppp6 = Ppp6Facts{addr("fe80::1"), addr("fe80::2"), ""};

    InterfaceFacts ra1, ra2, ra2b;
    ra1.ra = RaFacts{{router("fe80::9", {"2001:db8:0:1::/64"})}};
    ra2.ra = RaFacts{{router("fe80::9", {"2001:db8:0:1::/64"}), router("fe80::a", {})}};
    ra2b.ra = RaFacts{{router("fe80::9", {"2001:db8:0:2::/64"}), router("fe80::a", {})}};

    struct Case {
        const char* name;
        InterfaceFacts before;
        InterfaceFacts after;
        std::vector<std::string> expected;  // sorted
    };
    const std::vector<Case> cases = {
        {"ipv4 address added", {}, v4a, {"wan0: ipv4 address (dhcp) added 192.0.2.7/24"}},
        {"ipv4 address removed", v4a, {}, {"wan0: ipv4 address (dhcp) removed 192.0.2.7/24"}},
        {"ipv4 address changed",
         v4a,
         v4b,
         {"wan0: ipv4 address (dhcp) changed 192.0.2.7/24 -> 192.0.2.8/24"}},
        {"one of two IAIDs changes",
         pd12,
         pd12b,
         {"wan0: delegated prefix iaid 2 changed 2001:db8:2::/56 -> 2001:db8:9::/56"}},
        {"an IAID goes", pd12, pd1, {"wan0: delegated prefix iaid 2 removed 2001:db8:2::/56"}},
        {"an IAID comes", pd1, pd12, {"wan0: delegated prefix iaid 2 added 2001:db8:2::/56"}},
        {"two IAIDs at once",
         {},
         pd12,
         {"wan0: delegated prefix iaid 1 added 2001:db8:1::/56",
          "wan0: delegated prefix iaid 2 added 2001:db8:2::/56"}},
        {"ppp ipv4 link up",
         {},
         link4,
         {"wan0: ipv4 address (ppp) added 198.51.100.7", "wan0: ipv4 peer (ppp) added 203.0.113.1",
          "wan0: ppp ipv4 link added up"}},
        {"ppp ipv6 link up while ipv4 stays",
         link4,
         link46,
         {"wan0: ipv6 link-local (ppp) added fe80::1", "wan0: ppp ipv6 link added up"}},
        {"ppp ipv6 link down",
         link46,
         link4,
         {"wan0: ipv6 link-local (ppp) removed fe80::1", "wan0: ppp ipv6 link removed up"}},
        {"an RA router appears", ra1, ra2, {"wan0: router fe80::a added present"}},
        {"an RA router goes", ra2, ra1, {"wan0: router fe80::a removed present"}},
        {"an RA router's prefix changes",
         ra2,
         ra2b,
         {"wan0: router fe80::9 prefixes changed 2001:db8:0:1::/64 -> 2001:db8:0:2::/64"}},
        {"nothing changes", pd12, pd12, {}},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        const Facts before = c.before == InterfaceFacts{} ? Facts{} : with("wan0", c.before);
        const Facts after = c.after == InterfaceFacts{} ? Facts{} : with("wan0", c.after);
        CHECK(texts(diff(before, after)) == c.expected);
    }
}

TEST_CASE("lifetimes alone changing is not a transition", "[facts][diff]") {
    InterfaceFacts a, b;
    a.dhcp6 = dhcp6_with({pd("2001:db8:1::/56", 2, 3600, 7200)});
    a.dhcp6->addresses.push_back(AddressLease{addr("2001:db8:0:1::1000"), secs(3600), secs(7200)});
    a.ra = RaFacts{{router("fe80::9", {"2001:db8:0:1::/64"}, 1800)}};
    a.dhcp4 = dhcp4("192.0.2.7/24");
    b = a;
    b.dhcp6->prefixes[0].preferred = secs(1200);
    b.dhcp6->prefixes[0].valid = secs(Lifetime::infinite);
    b.dhcp6->addresses[0].valid = secs(100);
    b.ra->routers[0].router_lifetime = 600;
    b.ra->routers[0].prefixes[0].valid = secs(1);
    b.dhcp4->lease_seconds = 60;
    b.updated = 999;
    REQUIRE_FALSE(a == b);                                  // the facts differ...
    CHECK(diff(with("wan0", a), with("wan0", b)).empty());  // ...but not in a way that matters
}

TEST_CASE("diff covers interfaces present on one side only", "[facts][diff]") {
    InterfaceFacts a;
    a.ppp4 = ppp4("198.51.100.7", "203.0.113.1");
    Facts before = with("ppp0", a);
    Facts after = with("ppp1", a);
    const auto t = texts(diff(before, after));
    REQUIRE(t.size() == 6);
    CHECK(t[0] == "ppp0: ipv4 address (ppp) removed 198.51.100.7");
    CHECK(t[3] == "ppp1: ipv4 address (ppp) added 198.51.100.7");
}

TEST_CASE("Transition::to_string", "[facts][diff]") {
    using K = Transition::Kind;
    CHECK(Transition{K::added, ifn("ppp0"), "ipv4 address", "", "198.51.100.7"}.to_string() ==
          "ppp0: ipv4 address added 198.51.100.7");
    CHECK(Transition{K::removed, ifn("ppp0"), "ipv4 address", "198.51.100.7", ""}.to_string() ==
          "ppp0: ipv4 address removed 198.51.100.7");
    CHECK(Transition{K::changed, ifn("ppp0"), "delegated prefix iaid 2", "2001:db8:1::/56",
                     "2001:db8:2::/56"}
              .to_string() ==
          "ppp0: delegated prefix iaid 2 changed 2001:db8:1::/56 -> 2001:db8:2::/56");
}
