// The whole pipeline over real dhcpcd captures and pppd's contract, with the
// recording executor: bind → unchanged renew → prefix change → release, pppd
// up/down, failures retried, hostile input rejected without touching state.
#include "engine.hpp"
#include "env_file.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <set>

using namespace hookctl;
namespace fs = std::filesystem;

namespace {

const char* lab_config = R"(
[uplink.isp]
interface = "wan0"
sysctl.ipv6 = { accept_ra = 2 }
on.BOUND6 = [["/bin/true", "bound"]]

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[[rule]]
from = "lan.prefix"
table = 100

[radvd]
file = "/tmp/hookctl-engine-test/radvd.conf"
reload-pidfile = "/tmp/hookctl-engine-test/radvd.pid"
interface.lan = { managed = true, deprecate-old = "2h" }

[[dns]]
server = "2001:db8:53::1"
key = "/etc/hookctl/ddns.key"
zone = "dyn.example.org"
records = [ { name = "router", aaaa = "lan.address" }, { name = "desk", aaaa = "lan.prefix + ::c0a0:808" } ]

[[file]]
path = "/tmp/hookctl-engine-test/rdp-forward"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
restart = "rdp-forward.service"
)";

struct Harness {
    test::TempDir dir;
    Config config = parse_config(lab_config, "lab.toml");
    StateDir state;
    Journal journal;
    RecordingExecutor executor;
    EngineOptions options;

    Harness() : state(dir.path.string()), journal(dir / "journal", 50) { options.now = 1'000'000; }

    RunReport dhcpcd(const std::string& fixture) {
        RawEvent raw = test::dhcpcd_raw_event("dhcpcd/" + fixture);
        raw.time = options.now;
        return run_event(config, state, &journal, executor, raw, options);
    }
    RunReport ppp(const std::string& script, std::vector<std::string> args) {
        RawEvent raw;
        raw.source = Source::ppp;
        raw.script = script;
        raw.args = std::move(args);
        return run_event(config, state, &journal, executor, raw, options);
    }
};

std::vector<std::string> described(const RunReport& r) {
    std::vector<std::string> out;
    for (const auto& a : r.plan.actions) out.push_back(a.describe());
    return out;
}

bool has(const std::vector<std::string>& v, const std::string& needle) {
    for (const auto& s : v)
        if (s.find(needle) != std::string::npos) return true;
    return false;
}

const FileObject* file_in(const RunReport& r, const std::string& path) {
    for (const auto& a : r.plan.actions)
        if (a.object)
            if (const auto* f = std::get_if<FileObject>(&*a.object); f && f->path == path) return f;
    return nullptr;
}

}  // namespace

TEST_CASE("bind, unchanged renew, prefix change, release", "[engine][fixtures]") {
    Harness h;
    // Initial start: link events and the RA change nothing hookctl owns except sysctls.
    for (const char* f : {"a-initial-start/01-PREINIT.env", "a-initial-start/04-CARRIER.env",
                          "a-initial-start/05-CARRIER.env", "a-initial-start/06-ROUTERADVERT.env",
                          "a-initial-start/07-DELEGATED6.env"})
        REQUIRE(h.dhcpcd(f).status == RunReport::Status::applied);

    auto bound = h.dhcpcd("a-initial-start/08-BOUND6.env");
    REQUIRE(bound.status == RunReport::Status::applied);
    auto d = described(bound);
    CHECK(has(d, "add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"));
    CHECK(has(d, "add dns router.dyn.example.org AAAA 2001:db8:100::321"));
    CHECK(has(d, "add dns desk.dyn.example.org AAAA 2001:db8:100::c0a0:808"));
    CHECK(has(d, "run /bin/true bound"));
    const FileObject* radvd = file_in(bound, "/tmp/hookctl-engine-test/radvd.conf");
    REQUIRE(radvd);
    CHECK(radvd->content.find("prefix 2001:db8:100::/64") != std::string::npos);
    const FileObject* fwd = file_in(bound, "/tmp/hookctl-engine-test/rdp-forward");
    REQUIRE(fwd);
    CHECK(fwd->content.find("TARGET=[2001:db8:100::8]:3389\n") != std::string::npos);
    CHECK(has(d, "SIGHUP radvd (pid in /tmp/hookctl-engine-test/radvd.pid)"));
    CHECK(has(d, "restart rdp-forward.service"));
    REQUIRE(bound.transitions.size() >= 1);

    // Renews with the same prefix (DELEGATED6 repeats each time): nothing to do.
    for (const char* f : {"b3-renew-timer/01-DELEGATED6.env", "b3-renew-timer/02-RENEW6.env",
                          "b3-renew-timer/04-DELEGATED6.env", "b3-renew-timer/05-RENEW6.env"}) {
        auto r = h.dhcpcd(f);
        INFO(f);
        CHECK(r.plan.empty());
        CHECK(r.transitions.empty());
    }

    // The ISP hands out another /56: the old rule goes, the new one comes, radvd
    // announces the old /64 as deprecated, DNS moves.
    h.options.now += 600;
    auto changed = h.dhcpcd("c1-prefix-change-rebind/04-REBIND6.env");
    d = described(changed);
    CHECK(has(d, "remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"));
    CHECK(has(d, "add rule ipv6 10000: from 2001:db8:1cd::/64 lookup 100"));
    CHECK(has(d, "replace dns router.dyn.example.org AAAA 2001:db8:1cd::321"));
    radvd = file_in(changed, "/tmp/hookctl-engine-test/radvd.conf");
    REQUIRE(radvd);
    CHECK(radvd->content.find("prefix 2001:db8:1cd::/64") != std::string::npos);
    CHECK(radvd->content.find("prefix 2001:db8:100::/64") != std::string::npos);  // deprecated
    // kea repeats the old prefix in the reply with lifetimes 0: a withdrawal, not a
    // second delegation.
    CHECK_FALSE(has(d, "add rule ipv6 10000: from 2001:db8:100::/64"));

    // Release: everything tied to the prefix is withdrawn; radvd keeps announcing
    // both old prefixes as deprecated; DNS and the forwarder file keep their values.
    h.options.now += 600;
    auto released = h.dhcpcd("d1-release/02-RELEASE6.env");
    d = described(released);
    CHECK(has(d, "remove rule ipv6 10000: from 2001:db8:1cd::/64 lookup 100"));
    CHECK_FALSE(has(d, "add rule"));
    CHECK_FALSE(has(d, "remove dns"));
    CHECK_FALSE(has(d, "remove file /tmp/hookctl-engine-test/rdp-forward"));
    radvd = file_in(released, "/tmp/hookctl-engine-test/radvd.conf");
    REQUIRE(radvd);
    CHECK(radvd->content.find("prefix 2001:db8:1cd::/64") != std::string::npos);

    // Two hours later `apply` drops the expired deprecated prefixes from radvd.conf.
    h.options.now += 7200 + 1;
    auto later = run_reconcile(h.config, h.state, &h.journal, h.executor, h.options);
    radvd = file_in(later, "/tmp/hookctl-engine-test/radvd.conf");
    REQUIRE(radvd);
    CHECK(radvd->content.find("prefix 2001:db8:") == std::string::npos);

    // Every event is in the journal with its outcome.
    REQUIRE(h.journal.ids().size() == 13);  // 12 events + 1 apply
    auto last_event = h.journal.read(h.journal.ids()[11]);
    REQUIRE(last_event);
    CHECK(last_event->value("status", "") == "applied");
    CHECK(last_event->at("event").at("env").value("reason", "") == "RELEASE6");
}

TEST_CASE("replaying an event twice changes nothing the second time", "[engine][fixtures]") {
    Harness h;
    auto first = h.dhcpcd("c2-prefix-change-restart/07-REBIND6.env");
    CHECK_FALSE(first.plan.empty());
    auto second = h.dhcpcd("c2-prefix-change-restart/07-REBIND6.env");
    CHECK(second.plan.empty());
}

TEST_CASE("a failed action is retried by the next event", "[engine][fixtures]") {
    Harness h;
    h.executor.fail_when("add rule");
    auto bound = h.dhcpcd("a-initial-start/08-BOUND6.env");
    CHECK(bound.status == RunReport::Status::partial);
    CHECK(bound.exit_code() == 1);
    // Independent actions still ran.
    CHECK(has(described(bound), "add dns router"));
    auto renew = h.dhcpcd("b3-renew-timer/02-RENEW6.env");
    auto d = described(renew);
    REQUIRE(d.size() == 1);
    CHECK(has(d, "add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"));
    CHECK(renew.status == RunReport::Status::applied);
}

TEST_CASE("hostile input is rejected, journaled, and changes no state", "[engine][hostile]") {
    Harness h;
    h.dhcpcd("a-initial-start/08-BOUND6.env");
    const auto facts_before = h.state.load_facts();
    const auto applied_before = h.state.load_applied();

    struct Case {
        const char* name;
        Environment env;
        const char* variable;
    };
    const std::string big(10 * 1024, 'a');
    const std::vector<Case> cases = {
        {"interface path traversal", {{"reason", "BOUND6"}, {"interface", "../x"}}, "interface"},
        {"shell metacharacters in an address",
         {{"reason", "BOUND6"},
          {"interface", "wan0"},
          {"new_dhcp6_ia_pd1_iaid", "00000002"},
          {"new_dhcp6_ia_pd1_prefix1", "$(reboot)"},
          {"new_dhcp6_ia_pd1_prefix1_length", "56"}},
         "new_dhcp6_ia_pd1_prefix1"},
        {"newline in the interface",
         {{"reason", "BOUND6"}, {"interface", "wan0\nrm -rf /"}},
         "interface"},
        {"10 kB value",
         {{"reason", "DELEGATED6"}, {"interface", "int0"}, {"new_delegated_dhcp6_prefix", big}},
         "new_delegated_dhcp6_prefix"},
        {"word where an address belongs",
         {{"reason", "BOUND"},
          {"interface", "wan0"},
          {"new_ip_address", "router"},
          {"new_subnet_cidr", "24"}},
         "new_ip_address"},
        {"unknown reason", {{"reason", "REBOOT7"}, {"interface", "wan0"}}, "reason"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        RawEvent raw;
        raw.source = Source::dhcpcd;
        raw.env = c.env;
        auto r = run_event(h.config, h.state, &h.journal, h.executor, raw, h.options);
        CHECK(r.status == RunReport::Status::rejected);
        CHECK(r.exit_code() == 2);
        CHECK(r.error.find(c.variable) != std::string::npos);
        CHECK(r.plan.empty());
        auto entry = h.journal.read(*r.journal_id);
        REQUIRE(entry);
        CHECK(entry->value("status", "") == "rejected");
        CHECK(h.state.load_facts() == facts_before);
        CHECK(h.state.load_applied() == applied_before);
    }
}

TEST_CASE("pppd up and down move rules scoped to the uplink", "[engine][ppp]") {
    Harness h;
    h.config = parse_config(R"(
[uplink.tkom]
interface = "ppp0"
sysctl.ipv6 = { use_tempaddr = 1, forwarding = 0, autoconf = 1, accept_ra = 1 }
on.ipv6-up = [["rdisc6", "ppp0"]]

[[rule]]
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = 199
while = "tkom"

[[rule]]
from = "tkom.ipv4"
table = 199
)",
                            "ppp.toml");
    // Debian's run-parts: exactly 6 arguments, the last empty.
    auto up = h.ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "203.0.113.1", ""});
    auto d = described(up);
    CHECK(has(d, "add rule ipv4 10000: from all to 198.51.100.10/32 lookup 199"));
    CHECK(has(d, "add rule ipv4 10000: from all to 203.0.113.20/32 lookup 199"));
    CHECK(has(d, "add rule ipv4 10000: from 198.51.100.7/32 lookup 199"));
    CHECK_FALSE(has(d, "sysctl"));  // IPv6 not up yet

    // pppd itself without ipparam: 5 arguments.
    auto v6 = h.ppp("ipv6-up", {"ppp0", "eth0", "0", "fe80::1", "fe80::2"});
    d = described(v6);
    CHECK(has(d, "add sysctl net.ipv6.conf.ppp0.accept_ra = 1"));
    CHECK(has(d, "add sysctl net.ipv6.conf.ppp0.forwarding = 0"));
    CHECK(has(d, "run rdisc6 ppp0"));
    CHECK(d.size() == 5);

    // Same ip-up again: nothing (no duplicate rules).
    CHECK(h.ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "203.0.113.1", ""}).plan.empty());
    // A new IPv4 address after a reconnect: the from-rule follows it.
    d = described(h.ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.8", "203.0.113.1", ""}));
    CHECK(has(d, "remove rule ipv4 10000: from 198.51.100.7/32 lookup 199"));
    CHECK(has(d, "add rule ipv4 10000: from 198.51.100.8/32 lookup 199"));
    // ip-down: the IPv4 rules go; IPv6 (still up) keeps its sysctls.
    d = described(h.ppp("ip-down", {"ppp0", "eth0", "0", "198.51.100.8", "203.0.113.1", ""}));
    CHECK(d.size() == 3);
    CHECK(has(d, "remove rule ipv4 10000: from all to 198.51.100.10/32 lookup 199"));
    CHECK_FALSE(has(d, "sysctl"));
}

TEST_CASE("a reload that failed is owed and done by the next run", "[engine][fixtures]") {
    Harness h;
    h.executor.fail_when("SIGHUP radvd (pid in /tmp/hookctl-engine-test/radvd.pid)");
    auto bound = h.dhcpcd("a-initial-start/08-BOUND6.env");
    CHECK(bound.status == RunReport::Status::partial);
    // Nothing changes at the renew, but the reload radvd missed is still due.
    auto renew = h.dhcpcd("b3-renew-timer/02-RENEW6.env");
    auto d = described(renew);
    REQUIRE(d.size() == 1);
    CHECK(d[0] == "SIGHUP radvd (pid in /tmp/hookctl-engine-test/radvd.pid)");
    CHECK(renew.status == RunReport::Status::applied);
    // Paid: the next renew is empty again.
    CHECK(h.dhcpcd("b3-renew-timer/05-RENEW6.env").plan.empty());
}

TEST_CASE("the kernel is asked for owned rules only when rules or routes are in play",
          "[engine][ppp]") {
    struct CountingExecutor : RecordingExecutor {
        int listed = 0;
        OwnedKinds asked{false, false};
        std::vector<Object> list_owned(OwnedKinds kinds) override {
            ++listed;
            asked = kinds;
            return RecordingExecutor::list_owned(kinds);
        }
    };
    const auto run = [](const char* toml, CountingExecutor& ex) {
        test::TempDir dir;
        StateDir state(dir.path.string());
        EngineOptions o;
        o.observe_system = true;
        RawEvent raw;
        raw.source = Source::ppp;
        raw.script = "ipv6-up";
        raw.args = {"ppp0", "eth0", "0", "fe80::1", "fe80::2"};
        return run_event(parse_config(toml, "t.toml"), state, nullptr, ex, raw, o);
    };
    CountingExecutor sysctls_only;
    auto r =
        run("[uplink.tkom]\ninterface = \"ppp0\"\nsysctl.ipv6 = { accept_ra = 1 }\n", sysctls_only);
    CHECK(r.status == RunReport::Status::applied);
    CHECK(sysctls_only.listed == 0);
    CountingExecutor with_rule;
    run("[uplink.tkom]\ninterface = \"ppp0\"\n[[rule]]\nto = \"2001:db8::/32\"\ntable = 100\nwhile = \"tkom\"\n",
        with_rule);
    CHECK(with_rule.listed == 1);
    CHECK(with_rule.asked.rules);
    CHECK_FALSE(with_rule.asked.routes);  // no route configured or applied: no route dump
    CountingExecutor with_route;
    run("[uplink.tkom]\ninterface = \"ppp0\"\n[[route]]\nto = \"2001:db8::/32\"\ndev = \"ppp0\"\ntable = 100\nwhile = \"tkom\"\n",
        with_route);
    CHECK(with_route.listed == 1);
    CHECK_FALSE(with_route.asked.rules);
    CHECK(with_route.asked.routes);
}

namespace {

RawEvent bound6_with(std::map<std::string, std::string> changes) {
    RawEvent raw = test::dhcpcd_raw_event("dhcpcd/a-initial-start/08-BOUND6.env");
    for (auto& [k, v] : changes) raw.env[k] = v;
    return raw;
}

}  // namespace

TEST_CASE(
    "a value that cannot be derived leaves out only its objects; the facts and the rest apply",
    "[engine][hostile]") {
    Harness h;
    // subnet 1 needs a delegation shorter than /64.
    h.config =
        parse_config(std::string(lab_config)
                         .replace(std::string(lab_config).find("subnet = 0"), 10, "subnet = 1"),
                     "lab.toml");
    REQUIRE(h.dhcpcd("a-initial-start/08-BOUND6.env").status == RunReport::Status::applied);
    RawEvent shrunk = bound6_with({{"new_dhcp6_ia_pd1_prefix1", "2001:db8:200::"},
                                   {"new_dhcp6_ia_pd1_prefix1_length", "64"}});
    shrunk.time = h.options.now;
    const RunReport r = run_event(h.config, h.state, &h.journal, h.executor, shrunk, h.options);
    CHECK(r.status == RunReport::Status::partial);
    CHECK(r.exit_code() == 1);
    REQUIRE_FALSE(r.problems.empty());
    INFO(r.problems[0]);
    CHECK(r.problems[0].find(
              "left out: lab.toml:7:1: [lan.lan] subnet 1 /64 of delegated 2001:db8:200::/64") !=
          std::string::npos);
    // The facts are merged and saved: the new delegation is known, the old LAN
    // prefix is retired (radvd announces it deprecated), its rule goes.
    const Facts saved = h.state.load_facts();
    const auto& pd = saved.interfaces.at(parse_interface_name("wan0", "t")).dhcp6->prefixes;
    REQUIRE(pd.size() == 1);
    CHECK(pd[0].prefix.to_string() == "2001:db8:200::/64");
    REQUIRE(saved.retired.count("lan"));
    const auto d = described(r);
    CHECK(has(d, "remove rule ipv6 10000: from 2001:db8:100:1::/64 lookup 100"));
    // Held, not removed: the DNS names and the forwarder's file keep their last value.
    CHECK_FALSE(has(d, "remove dns"));
    CHECK_FALSE(has(d, "remove file"));
    const FileObject* radvd = file_in(r, "/tmp/hookctl-engine-test/radvd.conf");
    REQUIRE(radvd);
    CHECK(radvd->content.find(
              "prefix 2001:db8:100:1::/64 {\n        AdvOnLink on;\n        AdvAutonomous on;\n"
              "        AdvPreferredLifetime 0;") != std::string::npos);
    // The problem is in the journal entry too.
    const auto entry = h.journal.read(*r.journal_id);
    REQUIRE(entry);
    CHECK(entry->at("problems").size() == r.problems.size());
}

TEST_CASE("an RA prefix that does not fit the uplink's token is a problem, not an error",
          "[engine][hostile]") {
    test::TempDir dir;
    StateDir state(dir.path.string());
    RecordingExecutor ex;
    EngineOptions o;
    const Config c = parse_config(
        "[uplink.kd]\ninterface = \"ext\"\ntoken = \"::dead:b0a1\"\n[[rule]]\nfrom = \"kd.ipv6\"\ntable = 199\n"
        "[[rule]]\nto = \"198.51.100.10/32\"\ntable = 199\n",
        "t.toml");
    RawEvent raw;
    raw.source = Source::dhcpcd;
    raw.env = {{"reason", "ROUTERADVERT"},
               {"interface", "ext"},
               {"nd1_from", "fe80::1"},
               {"nd1_lifetime", "1800"},
               {"nd1_prefix_information1_prefix", "2001:db8:5::"},
               {"nd1_prefix_information1_length", "112"},
               {"nd1_prefix_information1_flags", "LA"},
               {"nd1_prefix_information1_pltime", "100"},
               {"nd1_prefix_information1_vltime", "200"}};
    const RunReport r = run_event(c, state, nullptr, ex, raw, o);
    CHECK(r.status == RunReport::Status::partial);
    REQUIRE(r.problems.size() == 1);
    CHECK(r.problems[0].find("t.toml:4:1 [[rule]]: left out: ") == 0);
    CHECK(has(described(r), "add rule ipv4 10000: from all to 198.51.100.10/32 lookup 199"));
    CHECK(state.load_facts().interfaces.count(parse_interface_name("ext", "t")) == 1);
}

TEST_CASE("a damaged state.json is set aside, the event still applies", "[engine][faults]") {
    for (const char* damage : {"", "{\"facts\": {\"interfa", "[1, 2]",
                               "{\"facts\": {\"interfaces\": {\"../x\": {}}}}"}) {
        INFO("state.json: " << damage);
        Harness h;
        REQUIRE(h.dhcpcd("a-initial-start/08-BOUND6.env").status == RunReport::Status::applied);
        std::ofstream(h.dir / "state.json") << damage;
        h.state = StateDir(h.dir.path.string());  // a new run reads the file afresh
        const RunReport r = h.dhcpcd("b3-renew-timer/02-RENEW6.env");
        CHECK(r.status == RunReport::Status::applied);
        REQUIRE_FALSE(r.warnings.empty());
        CHECK(r.warnings[0].find("state.json: ") == 0);
        CHECK(r.warnings[0].find("moved to " + (h.dir / "state.json.bad-1000000")) !=
              std::string::npos);
        CHECK(std::filesystem::exists(h.dir / "state.json.bad-1000000"));
        // Rebuilt: the event's facts, and every desired file and sysctl ensured again.
        CHECK(h.state.load_facts().interfaces.size() == 1);
        CHECK(file_in(r, "/tmp/hookctl-engine-test/radvd.conf"));
        StateDir again(h.dir.path.string());
        CHECK_NOTHROW(again.load_facts());
    }
}

TEST_CASE("facts from before a reboot are dropped; leases expire by their valid lifetime",
          "[engine][faults]") {
    Harness h;
    h.options.boot_id = "11111111-1111-1111-1111-111111111111";
    REQUIRE(h.dhcpcd("a-initial-start/08-BOUND6.env").status == RunReport::Status::applied);
    REQUIRE(h.ppp("ip-up", {"ppp0", "eth0", "0", "198.51.100.7", "203.0.113.1", ""}).status ==
            RunReport::Status::applied);

    SECTION("an unchanged renew within half the lifetime writes nothing") {
        const auto before = test::slurp(h.dir / "state.json");
        h.options.now += 1000;  // the same reply again; vltime 3600 in the capture
        // (BOUND6 runs its own on.BOUND6 command; nothing else is planned.)
        CHECK(described(h.dhcpcd("a-initial-start/08-BOUND6.env")) ==
              std::vector<std::string>{"run /bin/true bound"});
        CHECK(test::slurp(h.dir / "state.json") == before);
        h.options.now += 900;  // 1900 s: past half of 3600, the lease time moves on
        CHECK(described(h.dhcpcd("a-initial-start/08-BOUND6.env")) ==
              std::vector<std::string>{"run /bin/true bound"});
        CHECK(test::slurp(h.dir / "state.json") != before);
        const Facts f = h.state.load_facts();
        CHECK(f.interfaces.at(parse_interface_name("wan0", "t")).dhcp6->reported == 1'001'900);
    }
    SECTION("dhcpcd died: the prefix expires at its valid lifetime and `apply` withdraws it") {
        h.options.now += 3600;
        const RunReport r = run_reconcile(h.config, h.state, &h.journal, h.executor, h.options);
        CHECK(has(described(r), "remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"));
        CHECK(std::find(r.warnings.begin(), r.warnings.end(),
                        "wan0: delegated prefix 2001:db8:100::/56 expired") != r.warnings.end());
        CHECK(h.state.load_facts().interfaces.count(parse_interface_name("wan0", "t")) == 0);
        // pppd's link has no lifetime: still up.
        CHECK(h.state.load_facts().interfaces.at(parse_interface_name("ppp0", "t")).ppp4);
    }
    SECTION("after a reboot the boot-time apply withdraws everything the daemons reported") {
        h.options.boot_id = "22222222-2222-2222-2222-222222222222";
        const RunReport r = run_reconcile(h.config, h.state, &h.journal, h.executor, h.options);
        const auto d = described(r);
        CHECK(has(d, "remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"));
        CHECK(has(d, "remove rule ipv4 10000: from all to 198.51.100.10/32 lookup 199") ==
              has(described(
                      h.ppp("ip-down", {"ppp0", "eth0", "0", "198.51.100.7", "203.0.113.1", ""})),
                  "x"));
        CHECK(h.state.load_facts().interfaces.empty());
        CHECK(h.state.load_facts().boot_id == h.options.boot_id);
        CHECK(std::any_of(r.warnings.begin(), r.warnings.end(), [](const std::string& w) {
            return w.find("facts from before the reboot dropped") != std::string::npos;
        }));
    }
}

TEST_CASE("the reloads a run could owe are on record before it acts", "[engine][faults]") {
    // An executor that dies (like a kill) right after writing radvd.conf.
    struct DyingExecutor : RecordingExecutor {
        ActionResult apply(const Action& a) override {
            ActionResult r = RecordingExecutor::apply(a);
            if (a.object && std::holds_alternative<FileObject>(*a.object) &&
                std::get<FileObject>(*a.object).path.find("radvd.conf") != std::string::npos)
                throw std::runtime_error("killed");
            return r;
        }
    };
    Harness h;
    DyingExecutor dying;
    RawEvent raw = test::dhcpcd_raw_event("dhcpcd/a-initial-start/08-BOUND6.env");
    CHECK_THROWS(run_event(h.config, h.state, &h.journal, dying, raw, h.options));
    StateDir fresh(h.dir.path.string());
    const auto owed = fresh.load_pending_reloads();
    CHECK(std::any_of(owed.begin(), owed.end(), [](const ServiceAction& s) {
        return s.kind == ServiceAction::Kind::signal_pidfile;
    }));
    // The next run, with nothing new, does the owed reload.
    StateDir next(h.dir.path.string());
    h.state = std::move(next);
    const auto d = described(h.dhcpcd("b3-renew-timer/02-RENEW6.env"));
    CHECK(has(d, "SIGHUP radvd (pid in /tmp/hookctl-engine-test/radvd.pid)"));
}
