// make_plan(): applied vs desired by key, the fixed order of phases, one reload per
// service pointing at its files, `why` from the transitions. execute_plan() and
// next_applied() (engine.hpp): reloads only after a changed file, the hook budget,
// failed actions keep the old value in the applied set.
#include "plan.hpp"
#include "engine.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <map>
#include <string>
#include <thread>
#include <vector>

using namespace hookctl;

namespace {

IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}

OwnedObject owned(Object o, std::vector<std::string> deps = {"wan0"},
                  std::string origin = "t.toml:1:1") {
    return OwnedObject{std::move(o), std::move(origin), std::move(deps)};
}

OwnedObject sysctl(const char* key, const char* value) {
    return owned(SysctlObject{key, value});
}

OwnedObject rule(const char* from, std::uint32_t table = 100) {
    RuleObject r;
    r.family = pfx(from).family();
    r.priority = 10000;
    r.from = pfx(from);
    r.table = table;
    return owned(r);
}

OwnedObject route(const char* to) {
    RouteObject r;
    r.destination = pfx(to);
    r.dev = ifn("wan0");
    r.table = 100;
    return owned(r);
}

ServiceAction reload(const char* unit) {
    return ServiceAction{ServiceAction::Kind::reload, unit, "", "", {}};
}

OwnedObject file(const char* path, const char* content, std::vector<ServiceAction> on_change = {}) {
    FileObject f;
    f.path = path;
    f.content = content;
    f.on_change = std::move(on_change);
    return owned(f);
}

OwnedObject dns(const char* name, const char* value) {
    DnsRecordObject d;
    d.server = "2001:db8:53::1";
    d.zone = "dyn.example.org";
    d.name = name;
    d.value = parse_address(value, "test");
    return owned(d);
}

Action trigger(const char* program) {
    Action a;
    a.op = Action::Op::run;
    a.command.argv = {program};
    a.origin = "t.toml:2:1";
    a.why = "event";
    return a;
}

std::vector<std::string> described(const Plan& p) {
    std::vector<std::string> out;
    for (const auto& a : p.actions) out.push_back(a.describe());
    return out;
}

// An executor whose answers the test chooses by a substring of describe().
class ScriptedExecutor : public Executor {
public:
    std::map<std::string, ActionResult::Status> answers;
    std::chrono::milliseconds delay{0};
    std::vector<std::string> seen;
    ActionResult apply(const Action& a) override {
        seen.push_back(a.describe());
        if (delay.count()) std::this_thread::sleep_for(delay);
        for (const auto& [needle, status] : answers)
            if (a.describe().find(needle) != std::string::npos) return {status, "scripted"};
        return {ActionResult::Status::done, ""};
    }
};

}  // namespace

TEST_CASE("equal applied and desired plan nothing", "[plan]") {
    const std::vector<OwnedObject> objects = {sysctl("net.ipv6.conf.wan0.accept_ra", "2"),
                                              rule("2001:db8:1::/64"), route("2001:db8:5::/48"),
                                              file("/etc/x", "x\n"),
                                              dns("router.dyn.example.org", "2001:db8:1::1")};
    CHECK(make_plan(objects, objects, {}, {}).empty());
    // Order does not matter, only keys and values.
    std::vector<OwnedObject> reversed(objects.rbegin(), objects.rend());
    CHECK(make_plan(objects, reversed, {}, {}).empty());
}

TEST_CASE("a new value under the same key is a replace carrying the previous value", "[plan]") {
    struct Case {
        const char* name;
        OwnedObject before, after;
        const char* describe;
    };
    const std::vector<Case> cases = {
        {"sysctl", sysctl("net.ipv6.conf.wan0.accept_ra", "1"),
         sysctl("net.ipv6.conf.wan0.accept_ra", "2"),
         "replace sysctl net.ipv6.conf.wan0.accept_ra = 2"},
        {"file", file("/etc/x", "old\n"), file("/etc/x", "new!\n"),
         "replace file /etc/x (5 bytes, mode 0644)"},
        {"dns", dns("router.dyn.example.org", "2001:db8:1::1"),
         dns("router.dyn.example.org", "2001:db8:2::1"),
         "replace dns router.dyn.example.org AAAA 2001:db8:2::1 ttl 300 (zone dyn.example.org @2001:db8:53::1)"},
    };
    for (const auto& c : cases) {
        INFO(c.name);
        Plan p = make_plan({c.before}, {c.after}, {}, {});
        REQUIRE(p.actions.size() == 1);
        CHECK(p.actions[0].op == Action::Op::replace);
        CHECK(p.actions[0].describe() == c.describe);
        REQUIRE(p.actions[0].previous);
        CHECK(*p.actions[0].previous == c.before.object);
        CHECK(*p.actions[0].object == c.after.object);
    }
}

TEST_CASE("a rule pointing at another table is remove + add, not replace", "[plan]") {
    Plan p = make_plan({rule("2001:db8:1::/64", 100)}, {rule("2001:db8:1::/64", 200)}, {}, {});
    CHECK(described(p) ==
          std::vector<std::string>{"remove rule ipv6 10000: from 2001:db8:1::/64 lookup 100",
                                   "add rule ipv6 10000: from 2001:db8:1::/64 lookup 200"});
}

TEST_CASE("an applied object no longer desired is removed", "[plan]") {
    Plan p = make_plan({rule("2001:db8:1::/64"), file("/etc/x", "x\n")}, {file("/etc/x", "x\n")},
                       {}, {});
    REQUIRE(p.actions.size() == 1);
    CHECK(p.actions[0].op == Action::Op::remove);
    CHECK(p.actions[0].describe() == "remove rule ipv6 10000: from 2001:db8:1::/64 lookup 100");
    CHECK(p.actions[0].why == "no longer desired");
}

TEST_CASE("two config entries making one object give one action", "[plan]") {
    OwnedObject a = rule("2001:db8:1::/64");
    OwnedObject b = a;
    b.origin = "t.toml:9:1";
    Plan p = make_plan({}, {a, b}, {}, {});
    REQUIRE(p.actions.size() == 1);
    CHECK(p.actions[0].origin == "t.toml:1:1");  // the first entry wins
}

TEST_CASE("actions come in a fixed order of phases", "[plan]") {
    const std::vector<OwnedObject> applied = {rule("2001:db8:1::/64"), route("2001:db8:5::/48"),
                                              file("/etc/old", "x\n")};
    // Desired listed in the worst order on purpose.
    const std::vector<OwnedObject> desired = {
        dns("router.dyn.example.org", "2001:db8:2::1"),
        file("/etc/radvd.conf", "new\n", {reload("radvd.service")}),
        route("2001:db8:6::/48"),
        rule("2001:db8:2::/64"),
        sysctl("net.ipv6.conf.wan0.accept_ra", "2"),
    };
    Plan p = make_plan(applied, desired, {}, {trigger("rdisc6")});
    CHECK(
        described(p) ==
        std::vector<std::string>{
            "add sysctl net.ipv6.conf.wan0.accept_ra = 2",
            "remove rule ipv6 10000: from 2001:db8:1::/64 lookup 100",
            "remove route 2001:db8:5::/48 dev wan0 table 100",
            "add route 2001:db8:6::/48 dev wan0 table 100",
            "add rule ipv6 10000: from 2001:db8:2::/64 lookup 100",
            "add file /etc/radvd.conf (4 bytes, mode 0644)",
            "remove file /etc/old (2 bytes, mode 0644)",
            "reload radvd.service",
            "add dns router.dyn.example.org AAAA 2001:db8:2::1 ttl 300 (zone dyn.example.org @2001:db8:53::1)",
            "run rdisc6",
        });
}

TEST_CASE("reloads: one per service, after the files that name it", "[plan]") {
    const std::vector<OwnedObject> desired = {
        file("/etc/a", "a\n", {reload("radvd.service"), reload("x.service")}),
        file("/etc/b", "b\n", {reload("radvd.service")}),
        file("/etc/c", "c\n", {}),
    };
    Plan p = make_plan({file("/etc/c", "old\n")}, desired, {}, {});
    REQUIRE(described(p) == std::vector<std::string>{"add file /etc/a (2 bytes, mode 0644)",
                                                     "add file /etc/b (2 bytes, mode 0644)",
                                                     "replace file /etc/c (2 bytes, mode 0644)",
                                                     "reload radvd.service", "reload x.service"});
    const Action& radvd = p.actions[3];
    CHECK(radvd.op == Action::Op::reload);
    REQUIRE(radvd.after.size() == 2);
    for (std::size_t i : radvd.after) {
        REQUIRE(i < p.actions.size());
        REQUIRE(p.actions[i].object);
        CHECK(std::holds_alternative<FileObject>(*p.actions[i].object));
    }
    CHECK(std::get<FileObject>(*p.actions[radvd.after[0]].object).path == "/etc/a");
    CHECK(std::get<FileObject>(*p.actions[radvd.after[1]].object).path == "/etc/b");
    CHECK(p.actions[4].after == std::vector<std::size_t>{0});

    SECTION("an unchanged file brings no reload") {
        Plan none = make_plan(desired, desired, {}, {});
        CHECK(none.empty());
    }
    SECTION("a removed file brings no reload") {
        Plan rm = make_plan({desired[0]}, {}, {}, {});
        CHECK(described(rm) == std::vector<std::string>{"remove file /etc/a (2 bytes, mode 0644)"});
    }
}

TEST_CASE("why: the transitions of the interfaces an object depends on", "[plan]") {
    using K = Transition::Kind;
    const std::vector<Transition> ts = {
        {K::changed, ifn("wan0"), "delegated prefix iaid 2", "2001:db8:1::/56", "2001:db8:2::/56"},
        {K::added, ifn("wan0"), "router fe80::1", "", "present"},
        {K::added, ifn("ppp0"), "ppp ipv4 link", "", "up"},
    };
    OwnedObject on_wan = rule("2001:db8:2::/64");
    OwnedObject on_ppp = owned(SysctlObject{"net.ipv4.conf.ppp0.rp_filter", "0"}, {"ppp0"});
    OwnedObject on_nothing = owned(SysctlObject{"net.ipv4.conf.int0.forwarding", "1"}, {});
    OwnedObject gone = rule("2001:db8:1::/64");
    OwnedObject gone_quietly = owned(SysctlObject{"net.ipv4.conf.x.y", "1"}, {"eth9"});
    Plan p = make_plan({gone, gone_quietly}, {on_wan, on_ppp, on_nothing}, ts, {});
    std::map<std::string, std::string> why;
    for (const auto& a : p.actions) why[a.describe()] = a.why;
    CHECK(why.at("add rule ipv6 10000: from 2001:db8:2::/64 lookup 100") ==
          "wan0: delegated prefix iaid 2 changed 2001:db8:1::/56 -> 2001:db8:2::/56 (+1 more)");
    CHECK(why.at("add sysctl net.ipv4.conf.ppp0.rp_filter = 0") == "ppp0: ppp ipv4 link added up");
    CHECK(why.at("add sysctl net.ipv4.conf.int0.forwarding = 1") == "not applied yet");
    CHECK(why.at("remove rule ipv6 10000: from 2001:db8:1::/64 lookup 100") ==
          "wan0: delegated prefix iaid 2 changed 2001:db8:1::/56 -> 2001:db8:2::/56 (+1 more)");
    CHECK(why.at("remove sysctl net.ipv4.conf.x.y = 1") == "no longer desired");
}

TEST_CASE("execute_plan: a reload runs only if a file it waits for changed", "[plan][execute]") {
    const std::vector<OwnedObject> desired = {file("/etc/a", "a\n", {reload("radvd.service")}),
                                              file("/etc/b", "b\n", {reload("radvd.service")})};
    Plan p = make_plan({}, desired, {}, {});
    REQUIRE(p.actions.size() == 3);
    REQUIRE(p.actions[2].op == Action::Op::reload);

    SECTION("neither file changed: skipped, and the executor never sees it") {
        ScriptedExecutor ex;
        ex.answers = {{"file /etc/a", ActionResult::Status::unchanged},
                      {"file /etc/b", ActionResult::Status::unchanged}};
        auto r = execute_plan(p, ex, std::chrono::steady_clock::now() + std::chrono::seconds(20));
        REQUIRE(r.size() == 3);
        CHECK(r[2].status == ActionResult::Status::skipped);
        CHECK(r[2].message == "no file it reads changed");
        CHECK(ex.seen.size() == 2);
    }
    SECTION("a failed write is not a change") {
        ScriptedExecutor ex;
        ex.answers = {{"file /etc/a", ActionResult::Status::failed},
                      {"file /etc/b", ActionResult::Status::unchanged}};
        auto r = execute_plan(p, ex, std::chrono::steady_clock::now() + std::chrono::seconds(20));
        CHECK(r[2].status == ActionResult::Status::skipped);
    }
    SECTION("one of them changed: it runs") {
        ScriptedExecutor ex;
        ex.answers = {{"file /etc/a", ActionResult::Status::unchanged}};
        auto r = execute_plan(p, ex, std::chrono::steady_clock::now() + std::chrono::seconds(20));
        CHECK(r[2].status == ActionResult::Status::done);
        CHECK(ex.seen.back() == "reload radvd.service");
    }
}

TEST_CASE("execute_plan: actions past the hook budget are skipped", "[plan][execute]") {
    Plan p =
        make_plan({}, {sysctl("a.b.c", "1"), sysctl("a.b.d", "1"), sysctl("a.b.e", "1")}, {}, {});
    ScriptedExecutor ex;
    ex.delay = std::chrono::milliseconds(30);
    auto r = execute_plan(p, ex, std::chrono::steady_clock::now() + std::chrono::milliseconds(10));
    REQUIRE(r.size() == 3);
    CHECK(r[0].status == ActionResult::Status::done);
    for (std::size_t i = 1; i < 3; ++i) {
        CHECK(r[i].status == ActionResult::Status::skipped);
        CHECK(
            r[i].message ==
            "the hook's time budget (settings.hook-budget) is used up; the next event or `hookctl apply` retries");
    }
    CHECK(ex.seen.size() == 1);
}

TEST_CASE("next_applied keeps the old value where an action failed or was skipped",
          "[plan][execute]") {
    const OwnedObject old_sysctl = sysctl("net.ipv6.conf.wan0.accept_ra", "1");
    const OwnedObject new_sysctl = sysctl("net.ipv6.conf.wan0.accept_ra", "2");
    const OwnedObject old_rule = rule("2001:db8:1::/64");
    const OwnedObject new_rule = rule("2001:db8:2::/64");
    const OwnedObject stale_route = route("2001:db8:5::/48");
    const OwnedObject new_file = file("/etc/x", "x\n");
    const std::vector<OwnedObject> applied = {old_sysctl, old_rule, stale_route};
    const std::vector<OwnedObject> desired = {new_sysctl, new_rule, new_file};
    Plan p = make_plan(applied, desired, {}, {});
    REQUIRE(described(p) ==
            std::vector<std::string>{"replace sysctl net.ipv6.conf.wan0.accept_ra = 2",
                                     "remove rule ipv6 10000: from 2001:db8:1::/64 lookup 100",
                                     "remove route 2001:db8:5::/48 dev wan0 table 100",
                                     "add rule ipv6 10000: from 2001:db8:2::/64 lookup 100",
                                     "add file /etc/x (2 bytes, mode 0644)"});
    using S = ActionResult::Status;
    const std::vector<ActionResult> results = {{S::failed, "EPERM"},
                                               {S::done, ""},
                                               {S::skipped, "budget"},
                                               {S::unchanged, ""},
                                               {S::failed, "disk full"}};
    auto next = next_applied(applied, p, desired, results);
    std::vector<Object> objects;
    for (const auto& o : next) objects.push_back(o.object);
    // sysctl: replace failed → still "1"; old rule removed; route removal skipped →
    // still owned; new rule (unchanged = already there) owned; file failed → absent.
    CHECK(next.size() == 3);
    CHECK(std::count(objects.begin(), objects.end(), old_sysctl.object) == 1);
    CHECK(std::count(objects.begin(), objects.end(), new_sysctl.object) == 0);
    CHECK(std::count(objects.begin(), objects.end(), old_rule.object) == 0);
    CHECK(std::count(objects.begin(), objects.end(), stale_route.object) == 1);
    CHECK(std::count(objects.begin(), objects.end(), new_rule.object) == 1);
    CHECK(std::count(objects.begin(), objects.end(), new_file.object) == 0);

    SECTION("all succeeding gives exactly the desired set, origins from desired") {
        std::vector<ActionResult> ok(p.actions.size(), ActionResult{S::done, ""});
        OwnedObject d_rule = new_rule;
        d_rule.origin = "t.toml:7:1";
        auto all = next_applied(applied, p, {new_sysctl, d_rule, new_file}, ok);
        REQUIRE(all.size() == 3);
        for (const auto& o : all)
            if (o.object == new_rule.object) CHECK(o.origin == "t.toml:7:1");
        std::vector<Object> got;
        for (const auto& o : all) got.push_back(o.object);
        CHECK(std::count(got.begin(), got.end(), new_sysctl.object) == 1);
        CHECK(std::count(got.begin(), got.end(), new_file.object) == 1);
    }
}
