// dhcpcd hook environments: every captured dhcpcd 9.4.1 environment parses, each
// reason touches the sections it owns, and hostile values fail naming the variable.
#include "env_file.hpp"
#include "event.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <string>
#include <vector>

using namespace hookctl;
using hookctl::test::data_path;
using hookctl::test::dhcpcd_raw_event;
using hookctl::test::read_env_file;

namespace {

const FactsUpdate& only_update(const Event& e) {
    REQUIRE(e.updates.size() == 1);
    return e.updates.front();
}

FactsUpdate fixture_update(const std::string& relative) {
    const Event e = parse_event(dhcpcd_raw_event(relative));
    return only_update(e);
}

RawEvent dhcpcd(Environment env) {
    RawEvent raw;
    raw.source = Source::dhcpcd;
    raw.env = std::move(env);
    return raw;
}

std::string failing_variable(const RawEvent& raw) {
    try {
        parse_event(raw);
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).rfind(e.variable() + ": ", 0) == 0);
        return e.variable();
    }
    return "";
}

const Environment bound6_env = [] {
    return read_env_file(data_path("dhcpcd/a-initial-start/08-BOUND6.env"));
}();

// Which sections an update sets, for the tables below: c carrier, i dhcp4, s dhcp6,
// r ra, d delegated, p ppp, f forget_interface; upper case = cleared (nullopt).
std::string sections(const FactsUpdate& u) {
    std::string s;
    auto mark = [&s](const auto& section, char c) {
        if (section) s += *section ? c : static_cast<char>(c - 'a' + 'A');
    };
    mark(u.carrier, 'c');
    mark(u.dhcp4, 'i');
    mark(u.dhcp6, 's');
    mark(u.ra, 'r');
    mark(u.delegated, 'd');
    if (u.ppp4 || u.ppp6) s += 'p';
    if (u.forget_interface) s += 'f';
    return s;
}

}  // namespace

TEST_CASE("every captured dhcpcd environment parses", "[dhcpcd][fixtures]") {
    namespace fs = std::filesystem;
    int files = 0;
    for (const auto& scenario : fs::directory_iterator(data_path("dhcpcd"))) {
        if (!scenario.is_directory()) continue;
        for (const auto& file : fs::directory_iterator(scenario.path())) {
            if (file.path().extension() != ".env") continue;
            const std::string relative = "dhcpcd/" + scenario.path().filename().string() + "/" +
                                         file.path().filename().string();
            INFO(relative);
            const Event e = parse_event(dhcpcd_raw_event(relative));
            // NN-REASON.env: the reason is in the file name.
            const std::string stem = file.path().stem().string();
            CHECK(e.name == stem.substr(stem.find('-') + 1));
            CHECK(e.source == Source::dhcpcd);
            CHECK((e.interface.str() == "wan0" || e.interface.str() == "int0"));
            ++files;
        }
    }
    CHECK(files == 52);  // the eight scenarios copied into tests/data/dhcpcd
}

TEST_CASE("each reason sets the sections it owns", "[dhcpcd][fixtures]") {
    struct Case {
        const char* file;
        const char* sections;
    };
    const std::vector<Case> cases = {
        {"a-initial-start/01-PREINIT.env", ""},
        {"a-initial-start/02-NOCARRIER.env", "c"},
        {"a-initial-start/04-CARRIER.env", "c"},
        {"a-initial-start/06-ROUTERADVERT.env", "r"},
        {"a-initial-start/07-DELEGATED6.env", "d"},
        {"a-initial-start/08-BOUND6.env", "s"},
        {"b3-renew-timer/02-RENEW6.env", "s"},
        {"c1-prefix-change-rebind/01-RECONFIGURE.env", ""},
        {"c1-prefix-change-rebind/04-REBIND6.env", "s"},
        {"d1-release/01-STOPPED.env", "Cf"},
        {"d1-release/02-RELEASE6.env", "S"},
        {"d1-release/03-ROUTERADVERT.env", "R"},
        {"d3-sigterm/02-STOP6.env", "S"},
        {"e1-carrier-loss-peer/02-EXPIRE6.env", "S"},
        {"e1-carrier-loss-peer/06-REBIND6.env", "s"},
        {"h-wan0-only-start-stop/09-STOP6.env", "S"},
        {"h-wan0-only-start-stop/11-STOPPED.env", "Cf"},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        CHECK(sections(fixture_update(std::string("dhcpcd/") + c.file)) == c.sections);
    }
}

TEST_CASE("carrier events", "[dhcpcd][fixtures]") {
    CHECK(*fixture_update("dhcpcd/a-initial-start/02-NOCARRIER.env").carrier ==
          std::optional<bool>(false));
    CHECK(*fixture_update("dhcpcd/a-initial-start/05-CARRIER.env").carrier ==
          std::optional<bool>(true));
    const FactsUpdate stopped = fixture_update("dhcpcd/d3-sigterm/04-STOPPED.env");
    CHECK(stopped.forget_interface);
    REQUIRE(stopped.carrier);
    CHECK_FALSE(*stopped.carrier);
}

TEST_CASE("BOUND6 gives the lease with the delegated /56 and its IAID", "[dhcpcd][fixtures]") {
    const FactsUpdate u = fixture_update("dhcpcd/a-initial-start/08-BOUND6.env");
    CHECK(u.interface.str() == "wan0");
    REQUIRE(u.dhcp6);
    REQUIRE(*u.dhcp6);
    const Dhcp6Facts& f = **u.dhcp6;
    REQUIRE(f.addresses.size() == 1);
    CHECK(f.addresses[0].address.to_string() == "2001:db8:0:1::1000");
    CHECK(f.addresses[0].preferred.seconds == 1800);
    CHECK(f.addresses[0].valid.seconds == 3600);
    REQUIRE(f.prefixes.size() == 1);
    CHECK(f.prefixes[0].prefix.to_string() == "2001:db8:100::/56");
    CHECK(f.prefixes[0].iaid == 2);
    CHECK(f.prefixes[0].preferred.seconds == 1800);
    CHECK(f.prefixes[0].valid.seconds == 3600);
    CHECK(f.dns.empty());
    CHECK(f.domain_search.empty());
}

TEST_CASE("a prefix change: the zero-lifetime old prefix is skipped", "[dhcpcd][fixtures]") {
    SECTION("c1 REBIND6") {
        const Dhcp6Facts f =
            **fixture_update("dhcpcd/c1-prefix-change-rebind/04-REBIND6.env").dhcp6;
        REQUIRE(f.prefixes.size() == 1);
        CHECK(f.prefixes[0].prefix.to_string() == "2001:db8:1cd::/56");
        CHECK(f.prefixes[0].iaid == 2);
    }
    SECTION("c2 REBIND6 after a restart") {
        const Dhcp6Facts f =
            **fixture_update("dhcpcd/c2-prefix-change-restart/07-REBIND6.env").dhcp6;
        REQUIRE(f.prefixes.size() == 1);
        CHECK(f.prefixes[0].prefix.to_string() == "2001:db8:1ef::/56");
    }
}

TEST_CASE("EXPIRE6, RELEASE6 and STOP6 clear dhcp6", "[dhcpcd][fixtures]") {
    for (const char* file :
         {"dhcpcd/e1-carrier-loss-peer/02-EXPIRE6.env", "dhcpcd/d1-release/02-RELEASE6.env",
          "dhcpcd/d3-sigterm/02-STOP6.env", "dhcpcd/h-wan0-only-start-stop/09-STOP6.env"}) {
        INFO(file);
        const FactsUpdate u = fixture_update(file);
        REQUIRE(u.dhcp6);
        CHECK_FALSE(*u.dhcp6);
        CHECK(sections(u) == "S");
    }
}

TEST_CASE("DELEGATED6 gives the int0 address", "[dhcpcd][fixtures]") {
    const FactsUpdate u = fixture_update("dhcpcd/a-initial-start/07-DELEGATED6.env");
    CHECK(u.interface.str() == "int0");
    REQUIRE(u.delegated);
    REQUIRE(*u.delegated);
    REQUIRE((*u.delegated)->addresses.size() == 1);
    CHECK((*u.delegated)->addresses[0].to_string() == "2001:db8:100::321/64");
    CHECK((*u.delegated)->addresses[0].subnet().to_string() == "2001:db8:100::/64");
    CHECK(sections(u) == "d");
}

TEST_CASE("ROUTERADVERT lists the routers; none at all clears ra", "[dhcpcd][fixtures]") {
    const FactsUpdate u = fixture_update("dhcpcd/a-initial-start/06-ROUTERADVERT.env");
    REQUIRE(u.ra);
    REQUIRE(*u.ra);
    REQUIRE((*u.ra)->routers.size() == 1);
    const RaRouter& r = (*u.ra)->routers[0];
    CHECK(r.from.to_string() == "fe80::ff:fe00:101");  // isp0, 02:00:00:00:01:01
    CHECK(r.router_lifetime == 300);
    CHECK(r.flags == "MO");
    REQUIRE(r.prefixes.size() == 1);
    CHECK(r.prefixes[0].prefix.to_string() == "2001:db8:0:1::/64");
    CHECK(r.prefixes[0].on_link);
    CHECK(r.prefixes[0].autonomous);
    CHECK(r.prefixes[0].preferred.seconds == 1800);
    CHECK(r.prefixes[0].valid.seconds == 3600);
    REQUIRE(r.rdnss.size() == 1);
    CHECK(r.rdnss[0].to_string() == "2001:db8:0:1::53");
    REQUIRE(r.dnssl.size() == 1);
    CHECK(r.dnssl[0].str() == "lab.example");
    REQUIRE(r.addresses.size() == 1);
    CHECK(r.addresses[0].to_string() == "2001:db8:0:1:0:ff:fe00:102/64");

    const FactsUpdate gone = fixture_update("dhcpcd/d3-sigterm/03-ROUTERADVERT.env");
    REQUIRE(gone.ra);
    CHECK_FALSE(*gone.ra);
}

TEST_CASE("DHCPv4 lease and loss", "[dhcpcd]") {
    Environment env = {{"reason", "BOUND"},
                       {"interface", "wan0"},
                       {"protocol", "dhcp"},
                       {"new_ip_address", "192.0.2.100"},
                       {"new_subnet_cidr", "24"},
                       {"new_subnet_mask", "255.255.255.0"},
                       {"new_routers", "192.0.2.1"},
                       {"new_domain_name_servers", "192.0.2.53 192.0.2.54"},
                       {"new_domain_search", "lab.example example.test"},
                       {"new_dhcp_lease_time", "600"}};
    const Event e = parse_event(dhcpcd(env));
    const Dhcp4Facts& f = **only_update(e).dhcp4;
    CHECK(f.address.to_string() == "192.0.2.100/24");
    REQUIRE(f.routers.size() == 1);
    CHECK(f.dns.size() == 2);
    CHECK(f.domain_search.size() == 2);
    CHECK(f.lease_seconds == 600);

    env.erase("new_subnet_cidr");
    env["new_subnet_mask"] = "255.255.254.0";
    CHECK((*only_update(parse_event(dhcpcd(env))).dhcp4)->address.length == 23);
    env["new_subnet_mask"] = "255.0.255.0";
    CHECK(failing_variable(dhcpcd(env)) == "new_subnet_mask");

    const Event stop = parse_event(
        dhcpcd({{"reason", "STOP"}, {"interface", "wan0"}, {"old_ip_address", "192.0.2.100"}}));
    REQUIRE(only_update(stop).dhcp4);
    CHECK_FALSE(*only_update(stop).dhcp4);
    CHECK(sections(only_update(
              parse_event(dhcpcd({{"reason", "IPV4LL"}, {"interface", "int0"}})))) == "");
}

TEST_CASE("DHCPv6 details: DNS, gaps, link-local zones", "[dhcpcd]") {
    Environment env = bound6_env;
    env["new_dhcp6_name_servers"] = "2001:db8:0:1::53 fe80::53%wan0";
    env["new_dhcp6_domain_search"] = "lab.example";
    // A second IA_PD at index 3 (gap at 2) with two prefixes, one past a gap too.
    env["new_dhcp6_ia_pd3_iaid"] = "0000000a";
    env["new_dhcp6_ia_pd3_prefix2"] = "2001:db8:200::";
    env["new_dhcp6_ia_pd3_prefix2_length"] = "48";
    env["new_dhcp6_ia_pd3_prefix2_pltime"] = "4294967295";
    env["new_dhcp6_ia_pd3_prefix2_vltime"] = "4294967295";
    env["new_dhcp6_ia_pd1_prefix1_pd_exclude"] = "ignored";
    const Dhcp6Facts f = **only_update(parse_event(dhcpcd(env))).dhcp6;
    REQUIRE(f.dns.size() == 2);
    CHECK(f.dns[1].to_string() == "fe80::53");
    REQUIRE(f.domain_search.size() == 1);
    REQUIRE(f.prefixes.size() == 2);
    CHECK(f.prefixes[1].prefix.to_string() == "2001:db8:200::/48");
    CHECK(f.prefixes[1].iaid == 10);
    CHECK(f.prefixes[1].valid.is_infinite());

    env["new_dhcp6_name_servers"] = "2001:db8::53%wan0";
    CHECK(failing_variable(dhcpcd(env)) == "new_dhcp6_name_servers");
    env["new_dhcp6_name_servers"] = "fe80::53%../x";
    CHECK(failing_variable(dhcpcd(env)) == "new_dhcp6_name_servers");
}

TEST_CASE("hostile dhcpcd input is rejected naming the variable", "[dhcpcd][hostile]") {
    struct Case {
        const char* variable;
        std::string value;
    };
    const std::vector<Case> cases = {
        {"interface", "../x"},
        {"interface", "$(reboot)"},
        {"interface", "wan0\nlan0"},
        {"reason", "REBOOT6; reboot"},
        {"reason", "bound6"},
        {"new_dhcp6_ia_pd1_prefix1", "$(reboot)"},
        {"new_dhcp6_ia_pd1_prefix1", "2001:db8:100::\n"},
        {"new_dhcp6_ia_pd1_prefix1", "gateway"},
        {"new_dhcp6_ia_pd1_prefix1", std::string(10240, 'a')},
        {"new_dhcp6_ia_pd1_prefix1", "192.0.2.0"},
        {"new_dhcp6_ia_pd1_prefix1_length", "129"},
        {"new_dhcp6_ia_pd1_prefix1_vltime", "-1"},
        {"new_dhcp6_ia_pd1_prefix1_pltime", "4294967296"},
        {"new_dhcp6_ia_pd1_iaid", "2"},
        {"new_dhcp6_ia_pd1_iaid", "0000000g"},
        {"new_dhcp6_ia_na1_ia_addr1", "2001:db8::zz"},
        {"new_dhcp6_ia_na1_ia_addr1", "fe80::1%wan0 2001:db8::1"},
        {"new_dhcp6_domain_search", "lab.example $(reboot)"},
        {"new_dhcp6_domain_search", std::string(10240, 'a')},
        {"new_dhcp6_name_servers", "2001:db8::53\n2001:db8::54"},
    };
    for (const auto& c : cases) {
        INFO(c.variable << " = " << escape_for_display(c.value));
        Environment env = bound6_env;
        env[c.variable] = c.value;
        CHECK(failing_variable(dhcpcd(env)) == c.variable);
    }
    SECTION("a missing companion variable is named") {
        Environment env = bound6_env;
        env.erase("new_dhcp6_ia_pd1_prefix1_length");
        CHECK(failing_variable(dhcpcd(env)) == "new_dhcp6_ia_pd1_prefix1_length");
        env = bound6_env;
        env.erase("new_dhcp6_ia_pd1_iaid");
        CHECK(failing_variable(dhcpcd(env)) == "new_dhcp6_ia_pd1_iaid");
    }
    SECTION("missing reason or interface") {
        CHECK(failing_variable(dhcpcd({{"interface", "wan0"}})) == "reason");
        CHECK(failing_variable(dhcpcd({{"reason", "CARRIER"}})) == "interface");
    }
    SECTION("RA and delegation values") {
        Environment ra = read_env_file(data_path("dhcpcd/a-initial-start/06-ROUTERADVERT.env"));
        ra["nd1_from"] = "2001:db8::1";
        CHECK(failing_variable(dhcpcd(ra)) == "nd1_from");
        ra = read_env_file(data_path("dhcpcd/a-initial-start/06-ROUTERADVERT.env"));
        ra["nd1_flags"] = "M O";
        CHECK(failing_variable(dhcpcd(ra)) == "nd1_flags");
        ra = read_env_file(data_path("dhcpcd/a-initial-start/06-ROUTERADVERT.env"));
        ra["nd2_lifetime"] = "300";  // a router without nd2_from
        CHECK(failing_variable(dhcpcd(ra)) == "nd2_from");
        Environment del = read_env_file(data_path("dhcpcd/a-initial-start/07-DELEGATED6.env"));
        del["new_delegated_dhcp6_prefix"] = "2001:db8:100::321";
        CHECK(failing_variable(dhcpcd(del)) == "new_delegated_dhcp6_prefix");
    }
    SECTION("list bounds") {
        Environment env = bound6_env;
        std::string many;
        for (int i = 0; i < 65; ++i) many += "2001:db8::53 ";
        env["new_dhcp6_name_servers"] = many;
        CHECK(failing_variable(dhcpcd(env)) == "new_dhcp6_name_servers");
    }
}

TEST_CASE("relevant_environment keeps what the dhcpcd parser reads", "[dhcpcd]") {
    const Environment full = read_env_file(data_path("dhcpcd/a-initial-start/06-ROUTERADVERT.env"));
    const Environment kept = relevant_environment(Source::dhcpcd, full);
    CHECK_FALSE(kept.count("PATH"));
    CHECK_FALSE(kept.count("ifmetric"));
    CHECK(kept.count("reason"));
    CHECK(kept.count("nd1_from"));
    CHECK(kept.count("if_up"));
    CHECK(parse_event(dhcpcd(kept)).updates.front().ra ==
          parse_event(dhcpcd(full)).updates.front().ra);

    Environment huge = full;
    huge["new_x"] = std::string(100 * 1024, 'x');
    CHECK_THROWS_AS(relevant_environment(Source::dhcpcd, huge), InputError);
}

TEST_CASE("parse_env_file", "[event]") {
    const Environment env = parse_env_file("# comment\nA=1\n\nB=x\\ny\\\\z\nC=\nD=a=b", "t.env");
    CHECK(env.at("A") == "1");
    CHECK(env.at("B") == "x\ny\\z");
    CHECK(env.at("C").empty());
    CHECK(env.at("D") == "a=b");
    auto error_of = [](const std::string& text) {
        try {
            parse_env_file(text, "t.env");
        } catch (const InputError& e) {
            return std::string(e.what());
        }
        return std::string();
    };
    CHECK(error_of("A=1\nnonsense\n").rfind("t.env:2: ", 0) == 0);
    CHECK(error_of("A=1\n1A=2\n").rfind("t.env:2: ", 0) == 0);
    CHECK(error_of("A=\\t\n").rfind("t.env:1: ", 0) == 0);
    CHECK(error_of("A=1\nA=2\n").rfind("t.env:2: ", 0) == 0);
    CHECK(error_of("A=ok\\").rfind("t.env:1: ", 0) == 0);
}

TEST_CASE("special prefixes and addresses from a server or a router are left out, with a warning",
          "[dhcpcd][hostile]") {
    struct Case {
        const char* prefix;
        const char* length;
        const char* why;
    };
    // A delegated prefix must be global unicast or ULA, /16 to /64.
    const Case delegated[] = {
        {"::", "0", "::/0 is unspecified"},
        {"fe80::", "64", "fe80::/64 is link-local"},
        {"ff02::", "16", "ff02::/16 is multicast"},
        {"::ffff:192.0.2.0", "120", "::ffff:192.0.2.0/120 is IPv4-mapped"},
        {"::192.0.2.0", "120", "::192.0.2.0/120 is IPv4-compatible"},
        {"::1", "128", "::1/128 is loopback"},
        {"4000::", "56", "4000::/56 is not global unicast (2000::/3) or ULA (fc00::/7)"},
        {"2001:db8::", "8", "2000::/8 is shorter than /16"},
        {"2001:db8::", "72", "2001:db8::/72 is longer than /64"},
    };
    for (const auto& c : delegated) {
        INFO(c.prefix << "/" << c.length);
        Environment env = bound6_env;
        env["new_dhcp6_ia_pd1_prefix1"] = c.prefix;
        env["new_dhcp6_ia_pd1_prefix1_length"] = c.length;
        const Event e = parse_event(dhcpcd(env));
        const auto& u = only_update(e);
        REQUIRE(u.dhcp6);
        REQUIRE(*u.dhcp6);
        CHECK((*u.dhcp6)->prefixes.empty());
        CHECK((*u.dhcp6)->addresses.size() == 1);  // the rest of the lease stands
        REQUIRE(e.warnings.size() == 1);
        CHECK(e.warnings[0] ==
              std::string("new_dhcp6_ia_pd1_prefix1: ") + c.why + "; entry ignored");
    }
    SECTION("a ULA delegation is fine") {
        Environment env = bound6_env;
        env["new_dhcp6_ia_pd1_prefix1"] = "fd00:1::";
        const Event e = parse_event(dhcpcd(env));
        CHECK(e.warnings.empty());
        CHECK((*only_update(e).dhcp6)->prefixes.size() == 1);
    }
    SECTION("an IA_NA address that is link-local") {
        Environment env = bound6_env;
        env["new_dhcp6_ia_na1_ia_addr1"] = "fe80::1";
        const Event e = parse_event(dhcpcd(env));
        CHECK((*only_update(e).dhcp6)->addresses.empty());
        REQUIRE(e.warnings.size() == 1);
        CHECK(e.warnings[0] == "new_dhcp6_ia_na1_ia_addr1: fe80::1 is link-local; entry ignored");
    }
    SECTION("an RA from any host on the uplink announcing ::/0 next to a real router") {
        Environment env{{"reason", "ROUTERADVERT"},
                        {"interface", "wan0"},
                        {"nd1_from", "fe80::1"},
                        {"nd1_lifetime", "1800"},
                        {"nd1_prefix_information1_prefix", "::"},
                        {"nd1_prefix_information1_length", "0"},
                        {"nd1_prefix_information1_flags", "LA"},
                        {"nd1_prefix_information1_pltime", "14400"},
                        {"nd1_prefix_information1_vltime", "86400"},
                        {"nd2_from", "fe80::2"},
                        {"nd2_lifetime", "1800"},
                        {"nd2_prefix_information1_prefix", "2001:db8:ffff::"},
                        {"nd2_prefix_information1_length", "64"},
                        {"nd2_prefix_information1_flags", "LA"},
                        {"nd2_prefix_information1_pltime", "14400"},
                        {"nd2_prefix_information1_vltime", "86400"},
                        {"nd2_addr1", "ff02::1/64"}};
        const Event e = parse_event(dhcpcd(env));
        const auto& ra = *only_update(e).ra;
        REQUIRE(ra);
        REQUIRE(ra->routers.size() == 2);
        CHECK(ra->routers[0].prefixes.empty());
        CHECK(ra->routers[1].prefixes.size() == 1);
        CHECK(ra->routers[1].addresses.empty());
        CHECK(e.warnings ==
              std::vector<std::string>{
                  "nd1_prefix_information1_prefix: ::/0 is unspecified; entry ignored",
                  "nd2_addr1: ff02::1 is multicast; entry ignored"});
    }
    SECTION("a delegated address on the LAN that is multicast") {
        const Event e = parse_event(dhcpcd({{"reason", "DELEGATED6"},
                                            {"interface", "int0"},
                                            {"new_delegated_dhcp6_prefix", "ff05::1/64"}}));
        CHECK((*only_update(e).delegated)->addresses.empty());
        CHECK(e.warnings.size() == 1);
    }
}

TEST_CASE("a DHCPv4 address or router that no host can have rejects the lease",
          "[dhcpcd][hostile]") {
    const Environment base{{"reason", "BOUND"},
                           {"interface", "wan0"},
                           {"new_ip_address", "192.0.2.7"},
                           {"new_subnet_cidr", "24"},
                           {"new_routers", "192.0.2.1"}};
    for (const char* bad : {"0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1", "239.1.2.3",
                            "240.0.0.1", "169.254.1.1", "0.1.2.3"}) {
        INFO(bad);
        Environment a = base;
        a["new_ip_address"] = bad;
        CHECK(failing_variable(dhcpcd(a)) == "new_ip_address");
        Environment r = base;
        r["new_routers"] = std::string("192.0.2.1 ") + bad;
        CHECK(failing_variable(dhcpcd(r)) == "new_routers");
    }
    Environment a = base;
    a["new_ip_address"] = "255.255.255.255";
    try {
        parse_event(dhcpcd(a));
        FAIL("accepted");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "new_ip_address: 255.255.255.255 is broadcast, not an address a host can have");
    }
}
