// pppd hook invocations: 5 arguments from pppd itself, 6 from Debian's run-parts,
// fewer with the environment filling in, and hostile values in either place.
#include "event.hpp"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace hookctl;

namespace {

RawEvent ppp(std::string script, std::vector<std::string> args, Environment env = {}) {
    RawEvent raw;
    raw.source = Source::ppp;
    raw.script = std::move(script);
    raw.args = std::move(args);
    raw.env = std::move(env);
    raw.time = 1700000000;
    return raw;
}

const FactsUpdate& only_update(const Event& e) {
    REQUIRE(e.updates.size() == 1);
    return e.updates.front();
}

// The variable an InputError names, or "" when parsing succeeds.
std::string failing_variable(const RawEvent& raw) {
    try {
        parse_event(raw);
    } catch (const InputError& e) {
        CHECK(std::string(e.what()).rfind(e.variable() + ": ", 0) == 0);
        return e.variable();
    }
    return "";
}

const Environment pppd_env = {
    {"IFNAME", "ppp0"},
    {"IPLOCAL", "198.51.100.7"},
    {"IPREMOTE", "198.51.100.1"},
    {"DNS1", "198.51.100.53"},
    {"DNS2", "198.51.100.54"},
    {"PPPD_PID", "812"},
    {"UNIT", "0"},
};

}  // namespace

TEST_CASE("ppp_script_from_argv0", "[ppp]") {
    struct Case {
        const char* argv0;
        const char* script;
    };
    const std::vector<Case> cases = {
        {"/etc/ppp/ip-up", "ip-up"},
        {"/etc/ppp/ipv6-down", "ipv6-down"},
        {"ip-down", "ip-down"},
        {"/etc/ppp/ip-up.d/ip-up.sh", "ip-up"},
        {"/etc/ppp/ipv6-up.d/50-hookctl", "ipv6-up"},
        {"/etc/ppp/ip-up.d/50-hookctl.sh", "ip-up"},
        {"/etc/ppp/ip-down.d/50-hookctl", "ip-down"},
        {"/usr/local/bin/hookctl", ""},
        {"hookctl", ""},
        {"/etc/ppp/auth-up", ""},
        {"/etc/ppp/ip-pre-up", ""},
        {"/etc/ppp/ip-pre-up.d/50-hookctl", ""},
        {"/etc/ppp/ip-up.local", ""},
        {"/etc/ppp/.d/x", ""},
        {"", ""},
    };
    for (const auto& c : cases) {
        INFO(c.argv0);
        CHECK(ppp_script_from_argv0(c.argv0) == c.script);
    }
    CHECK(is_ppp_script("ipv6-up"));
    CHECK_FALSE(is_ppp_script("ip-pre-up"));
    CHECK(to_string(Source::ppp) == "ppp");
    CHECK(to_string(Source::dhcpcd) == "dhcpcd");
}

TEST_CASE("ip-up with pppd's 5 arguments", "[ppp]") {
    const Event e = parse_event(
        ppp("ip-up", {"ppp0", "/dev/ttyUSB0", "115200", "198.51.100.7", "198.51.100.1"}, pppd_env));
    CHECK(e.source == Source::ppp);
    CHECK(e.name == "ip-up");
    CHECK(e.interface.str() == "ppp0");
    CHECK(e.time == 1700000000);
    const FactsUpdate& u = only_update(e);
    CHECK(u.interface.str() == "ppp0");
    REQUIRE(u.ppp4);
    REQUIRE(*u.ppp4);
    const Ppp4Facts& f = **u.ppp4;
    CHECK(f.local.to_string() == "198.51.100.7");
    REQUIRE(f.remote);
    CHECK(f.remote->to_string() == "198.51.100.1");
    REQUIRE(f.dns.size() == 2);
    CHECK(f.dns[0].to_string() == "198.51.100.53");
    CHECK(f.dns[1].to_string() == "198.51.100.54");
    CHECK(f.ipparam.empty());
    CHECK_FALSE(u.ppp6);
    CHECK_FALSE(u.dhcp6);
}

TEST_CASE("ip-up with run-parts' 6 arguments, empty or set ipparam", "[ppp]") {
    Environment env = pppd_env;
    env["PPP_IFACE"] = "ppp0";
    env["PPP_IPPARAM"] = "";
    const Event e =
        parse_event(ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "198.51.100.1", ""}, env));
    CHECK((*only_update(e).ppp4)->ipparam.empty());

    const Event named = parse_event(
        ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "198.51.100.1", "wan-dsl"}, env));
    CHECK((*only_update(named).ppp4)->ipparam == "wan-dsl");
    const Event nm = parse_event(ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "198.51.100.1",
                                               "/org/freedesktop/NetworkManager/PPP/3"}));
    CHECK((*only_update(nm).ppp4)->ipparam == "/org/freedesktop/NetworkManager/PPP/3");
}

TEST_CASE("ip-up with noremoteip has no remote", "[ppp]") {
    const Event e = parse_event(ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "0.0.0.0"}));
    const Ppp4Facts& f = **only_update(e).ppp4;
    CHECK_FALSE(f.remote);
    CHECK(f.dns.empty());
}

TEST_CASE("missing arguments come from the environment", "[ppp]") {
    SECTION("no arguments at all: pppd's variables") {
        const Event e = parse_event(ppp("ip-up", {}, pppd_env));
        CHECK(e.interface.str() == "ppp0");
        const Ppp4Facts& f = **only_update(e).ppp4;
        CHECK(f.local.to_string() == "198.51.100.7");
        CHECK(f.remote->to_string() == "198.51.100.1");
    }
    SECTION("only the Debian wrapper's PPP_* variables") {
        const Event e = parse_event(
            ppp("ip-up", {},
                {{"PPP_IFACE", "ppp1"}, {"PPP_LOCAL", "198.51.100.9"}, {"PPP_IPPARAM", "backup"}}));
        CHECK(e.interface.str() == "ppp1");
        const Ppp4Facts& f = **only_update(e).ppp4;
        CHECK(f.local.to_string() == "198.51.100.9");
        CHECK_FALSE(f.remote);
        CHECK(f.ipparam == "backup");
    }
    SECTION("some arguments, the rest from the environment") {
        const Event e = parse_event(ppp("ip-up", {"ppp0", "eth0"}, pppd_env));
        CHECK((*only_update(e).ppp4)->local.to_string() == "198.51.100.7");
    }
    SECTION("argv wins over IFNAME") {
        const Event e = parse_event(
            ppp("ip-up", {"ppp3", "eth0", "0", "198.51.100.7", "198.51.100.1"}, pppd_env));
        CHECK(e.interface.str() == "ppp3");
    }
    SECTION("no interface anywhere") {
        CHECK(failing_variable(ppp("ip-up", {}, {{"IPLOCAL", "198.51.100.7"}})) == "argv[1]");
    }
    SECTION("no local address anywhere") {
        CHECK(failing_variable(ppp("ip-up", {}, {{"IFNAME", "ppp0"}})) == "argv[4]");
    }
}

TEST_CASE("ip-down and ipv6-down clear their section", "[ppp]") {
    // ip-down still sees ip-up's variables (pppd's environment only grows).
    const Event down = parse_event(
        ppp("ip-down", {"ppp0", "eth0", "0", "198.51.100.7", "198.51.100.1"}, pppd_env));
    const FactsUpdate& u = only_update(down);
    REQUIRE(u.ppp4);
    CHECK_FALSE(*u.ppp4);
    CHECK_FALSE(u.ppp6);

    const Event down6 = parse_event(ppp("ipv6-down", {}, {{"IFNAME", "ppp0"}}));
    REQUIRE(only_update(down6).ppp6);
    CHECK_FALSE(*only_update(down6).ppp6);
    CHECK_FALSE(only_update(down6).ppp4);
}

TEST_CASE("ipv6-up gives the link-local addresses", "[ppp]") {
    const Event e = parse_event(ppp("ipv6-up", {"ppp0", "eth0", "0", "fe80::1c2d:3e4f:5a6b:7c8d",
                                                "fe80::0211:22ff:fe33:4455", ""}));
    CHECK(e.name == "ipv6-up");
    const FactsUpdate& u = only_update(e);
    REQUIRE(u.ppp6);
    REQUIRE(*u.ppp6);
    CHECK((*u.ppp6)->link_local.to_string() == "fe80::1c2d:3e4f:5a6b:7c8d");
    REQUIRE((*u.ppp6)->peer_link_local);
    CHECK((*u.ppp6)->peer_link_local->to_string() == "fe80::211:22ff:fe33:4455");
    CHECK_FALSE(u.ppp4);

    SECTION("from LLLOCAL/LLREMOTE") {
        const Event env = parse_event(
            ppp("ipv6-up", {},
                {{"IFNAME", "ppp0"}, {"LLLOCAL", "fe80::1"}, {"IPLOCAL", "198.51.100.7"}}));
        CHECK((*only_update(env).ppp6)->link_local.to_string() == "fe80::1");
        CHECK_FALSE((*only_update(env).ppp6)->peer_link_local);
    }
    SECTION("a zero peer interface id (pppd 2.4.9) means no peer") {
        const Event zero = parse_event(
            ppp("ipv6-up", {"ppp0", "eth0", "0", "fe80::1", "fe80::0000:0000:0000:0000"}));
        CHECK_FALSE((*only_update(zero).ppp6)->peer_link_local);
    }
    SECTION("a global address is not a link-local one") {
        CHECK(failing_variable(ppp("ipv6-up", {"ppp0", "eth0", "0", "2001:db8::1", "fe80::2"})) ==
              "argv[4]");
        CHECK(failing_variable(ppp("ipv6-up", {"ppp0", "eth0", "0", "fe80::1", "2001:db8::2"})) ==
              "argv[5]");
        CHECK(failing_variable(ppp("ipv6-up", {"ppp0", "eth0", "0", "198.51.100.7", "fe80::2"})) ==
              "argv[4]");
    }
}

TEST_CASE("hostile pppd input is rejected naming the argument or variable", "[ppp][hostile]") {
    const std::vector<std::string> ok = {"ppp0", "eth0", "0", "198.51.100.7", "198.51.100.1", ""};
    auto with = [&](std::size_t i, std::string value) {
        std::vector<std::string> args = ok;
        args[i] = std::move(value);
        return ppp("ip-up", args);
    };
    CHECK(failing_variable(with(0, "../x")) == "argv[1]");
    CHECK(failing_variable(with(0, "$(reboot)")) == "argv[1]");
    CHECK(failing_variable(with(0, "ppp0\n")) == "argv[1]");
    CHECK(failing_variable(with(1, "eth0\nrm -rf /")) == "argv[2]");
    CHECK(failing_variable(with(2, "fast")) == "argv[3]");
    CHECK(failing_variable(with(3, "$(reboot)")) == "argv[4]");
    CHECK(failing_variable(with(3, "gateway")) == "argv[4]");
    CHECK(failing_variable(with(3, "0.0.0.0")) == "argv[4]");
    CHECK(failing_variable(with(4, "198.51.100.1; reboot")) == "argv[5]");
    CHECK(failing_variable(with(5, "line1\nline2")) == "argv[6]");
    CHECK(failing_variable(with(5, std::string(256, 'p'))) == "argv[6]");
    CHECK(failing_variable(with(5, std::string(10240, 'p'))) == "argv[6]");
    CHECK(failing_variable(with(5, "\x1b[2J")) == "argv[6]");

    std::vector<std::string> seven = ok;
    seven.push_back("extra");
    CHECK(failing_variable(ppp("ip-up", seven)) == "argv");
    CHECK(failing_variable(ppp("ip-pre-up", ok)) == "script");

    Environment env = pppd_env;
    env["DNS1"] = "$(reboot)";
    CHECK(failing_variable(ppp("ip-up", ok, env)) == "DNS1");
    env = pppd_env;
    env["DNS2"] = std::string(10240, '1');
    CHECK(failing_variable(ppp("ip-up", ok, env)) == "DNS2");
    env = pppd_env;
    env["IPLOCAL"] = "198.51.100.7\n";
    CHECK(failing_variable(ppp("ip-up", {}, env)) == "IPLOCAL");
    env = pppd_env;
    env["IFNAME"] = "../x";
    CHECK(failing_variable(ppp("ip-down", {}, env)) == "IFNAME");
}

TEST_CASE("relevant_environment keeps what the ppp parser reads", "[ppp]") {
    Environment full = pppd_env;
    full["PATH"] = "/usr/bin";
    full["HOME"] = "/root";
    full["PPP_IFACE"] = "ppp0";
    full["PPPLOGNAME"] = "root";
    const Environment kept = relevant_environment(Source::ppp, full);
    CHECK(kept.count("IFNAME"));
    CHECK(kept.count("DNS2"));
    CHECK(kept.count("PPP_IFACE"));
    CHECK(kept.count("PPPD_PID"));
    CHECK_FALSE(kept.count("PATH"));
    CHECK_FALSE(kept.count("HOME"));
    CHECK_FALSE(kept.count("PPPLOGNAME"));
    // The kept environment parses the same as the full one.
    RawEvent raw = ppp("ip-up", {}, kept);
    CHECK(parse_event(raw).updates.front().ppp4 ==
          parse_event(ppp("ip-up", {}, full)).updates.front().ppp4);
}

TEST_CASE("ip-up refuses local and peer addresses no host can have", "[ppp][hostile]") {
    for (const char* bad :
         {"255.255.255.255", "127.0.0.1", "224.0.0.5", "240.1.2.3", "169.254.0.1", "0.0.0.7"}) {
        INFO(bad);
        CHECK(failing_variable(ppp("ip-up", {"ppp0", "eth0", "0", bad, "203.0.113.1"})) ==
              "argv[4]");
        CHECK(failing_variable(ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", bad})) ==
              "argv[5]");
    }
    try {
        parse_event(ppp("ip-up", {"ppp0", "eth0", "0", "127.0.0.1", "203.0.113.1"}));
        FAIL("accepted");
    } catch (const InputError& e) {
        CHECK(std::string(e.what()) ==
              "argv[4]: local address 127.0.0.1 is loopback, not an address a host can have");
    }
    // noremoteip: 0.0.0.0 as the peer means "no peer address", not an error.
    CHECK_FALSE((*parse_event(ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "0.0.0.0"}))
                      .updates[0]
                      .ppp4)
                    ->remote);
}
