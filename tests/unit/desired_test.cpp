// desired() and its parts: what each expression field resolves to, rules (from × to,
// unknown facts, `while` per family, unknown tables), routes, sysctls while up,
// files and DNS records held while a fact is unknown, radvd's deprecated prefixes
// and the renumbering bookkeeping of retire_prefixes().
#include "desired.hpp"

#include "radvd.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

using namespace hookctl;

namespace {

const char* config_text = R"(
[uplink.tkom]
interface = "ppp0"
token = "::dead:b0a1"
sysctl.ipv4 = { rp_filter = 0 }
sysctl.ipv6 = { accept_ra = 2 }

[uplink.isp]
interface = "wan0"
pd-iaid = 2

[uplink.any]
interface = "wan1"

[lan.int]
interface = "int0"
prefix = { from = "isp", subnet = 1, length = 64 }
address-token = "::321"
sysctl.ipv6 = { forwarding = 1 }

[[rule]]
from = ["198.51.100.10/32", "198.51.100.11/32"]
to = ["203.0.113.0/25", "203.0.113.128/25"]
table = "kd"

[[rule]]
from = ["tkom.ipv4", "198.51.100.20/32"]
table = 199
priority = 900

[[rule]]
to = "192.0.2.1/32"
table = 199
while = "tkom"

[[rule]]
to = "2001:db8:ffff::/48"
table = 199
while = "tkom"

[[rule]]
from = "int.prefix"
table = "nosuch"

[[route]]
to = "default"
via = "tkom.ipv4-peer"
table = "kd"
while = "tkom"

[[route]]
to = "int.prefix"
dev = "int0"
table = 199

[radvd]
file = "/tmp/hookctl-desired-test/radvd.conf"
reload = "radvd.service"
interface.int = { deprecate-old = "1h" }

[[file]]
path = "/tmp/hookctl-desired-test/env"
content = "A={isp.delegated} B={tkom.ipv4}\n"

[[dns]]
server = "2001:db8:53::1"
zone = "dyn.example.org"
records = [ { name = "@", aaaa = "int.address" }, { name = "router", a = "tkom.ipv4" } ]
)";

const Timestamp now = 1'000'000;

const Config& config() {
    static const Config c = parse_config(config_text, "t.toml");
    return c;
}

const TableNames tables = {{"kd", 199}};

IpAddress addr(const char* s) {
    return parse_address(s, "test");
}
IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}

void ppp4_up(Facts& f) {
    f.interfaces[ifn("ppp0")].ppp4 = Ppp4Facts{addr("198.51.100.7"), addr("203.0.113.1"), {}, ""};
}
void ppp6_up(Facts& f) {
    f.interfaces[ifn("ppp0")].ppp6 = Ppp6Facts{addr("fe80::1"), addr("fe80::2"), ""};
}

RaRouter router(const char* prefix, bool autonomous = true) {
    RaRouter r;
    r.from = addr("fe80::9");
    r.prefixes.push_back(RaPrefix{pfx(prefix), true, autonomous, {1800}, {3600}});
    return r;
}

void wan0_delegated(Facts& f, const char* iaid2_prefix) {
    Dhcp6Facts d;
    d.prefixes.push_back(
        PrefixLease{pfx("2001:db8:aa00::/56"), 1, {3600}, {7200}});  // not ours: pd-iaid 2
    d.prefixes.push_back(PrefixLease{pfx(iaid2_prefix), 2, {3600}, {7200}});
    d.addresses.push_back(AddressLease{addr("2001:db8:0:1::1000"), {3600}, {7200}});
    f.interfaces[ifn("wan0")].dhcp6 = d;
}

// Everything up: ppp0 (IPCP, IPV6CP, an RA), wan0 (IA_NA + two IA_PDs), wan1 (DHCPv4, SLAAC, an IA_PD).
Facts full_facts() {
    Facts f;
    ppp4_up(f);
    ppp6_up(f);
    f.interfaces[ifn("ppp0")].ra = RaFacts{{router("2001:db8:5:6::/64")}};
    wan0_delegated(f, "2001:db8:100::/56");
    InterfaceFacts& w1 = f.interfaces[ifn("wan1")];
    w1.dhcp4 =
        Dhcp4Facts{parse_interface_address("192.0.2.7/24", "t"), {addr("192.0.2.1")}, {}, {}, 3600};
    Dhcp6Facts d;
    d.prefixes.push_back(PrefixLease{pfx("2001:db8:bb00::/56"), 7, {3600}, {7200}});
    w1.dhcp6 = d;
    RaRouter slaac = router("2001:db8:77::/64");
    slaac.addresses.push_back(parse_interface_address("2001:db8:77::5/64", "t"));
    w1.ra = RaFacts{{slaac}};
    return f;
}

std::string resolved(const char* text, const Facts& facts) {
    auto v = resolve(parse_value_expr(text, SourceLocation{"t.toml", 1, 1}), config(), facts);
    return v ? to_string(*v) : "(unknown)";
}

std::vector<std::string> of_kind(const DesiredState& d, const std::string& kind) {
    std::vector<std::string> out;
    for (const auto& o : d.objects)
        if (kind_of(o.object) == kind) out.push_back(describe(o.object));
    std::sort(out.begin(), out.end());
    return out;
}

const FileObject* file_at(const DesiredState& d, const std::string& path) {
    for (const auto& o : d.objects)
        if (const auto* f = std::get_if<FileObject>(&o.object); f && f->path == path) return f;
    return nullptr;
}

bool held(const DesiredState& d, const std::string& key) {
    return std::find(d.held_keys.begin(), d.held_keys.end(), key) != d.held_keys.end();
}

std::size_t count(const std::string& hay, const std::string& needle) {
    std::size_t n = 0;
    for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + 1)) ++n;
    return n;
}

}  // namespace

TEST_CASE("resolve: each field from its facts", "[desired][resolve]") {
    const Facts f = full_facts();
    struct Case {
        const char* expr;
        const char* expected;
    };
    const std::vector<Case> cases = {
        {"tkom.ipv4", "198.51.100.7"},  // pppd IPCP
        {"any.ipv4", "192.0.2.7"},      // DHCPv4 lease
        {"tkom.ipv4-peer", "203.0.113.1"},
        {"tkom.ipv6", "2001:db8:5:6::dead:b0a1"},  // no IA_NA: RA prefix + token
        {"isp.ipv6", "2001:db8:0:1::1000"},        // IA_NA
        {"any.ipv6", "2001:db8:77::5"},            // no IA_NA, no token: SLAAC
        {"tkom.prefix", "2001:db8:5:6::/64"},      // from the RA
        {"isp.prefix", "2001:db8:0:1::/64"},       // no RA: the IA_NA address's /64
        {"isp.delegated", "2001:db8:100::/56"},    // pd-iaid 2, though IAID 1 comes first
        {"any.delegated", "2001:db8:bb00::/56"},   // no pd-iaid: any
        {"tkom.link-local", "fe80::1"},
        {"int.prefix", "2001:db8:100:1::/64"},  // subnet 1 of the /56
        {"int.address", "2001:db8:100:1::321"},
        {"int.prefix + ::c0a0:808", "2001:db8:100:1::c0a0:808"},
        {"isp.delegated + ::1", "2001:db8:100::1"},
        {"tkom.prefix+::8", "2001:db8:5:6::8"},
        {"2001:db8::/32", "2001:db8::/32"},
        {"192.0.2.1", "192.0.2.1"},
    };
    for (const auto& c : cases) {
        INFO(c.expr);
        CHECK(resolved(c.expr, f) == c.expected);
    }
}

TEST_CASE("resolve: unknown facts give nothing", "[desired][resolve]") {
    for (const char* e :
         {"tkom.ipv4", "tkom.ipv4-peer", "tkom.ipv6", "tkom.prefix", "tkom.link-local",
          "isp.delegated", "int.prefix", "int.address", "int.prefix + ::8"}) {
        INFO(e);
        CHECK(resolved(e, Facts{}) == "(unknown)");
    }
    // A delegation with only the other IAID is no delegation for pd-iaid = 2.
    Facts f;
    Dhcp6Facts d;
    d.prefixes.push_back(PrefixLease{pfx("2001:db8:aa00::/56"), 1, {3600}, {7200}});
    f.interfaces[ifn("wan0")].dhcp6 = d;
    CHECK(resolved("isp.delegated", f) == "(unknown)");
    CHECK(resolved("int.prefix", f) == "(unknown)");
    // A non-autonomous RA prefix is not the uplink's prefix.
    Facts g;
    g.interfaces[ifn("ppp0")].ra = RaFacts{{router("2001:db8:5:6::/64", false)}};
    CHECK(resolved("tkom.prefix", g) == "(unknown)");
}

TEST_CASE("resolve: a token that does not fit the prefix is an error at the expression",
          "[desired][resolve]") {
    const Facts f = full_facts();
    try {
        resolve(parse_value_expr("isp.delegated + 1::1", SourceLocation{"t.toml", 7, 3}), config(),
                f);
        FAIL("no error");
    } catch (const Error& e) {
        CHECK_THAT(e.what(), Catch::StartsWith("t.toml:7:3: "));
    }
}

TEST_CASE("rules: from × to, unknown facts, priorities", "[desired][rules]") {
    Facts f;
    auto d = desired(config(), f, tables, now);
    CHECK(of_kind(d, "rule") ==
          std::vector<std::string>{
              "rule ipv4 10000: from 198.51.100.10/32 to 203.0.113.0/25 lookup 199",
              "rule ipv4 10000: from 198.51.100.10/32 to 203.0.113.128/25 lookup 199",
              "rule ipv4 10000: from 198.51.100.11/32 to 203.0.113.0/25 lookup 199",
              "rule ipv4 10000: from 198.51.100.11/32 to 203.0.113.128/25 lookup 199",
              // tkom.ipv4 is unknown: only the literal half of that rule
              "rule ipv4 900: from 198.51.100.20/32 lookup 199",
          });
    ppp4_up(f);
    d = desired(config(), f, tables, now);
    auto rules = of_kind(d, "rule");
    CHECK(std::count(rules.begin(), rules.end(),
                     "rule ipv4 900: from 198.51.100.7/32 lookup 199") == 1);
}

TEST_CASE("rules: `while` follows the uplink's family", "[desired][rules]") {
    const std::string v4 = "rule ipv4 10000: from all to 192.0.2.1/32 lookup 199";
    const std::string v6 = "rule ipv6 10000: from all to 2001:db8:ffff::/48 lookup 199";
    auto has = [](const DesiredState& d, const std::string& r) {
        auto rules = of_kind(d, "rule");
        return std::find(rules.begin(), rules.end(), r) != rules.end();
    };
    Facts f;
    CHECK_FALSE(has(desired(config(), f, tables, now), v4));
    CHECK_FALSE(has(desired(config(), f, tables, now), v6));
    ppp4_up(f);
    ppp6_up(f);
    CHECK(has(desired(config(), f, tables, now), v4));
    CHECK(has(desired(config(), f, tables, now), v6));
    // ip-down: IPCP gone, IPV6CP still up.
    f.interfaces[ifn("ppp0")].ppp4.reset();
    CHECK_FALSE(has(desired(config(), f, tables, now), v4));
    CHECK(has(desired(config(), f, tables, now), v6));
}

TEST_CASE("rules and routes with an unknown table are skipped with a warning", "[desired][rules]") {
    const Facts f = full_facts();
    auto d = desired(config(), f, tables, now);
    // The int.prefix rule names table 'nosuch'.
    for (const auto& r : of_kind(d, "rule"))
        CHECK(r.find("2001:db8:100:1::/64") == std::string::npos);
    REQUIRE(d.warnings.size() == 1);
    CHECK_THAT(d.warnings[0],
               Catch::StartsWith("t.toml:") &&
                   Catch::EndsWith(": table 'nosuch' is not in rt_tables; rule skipped"));
    // Without 'kd' in the names: the first rule and the default route go too.
    auto none = desired(config(), f, TableNames{}, now);
    CHECK(none.warnings.size() == 3);
    CHECK(of_kind(none, "route") ==
          std::vector<std::string>{"route 2001:db8:100:1::/64 dev int0 table 199"});
}

TEST_CASE("routes follow their facts and `while`", "[desired][routes]") {
    Facts f;
    CHECK(of_kind(desired(config(), f, tables, now), "route").empty());
    ppp4_up(f);
    wan0_delegated(f, "2001:db8:100::/56");
    CHECK(of_kind(desired(config(), f, tables, now), "route") ==
          std::vector<std::string>{"route 2001:db8:100:1::/64 dev int0 table 199",
                                   "route default (ipv4) via 203.0.113.1 table 199"});
}

TEST_CASE("sysctls: an uplink's only while that family is up, a lan's always",
          "[desired][sysctl]") {
    Facts f;
    CHECK(of_kind(desired(config(), f, tables, now), "sysctl") ==
          std::vector<std::string>{"sysctl net.ipv6.conf.int0.forwarding = 1"});
    ppp4_up(f);
    CHECK(of_kind(desired(config(), f, tables, now), "sysctl") ==
          std::vector<std::string>{"sysctl net.ipv4.conf.ppp0.rp_filter = 0",
                                   "sysctl net.ipv6.conf.int0.forwarding = 1"});
    ppp6_up(f);
    CHECK(of_kind(desired(config(), f, tables, now), "sysctl") ==
          std::vector<std::string>{"sysctl net.ipv4.conf.ppp0.rp_filter = 0",
                                   "sysctl net.ipv6.conf.int0.forwarding = 1",
                                   "sysctl net.ipv6.conf.ppp0.accept_ra = 2"});
}

TEST_CASE("files: held while a fact is unknown, rendered from literal and expression parts",
          "[desired][files]") {
    const std::string path = "/tmp/hookctl-desired-test/env";
    Facts f;
    wan0_delegated(f, "2001:db8:100::/56");  // isp.delegated known, tkom.ipv4 not
    auto d = desired(config(), f, tables, now);
    CHECK(file_at(d, path) == nullptr);
    CHECK(held(d, "file " + path));

    ppp4_up(f);
    d = desired(config(), f, tables, now);
    CHECK_FALSE(held(d, "file " + path));
    const FileObject* file = file_at(d, path);
    REQUIRE(file);
    CHECK(file->content == owned_marker("#") + "\nA=2001:db8:100::/56 B=198.51.100.7\n");
    CHECK(file->mode == 0644);
}

TEST_CASE("DNS records: names under the zone, '@' is the apex, held while unknown",
          "[desired][dns]") {
    Facts f;
    wan0_delegated(f, "2001:db8:100::/56");
    auto d = desired(config(), f, tables, now);
    CHECK(
        of_kind(d, "dns") ==
        std::vector<std::string>{
            "dns dyn.example.org AAAA 2001:db8:100:1::321 ttl 300 (zone dyn.example.org @2001:db8:53::1)"});
    CHECK(held(d, "dns router.dyn.example.org A @2001:db8:53::1"));
    ppp4_up(f);
    d = desired(config(), f, tables, now);
    CHECK(of_kind(d, "dns").size() == 2);
    CHECK(d.held_keys.empty());
}

TEST_CASE("radvd announces retired prefixes as deprecated within their window only",
          "[desired][radvd]") {
    const std::string path = "/tmp/hookctl-desired-test/radvd.conf";
    Facts f;
    wan0_delegated(f, "2001:db8:100::/56");
    auto content = [&](Timestamp since) {
        Facts g = f;
        g.retired["int"] = {RetiredPrefix{pfx("2001:db8:99:1::/64"), since},
                            RetiredPrefix{pfx("2001:db8:100:1::/64"), now - 10}};  // current again
        const DesiredState d = desired(config(), g, tables, now);  // named: file points into it
        const FileObject* file = file_at(d, path);
        REQUIRE(file);
        return file->content;
    };
    const std::string inside = content(now - 3599);  // window 1h
    CHECK(count(inside, "prefix 2001:db8:99:1::/64") == 1);
    CHECK(count(inside, "prefix 2001:db8:100:1::/64") == 1);  // current, announced once
    CHECK(count(inside, "AdvPreferredLifetime 0;") == 1);
    const std::string outside = content(now - 3600);
    CHECK(count(outside, "prefix 2001:db8:99:1::/64") == 0);
    CHECK(count(outside, "AdvPreferredLifetime 0;") == 0);
    CHECK(count(outside, "prefix 2001:db8:100:1::/64") == 1);
}

TEST_CASE("retire_prefixes: renumbering bookkeeping", "[desired][retire]") {
    const IpPrefix lan100 = pfx("2001:db8:100:1::/64");
    const IpPrefix lan200 = pfx("2001:db8:200:1::/64");
    Facts a, b;
    wan0_delegated(a, "2001:db8:100::/56");
    wan0_delegated(b, "2001:db8:200::/56");

    SECTION("a change retires the old lan prefix now") {
        Facts out = retire_prefixes(config(), a, b, now);
        CHECK(out.retired ==
              std::map<std::string, std::vector<RetiredPrefix>>{{"int", {{lan100, now}}}});
    }
    SECTION("no change retires nothing") {
        CHECK(retire_prefixes(config(), a, a, now).retired.empty());
    }
    SECTION("loss of the delegation retires the prefix too") {
        CHECK(retire_prefixes(config(), a, Facts{}, now).retired.at("int") ==
              std::vector<RetiredPrefix>{{lan100, now}});
    }
    SECTION("the same prefix coming back is forgotten, the one it replaces retired") {
        Facts back = a;
        b.retired["int"] = {{lan100, now - 100}};
        Facts out = retire_prefixes(config(), b, back, now);
        CHECK(out.retired.at("int") == std::vector<RetiredPrefix>{{lan200, now}});
    }
    SECTION("retiring a prefix twice keeps one entry with the new time") {
        a.retired["int"] = {{lan100, now - 100}};
        b.retired = a.retired;
        Facts out = retire_prefixes(config(), a, b, now);
        CHECK(out.retired.at("int") == std::vector<RetiredPrefix>{{lan100, now}});
    }
    SECTION("entries expire after the lan's deprecate-old window") {
        const IpPrefix old = pfx("2001:db8:99:1::/64");
        a.retired["int"] = {{old, now - 3600}};
        CHECK(retire_prefixes(config(), a, a, now).retired.empty());  // map entry gone too
        a.retired["int"] = {{old, now - 3599}};
        CHECK(retire_prefixes(config(), a, a, now).retired.at("int") ==
              std::vector<RetiredPrefix>{{old, now - 3599}});
    }
    SECTION("a lan removed from the config leaves nothing behind") {
        a.retired["gone"] = {{pfx("2001:db8:98:1::/64"), now - 1}};
        CHECK(retire_prefixes(config(), a, a, now).retired.empty());
    }
}
