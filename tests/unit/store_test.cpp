// The state directory and the journal on a real file system (a temp dir per test):
// atomic replace with an explicit mode under pppd's umask, JSON round trips of every
// facts section and object kind, damaged files named in errors, journal ids and
// pruning, and the flock that serialises two processes.
#include "store.hpp"
#include "file_io.hpp"
#include "journal.hpp"
#include "json_io.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>

#include "temp_dir.hpp"

using namespace hookctl;
namespace fs = std::filesystem;

using hookctl::test::slurp;
using hookctl::test::TempDir;

namespace {

std::vector<std::string> entries(const fs::path& dir) {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path().filename().string());
    std::sort(out.begin(), out.end());
    return out;
}

IpAddress addr(const char* s) {
    return parse_address(s, "test");
}
IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}
DomainName dom(const char* s) {
    return parse_domain_name(s, "test");
}

// Every section with every field set to something other than its default.
Facts every_section() {
    Facts f;
    InterfaceFacts& p = f.interfaces[ifn("ppp0")];
    p.carrier = false;
    p.ppp4 = Ppp4Facts{
        addr("198.51.100.7"), addr("203.0.113.1"), {addr("192.0.2.53"), addr("192.0.2.54")}, "kd"};
    p.ppp6 = Ppp6Facts{addr("fe80::1"), addr("fe80::2"), "kd"};
    p.updated = 1234;
    InterfaceFacts& w = f.interfaces[ifn("wan0")];
    w.carrier = true;
    w.dhcp4 = Dhcp4Facts{parse_interface_address("192.0.2.7/24", "t"),
                         {addr("192.0.2.1")},
                         {addr("192.0.2.53")},
                         {dom("example.org")},
                         3600};
    Dhcp6Facts d6;
    d6.addresses.push_back(AddressLease{addr("2001:db8:0:1::1000"), {3600}, {Lifetime::infinite}});
    d6.prefixes.push_back(PrefixLease{pfx("2001:db8:100::/56"), 2, {1800}, {3600}});
    d6.prefixes.push_back(PrefixLease{pfx("2001:db8:200::/56"), 3, {0}, {60}});
    d6.dns = {addr("2001:db8::53")};
    d6.domain_search = {dom("lab.example"), dom("example.org")};
    w.dhcp6 = d6;
    RaRouter r;
    r.from = addr("fe80::9");
    r.router_lifetime = 1800;
    r.flags = "MO";
    r.prefixes.push_back(RaPrefix{pfx("2001:db8:0:1::/64"), true, false, {1800}, {3600}});
    r.rdnss = {addr("2001:db8::53")};
    r.dnssl = {dom("lab.example")};
    r.addresses = {parse_interface_address("2001:db8:0:1::5/64", "t")};
    w.ra = RaFacts{{r, RaRouter{addr("fe80::a"), 0, "", {}, {}, {}, {}}}};
    w.updated = 5678;
    f.interfaces[ifn("int0")].delegated =
        DelegatedFacts{{parse_interface_address("2001:db8:100::321/64", "t")}};
    f.retired["lan"] = {{pfx("2001:db8:99::/64"), 1000}, {pfx("2001:db8:98::/64"), 2000}};
    f.retired["other"] = {{pfx("2001:db8:97::/64"), 3000}};
    return f;
}

std::vector<OwnedObject> every_object() {
    RuleObject rule;
    rule.family = Family::v6;
    rule.priority = 900;
    rule.from = pfx("2001:db8:100::/64");
    rule.to = pfx("2001:db8:5::/48");
    rule.iif = ifn("int0");
    rule.oif = ifn("ppp0");
    rule.fwmark = 0x10;
    rule.fwmask = 0xff;
    rule.table = 199;
    RuleObject blackhole;
    blackhole.priority = 5;
    blackhole.action = RuleAction::blackhole;
    RouteObject route;
    route.destination = pfx("0.0.0.0/0");
    route.via = addr("203.0.113.1");
    route.dev = ifn("ppp0");
    route.table = 199;
    route.metric = 7;
    RouteObject unreachable;
    unreachable.destination = pfx("2001:db8::/32");
    unreachable.type = RouteType::unreachable;
    FileObject file;
    file.path = "/etc/radvd.conf";
    file.content = "# owned\nline \"quoted\" \\ and \xc3\xa9\n";
    file.mode = 0640;
    file.owner = "radvd";
    file.group = "adm";
    file.validate = {"radvd", "-c", "-C", "{}"};
    file.on_change = {
        ServiceAction{ServiceAction::Kind::reload, "radvd.service", "", "", {}},
        ServiceAction{ServiceAction::Kind::restart, "a.service", "", "", {}},
        ServiceAction{ServiceAction::Kind::try_restart, "b.service", "", "", {}},
        ServiceAction{ServiceAction::Kind::signal_pidfile, "", "/run/radvd.pid", "radvd", {}},
        ServiceAction{ServiceAction::Kind::command, "", "", "",
                      Command{{"/bin/notify", "x y"}, 1500}}};
    DnsRecordObject dns;
    dns.server = "2001:db8:53::1";
    dns.port = 5353;
    dns.key_file = "/etc/hookctl/ddns.key";
    dns.zone = "dyn.example.org";
    dns.name = "router.dyn.example.org";
    dns.type = DnsType::a;
    dns.value = addr("198.51.100.7");
    dns.ttl = 60;
    return {
        OwnedObject{SysctlObject{"net.ipv6.conf.ppp0.accept_ra", "2"},
                    "t.toml:3:1 [uplink.tkom] sysctl",
                    {"ppp0"}},
        OwnedObject{rule, "t.toml:10:1 [[rule]]", {"wan0", "ppp0"}},
        OwnedObject{blackhole, "t.toml:11:1 [[rule]]", {}},
        OwnedObject{route, "t.toml:12:1 [[route]]", {"ppp0"}},
        OwnedObject{unreachable, "t.toml:13:1 [[route]]", {}},
        OwnedObject{file, "t.toml:20:1 [radvd]", {"wan0"}},
        OwnedObject{dns, "t.toml:30:1 [[dns]]", {"ppp0"}},
    };
}

}  // namespace

TEST_CASE("replace_file sets the mode despite pppd's umask 077", "[store]") {
    TempDir dir;
    const mode_t saved = ::umask(077);
    struct Restore {
        mode_t m;
        ~Restore() { ::umask(m); }
    } restore{saved};
    for (bool durable : {true, false})
        for (unsigned mode : {0644u, 0640u, 0600u, 0755u}) {
            INFO(mode << (durable ? " durable" : ""));
            const std::string p = dir / "f";
            replace_file(p, "x\n", mode, durable, dir / "f.old");
            struct stat st {};
            REQUIRE(::stat(p.c_str(), &st) == 0);
            CHECK((st.st_mode & 07777) == mode);
        }
}

TEST_CASE("replace_file replaces the file as a whole and keeps the one it replaced", "[store]") {
    TempDir dir;
    const std::string p = dir / "state.json";
    const std::string previous = dir / "state.json.old";
    replace_file(p, "old content\n", 0600, false, previous);
    CHECK(slurp(p) == "old content\n");
    CHECK(entries(dir.path) == std::vector<std::string>{"state.json"});
    // A reader holding the old file keeps seeing the old bytes: the new text went to
    // another inode, swapped in; the replaced one is now the previous copy, untouched.
    std::ifstream reader(p, std::ios::binary);
    REQUIRE(reader);
    replace_file(p, "new\n", 0600, false, previous);
    CHECK(slurp(p) == "new\n");
    std::string old((std::istreambuf_iterator<char>(reader)), {});
    CHECK(old == "old content\n");
    CHECK(slurp(previous) == "old content\n");
    CHECK(entries(dir.path) == std::vector<std::string>{"state.json", "state.json.old"});

    SECTION("the previous copy is rewritten in place, longer or shorter") {
        struct stat before {};
        REQUIRE(::stat(previous.c_str(), &before) == 0);
        replace_file(p, "newest, longer than before\n", 0600, false, previous);
        struct stat now {};
        REQUIRE(::stat(p.c_str(), &now) == 0);
        CHECK(now.st_ino == before.st_ino);  // no inode made: the previous one, swapped in
        CHECK(slurp(p) == "newest, longer than before\n");
        CHECK(slurp(previous) == "new\n");
        replace_file(p, "short\n", 0600, false, previous);
        CHECK(slurp(p) == "short\n");
    }
    SECTION("a torn previous copy (a killed run's) is rewritten whole") {
        std::ofstream(previous, std::ios::trunc) << std::string(5000, 'x');
        replace_file(p, "after the kill\n", 0600, false, previous);
        CHECK(slurp(p) == "after the kill\n");
        CHECK(slurp(previous) == "new\n");
    }
    SECTION("durable: the copy is fsynced and renamed over the file") {
        replace_file(p, "durable\n", 0600, true, previous);
        CHECK(slurp(p) == "durable\n");
        CHECK(entries(dir.path) == std::vector<std::string>{"state.json"});
    }
    SECTION("a previous copy that is not a regular file is refused, the file kept") {
        ::unlink(previous.c_str());
        REQUIRE(::mkfifo(previous.c_str(), 0600) == 0);
        CHECK_THROWS_WITH(replace_file(p, "y\n", 0600, false, previous),
                          Catch::Contains("state.json.old") && Catch::Contains("cannot open"));
        CHECK(slurp(p) == "new\n");
    }
    SECTION("a failure leaves the file and no copy") {
        CHECK_THROWS_AS(
            replace_file(dir / "missing-dir/x", "y", 0644, false, dir / "missing-dir/x.old"),
            Error);
        CHECK(entries(dir.path) == std::vector<std::string>{"state.json", "state.json.old"});
    }
    SECTION("read_file_if_exists") {
        CHECK(read_file_if_exists(p) == std::optional<std::string>("new\n"));
        CHECK_FALSE(read_file_if_exists(dir / "absent"));
    }
}

TEST_CASE("StateDir round-trips facts and applied objects", "[store]") {
    TempDir dir;
    StateDir state(dir / "state");
    // Nothing stored yet: empty, not an error.
    CHECK(state.load_facts() == Facts{});
    CHECK(state.load_applied().empty());
    state.ensure_exists();

    const Facts facts = every_section();
    state.save(facts, {}, {});
    // A new StateDir reads the file (this one answers from what it saved).
    CHECK(StateDir(dir / "state").load_facts() == facts);

    const auto objects = every_object();
    state.save(facts, objects, {});
    const auto back = StateDir(dir / "state").load_applied();
    REQUIRE(back.size() == objects.size());
    for (std::size_t i = 0; i < objects.size(); ++i) {
        INFO(describe(objects[i].object));
        CHECK(back[i].object == objects[i].object);  // OwnedObject== compares only the object
        CHECK(back[i].origin == objects[i].origin);
        CHECK(back[i].depends_on == objects[i].depends_on);
    }
    struct stat st {};
    REQUIRE(::stat((dir / "state/state.json").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0600);
    REQUIRE(::stat((dir / "state").c_str(), &st) == 0);
    CHECK((st.st_mode & 0777) == 0700);
}

TEST_CASE("state.json's text: compact JSON, the bytes a tree's dump would be", "[store]") {
    Facts facts = every_section();
    KernelLinkFacts k;
    k.up = true;
    k.lower_up = true;
    KernelAddress a;
    a.address = parse_interface_address("2001:db8:0:1::7/64", "t");
    a.deprecated = true;
    a.mngtmpaddr = true;
    a.preferred = {0};
    a.valid = {7200};
    k.addresses = {a};
    k.reported = 4321;
    facts.interfaces[ifn("ext")].kernel = k;
    facts.boot_id = "6cfdf76f-13a9-4d59-8d1e-6a648e90aa01";
    auto objects = every_object();
    // Content that is not UTF-8 is written with U+FFFD, as dump()'s `replace` writes it.
    FileObject odd;
    odd.path = "/etc/odd.conf";
    odd.content = "bad \xff byte, tab\t, unit\x1f";
    objects.push_back(OwnedObject{odd, "t.toml:40:1 [[file]]", {}});
    const std::vector<ServiceAction> pending = {
        ServiceAction{ServiceAction::Kind::signal_pidfile, "", "/run/radvd.pid", "radvd", {}},
        ServiceAction{ServiceAction::Kind::command, "", "", "", Command{{"/bin/x"}, 100}}};

    const std::string text = state_json_text(facts, objects, pending);
    REQUIRE(text.back() == '\n');
    const Json tree = parse_state_json(text);
    CHECK(text == tree.dump(-1, ' ', false, Json::error_handler_t::replace) + "\n");
    CHECK(text.rfind(R"({"facts":{"interfaces":{"ext":{"kernel":{"up":true,"lower-up":true,)"
                     R"("addresses":[{"preferred":0,"valid":7200,"address":"2001:db8:0:1::7/64",)"
                     R"("flags":["deprecated","mngtmpaddr"]}],"reported":4321},"updated":0},)",
                     0) == 0);
    CHECK(tree.at("applied").back().at("content") == "bad \xef\xbf\xbd byte, tab\t, unit\x1f");
    // Read back whole.
    CHECK(facts_from_json(tree.at("facts")) == facts);
    REQUIRE(tree.at("applied").size() == objects.size());
    for (std::size_t i = 0; i + 1 < objects.size(); ++i) {
        const OwnedObject back = owned_from_json(tree.at("applied").at(i));
        CHECK(back.object == objects[i].object);
        CHECK(back.origin == objects[i].origin);
        CHECK(back.depends_on == objects[i].depends_on);
    }
    CHECK(service_from_json(tree.at("pending-reloads").at(0)) == pending[0]);
    CHECK(service_from_json(tree.at("pending-reloads").at(1)) == pending[1]);
    // to_json of each value is the same writer's text, parsed.
    CHECK(to_json(facts) == tree.at("facts"));
    CHECK(to_json(objects[1]) == tree.at("applied").at(1));
    CHECK(to_json(pending[1]) == tree.at("pending-reloads").at(1));
    // No pending reloads: no member.
    CHECK_FALSE(parse_state_json(state_json_text(facts, {}, {})).contains("pending-reloads"));
}

TEST_CASE("parse_state_tree reads what nlohmann's parser reads", "[store]") {
    // nlohmann's parse, and refuse_floats' rule: the reader state.json had before.
    auto reference = [](const std::string& text) -> std::optional<StateTree> {
        try {
            StateTree j = StateTree::parse(text);
            std::vector<const StateTree*> pending{&j};
            while (!pending.empty()) {
                const StateTree* v = pending.back();
                pending.pop_back();
                if (v->is_number_float()) return std::nullopt;
                if (v->is_structured())
                    for (const auto& child : *v) pending.push_back(&child);
            }
            return j;
        } catch (const std::exception&) {
            return std::nullopt;
        }
    };
    auto ours = [](const std::string& text) -> std::optional<StateTree> {
        try {
            return parse_state_tree(text);
        } catch (const std::invalid_argument&) {
            return std::nullopt;
        }
    };
    int compared = 0, valid = 0;
    auto same = [&](const std::string& text) {
        INFO(text);
        const auto a = reference(text), b = ours(text);
        CHECK(a.has_value() == b.has_value());
        if (a && b) CHECK(*a == *b);
        ++compared;
        valid += a.has_value();
    };
    std::vector<std::string> texts = {
        state_json_text(every_section(), every_object(), {}),
        R"({"a":1,"a":2,"b":[],"c":{},"d":[[[]]],"e":null,"f":true,"g":false})",
        R"("\"\\\/\b\f\n\r\t\u0000\u001f\u00e9\u20ac\ud83d\ude00 \uD83D\uDE00")",
        "\xef\xbb\xbf{\"bom\":1}",
        " \t\r\n[ 1 , -1 , 0 , -0 , 18446744073709551615 , -9223372036854775808 ] \n",
        "18446744073709551616",
        "-9223372036854775809",
        "1.5",
        "1e5",
        "1E5",
        "-",
        "01",
        "-01",
        "1.",
        ".5",
        "+1",
        "0x10",
        "[1,]",
        "{\"a\":1,}",
        "{,}",
        "[,1]",
        "{\"a\" 1}",
        "{1:2}",
        "\"\\ud800\"",
        "\"\\udc00\"",
        "\"\\ud800\\u0041\"",
        "\"\\ud800\\\"",
        "\"\\u12\"",
        "\"\\uzzzz\"",
        "\"\\x\"",
        "\"a\tb\"",
        "\"\x7f\"",
        "\"\xc3\xa9\"",
        "\"\xc3\"",
        "\"\xff\"",
        "\"\xed\xa0\x80\"",
        "\"\xf4\x90\x80\x80\"",
        "\"\xe0\x80\x80\"",
        "\"unterminated",
        "tru",
        "true false",
        "nul",
        "nulll",
        "",
        " ",
        "{}{}",
        "[]x",
        "{\"a\":}",
        "\"\\u00e9\"",
        // A NUL byte: the end of the input outside a string, refused inside one
        // (found by fuzz_state: "1\0").
        std::string("1\0", 2),
        std::string("1\0x", 3),
        std::string("{}\0 ", 4),
        std::string("\0", 1),
        std::string("[1,\0", 4),
        std::string("\"a\0b\"", 5),
        std::string(" 1 \0\0", 5),
        std::string("{\"a\":1}\0\0\0\0", 11),
    };
    for (const auto& t : texts) same(t);
    // Damaged copies of a real state file: bytes flipped, dropped, and inserted.
    std::mt19937 random(20261130);
    const std::string base = texts[0];
    const std::string interesting = "\"\\{}[],:0123456789-.eEu \x01\x1f\x7f\x80\xc3\xed\xff";
    for (int n = 0; n < 6000; ++n) {
        std::string t = base;
        for (int k = 0, edits = 1 + static_cast<int>(random() % 3); k < edits; ++k) {
            const std::size_t at = random() % t.size();
            const char c = interesting[random() % interesting.size()];
            switch (random() % 3) {
            case 0: t[at] = c; break;
            case 1: t.erase(at, 1); break;
            default: t.insert(at, 1, c);
            }
        }
        same(t);
    }
    CHECK(compared > 6000);
    CHECK(valid > 100);  // the mutations reach both outcomes
    // Deeper than state.json ever nests: refused, with the place.
    const std::string deep = std::string(66, '[') + std::string(66, ']');
    CHECK_THROWS_WITH(parse_state_tree(deep), Catch::Contains("nested too deeply"));
    same(std::string(65, '[') + std::string(65, ']'));
    CHECK_THROWS_WITH(
        parse_state_tree(std::string("{\"a\":1.5}")),
        Catch::Contains("a number hookctl would not write") && Catch::Contains("1.5 at byte 5"));
}

TEST_CASE("StateDir::save writes nothing for the values it loaded, and writes any change",
          "[store]") {
    TempDir dir;
    const std::string file = dir / "state/state.json";
    const auto objects = every_object();
    {
        StateDir first(dir / "state");
        first.ensure_exists();
        first.save(every_section(), objects, {});
    }
    const auto inode = [&] {
        struct stat st {};
        REQUIRE(::stat(file.c_str(), &st) == 0);
        return st.st_ino;  // every write replaces the file (temp + rename): a new inode
    };
    const auto before = inode();

    StateDir state(dir / "state");
    const Facts facts = state.load_facts();
    auto applied = state.load_applied();
    const auto pending = state.load_pending_reloads();
    state.save(facts, applied, pending);
    CHECK(inode() == before);

    // OwnedObject's == ignores the origin; the file holds it, so a new origin is written.
    REQUIRE_FALSE(applied.empty());
    applied.front().origin = "hookctl.toml:99 [[rule]]";
    state.save(facts, applied, pending);
    CHECK(inode() != before);
    CHECK(StateDir(dir / "state").load_applied().front().origin == "hookctl.toml:99 [[rule]]");
}

TEST_CASE("StateDir keeps the replaced state beside state.json and writes into it next",
          "[store]") {
    TempDir dir;
    StateDir state(dir / "state");
    state.ensure_exists();
    Facts first;
    first.boot_id = "1111";
    Facts second;
    second.boot_id = "2222";
    state.save(first, {}, {});
    state.save(second, {}, {});
    CHECK(StateDir(dir / "state").load_facts() == second);
    CHECK(slurp(dir / "state/state.json.old") == state_json_text(first, {}, {}));
    // A run killed while writing the copy leaves it torn; state.json is whole, and the
    // next save rewrites the copy whole before it becomes state.json.
    std::ofstream(dir / "state/state.json.old", std::ios::trunc) << std::string(9000, '{');
    CHECK(StateDir(dir / "state").load_facts() == second);
    Facts third;
    third.boot_id = "3333";
    state.save(third, {}, {});
    CHECK(slurp(dir / "state/state.json") == state_json_text(third, {}, {}));
    CHECK(StateDir(dir / "state").load_facts() == third);
}

TEST_CASE("a damaged state file is an error naming the file", "[store]") {
    TempDir dir;
    struct Case {
        const char* file;
        const char* content;
    };
    // `part` is what is loaded: facts, applied or pending-reloads.
    const std::vector<Case> cases = {
        {"facts", "{ not json"},
        {"facts",
         R"j({"facts": {"interfaces": {"wan0": {"dhcp6": {"prefixes": [{"prefix": "$(reboot)", "iaid": 1}]}}}}})j"},
        {"facts", R"({"facts": {"interfaces": {"../x": {}}}})"},
        {"facts", "[1, 2]"},
        {"applied", "[1, 2"},
        {"applied", R"({"applied": [{"kind": "rule", "family": "ipv9"}]})"},
        {"pending-reloads", R"({"pending-reloads": [{"kind": "reboot"}]})"},
        // Numbers hookctl never writes: converting them to an integer was undefined.
        {"facts", R"({"facts": {"updated": 1e300}})"},
        {"facts", R"({"facts": {"updated": 99999999999999999999999}})"},
        {"applied", R"({"applied": [{"kind": "rule", "family": "ipv6", "priority": 0.5}]})"},
    };
    // Nested deeper than a recursive reader's stack would go: refused, not a crash.
    const std::string deep = std::string(200000, '[') + "0.5" + std::string(200000, ']');
    const std::string deep_facts = R"({"facts": {"updated": )" + deep + "}}";
    std::vector<Case> all = cases;
    all.push_back({"facts", deep_facts.c_str()});
    for (const auto& c : all) {
        INFO(std::string(c.content).substr(0, 200));
        std::ofstream(dir / "state.json", std::ios::trunc) << c.content;
        StateDir state(dir.path.string());  // a new one: each reads the file once
        const std::string name = dir / "state.json";
        try {
            if (std::string(c.file) == "facts")
                state.load_facts();
            else if (std::string(c.file) == "applied")
                state.load_applied();
            else
                state.load_pending_reloads();
            FAIL("no error");
        } catch (const Error& e) {
            CHECK_THAT(e.what(), Catch::StartsWith(name + ": "));
            if (c.content == deep_facts.c_str())
                CHECK_THAT(e.what(), Catch::Contains("nested too deeply"));
        }
    }
}

TEST_CASE("append_json_text: the journal's form of a raw event", "[store][journal]") {
    RawEvent plain;
    plain.source = Source::dhcpcd;
    plain.env = {
        {"reason", "RENEW6"}, {"interface", "wan0"}, {"new_dhcp6_ia_pd1_prefix1", "2001:db8::"}};
    plain.time = 1796060450;
    std::string text;
    append_json_text(text, plain);
    // The form journals already hold (replay reads them back).
    CHECK(text == R"({"source":"dhcpcd","script":"","args":[],"env":{"interface":"wan0",)"
                  R"("new_dhcp6_ia_pd1_prefix1":"2001:db8::","reason":"RENEW6"},"duplicated":[],)"
                  R"("time":1796060450})");
    CHECK(to_json(raw_event_from_json(parse_state_json(text))) == to_json(plain));

    RawEvent hostile;
    hostile.source = Source::ppp;
    hostile.script = "ip-up";
    hostile.args = {"ppp0", "", "quote\" back\\slash", std::string("nul\0byte", 8), "\x7f del"};
    hostile.env = {
        {"new_controls", "tab\t nl\n cr\r bs\b ff\f esc\x1b unit\x1f"},
        {"new_utf8", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
        {"new_not_utf8", "\xff\xfe overlong \xc0\xaf surrogate \xed\xa0\x80"},
        {std::string("new_\xff\xfekey"), "a name that is not UTF-8"},
        {"new_empty", ""},
    };
    hostile.duplicated = {"new_controls"};
    hostile.kernel = {"link wan0 up", "\x80 not text"};
    hostile.time = 0;
    text.clear();
    append_json_text(text, hostile);
    // Valid JSON, no control byte left raw.
    const Json tree = parse_state_json(text);
    CHECK(std::none_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20; }));
    CHECK(tree.at("env").at("new_controls") == hostile.env.at("new_controls"));
    // A value that is not text is kept as its bytes in hex.
    CHECK(tree.at("env").at("new_not_utf8") ==
          Json{{"hex", "fffe206f7665726c6f6e6720c0af20737572726f6761746520eda080"}});
    CHECK(tree.at("kernel").at(1) == Json{{"hex", "80206e6f742074657874"}});
    // A name that is not UTF-8 (the parsers refuse it) is kept with U+FFFD.
    CHECK(tree.at("env").contains("new_\xef\xbf\xbd\xef\xbf\xbdkey"));
    // Read back: every value, text or not, with its bytes.
    const RawEvent back = raw_event_from_json(tree);
    CHECK(back.source == hostile.source);
    CHECK(back.script == hostile.script);
    CHECK(back.args == hostile.args);
    CHECK(back.kernel == hostile.kernel);
    CHECK(back.duplicated == hostile.duplicated);
    CHECK(back.time == hostile.time);
    REQUIRE(back.env.size() == hostile.env.size());
    for (const auto& [name, value] : hostile.env)
        if (name.rfind("new_\xff", 0) != 0) CHECK(back.env.at(name) == value);
    CHECK(back.env.at("new_\xef\xbf\xbd\xef\xbf\xbdkey") == "a name that is not UTF-8");
    // to_json is the same text, parsed.
    CHECK(to_json(hostile) == tree);
}

TEST_CASE("journal: append, update, ids, read, last_id", "[store][journal]") {
    TempDir dir;
    Journal journal(dir.path.string(), 100);
    CHECK(journal.ids().empty());
    CHECK_FALSE(journal.last_id());
    CHECK_FALSE(journal.read(1));

    CHECK(journal.append(Json{{"kind", "event"}, {"n", 1}}) == 1);
    CHECK(journal.append(Json{{"kind", "event"}, {"n", 2}}) == 2);
    CHECK(journal.append(Json{{"kind", "apply"}, {"n", 3}}) == 3);
    CHECK(journal.ids() == std::vector<std::uint64_t>{1, 2, 3});
    CHECK(journal.last_id() == std::optional<std::uint64_t>(3));
    CHECK(entries(dir.path) == std::vector<std::string>{"00000001.jsonl", "last-id"});

    auto two = journal.read(2);
    REQUIRE(two);
    CHECK(two->value("id", 0) == 2);
    CHECK(two->value("n", 0) == 2);

    journal.update(2, Json{{"kind", "event"}, {"status", "applied"}});
    two = journal.read(2);
    REQUIRE(two);
    CHECK(two->value("status", "") == "applied");
    CHECK(two->value("id", 0) == 2);
    CHECK_FALSE(two->contains("n"));  // the newer line replaces the entry whole
    CHECK(journal.ids().size() == 3);

    // Another reader sees what was written: the last line of an id wins.
    Journal reader(dir.path.string(), 100);
    CHECK(reader.read(2)->value("status", "") == "applied");
    CHECK(reader.read(1)->value("n", 0) == 1);

    // Stray files are not entries; without its counter the journal finds the newest
    // entry on disk and goes on from there.
    std::ofstream(dir / "notes.txt") << "x";
    std::ofstream(dir / "00000009.json.tmp.1") << "x";
    fs::remove(dir / "last-id");
    Journal again(dir.path.string(), 100);
    CHECK(again.append(Json::object()) == 4);
    CHECK(again.ids() == std::vector<std::uint64_t>{1, 2, 3, 4});
    // An entry's own "id" gives way to the journal's: one "id" in the line.
    CHECK(again.append(Json{{"id", 99}, {"n", 5}}) == 5);
    const std::string segment = slurp(dir / "00000001.jsonl");
    CHECK(segment.substr(segment.rfind('{')) == "{\"n\":5,\"id\":5}\n");
    CHECK(Journal(dir.path.string()).read(5)->value("n", 0) == 5);
}

TEST_CASE("journal: a line cut short by a crash is skipped", "[store][journal]") {
    TempDir dir;
    {
        Journal journal(dir.path.string(), 100);
        journal.append(Json{{"n", 1}});
        journal.append(Json{{"n", 2}});
    }
    std::ofstream(dir / "00000001.jsonl", std::ios::app) << "{\"id\": 3, \"n\":";  // torn
    Journal journal(dir.path.string(), 100);
    CHECK(journal.ids() == std::vector<std::uint64_t>{1, 2});
    CHECK(journal.read(2)->value("n", 0) == 2);
    // Appending after the torn line still yields readable entries.
    std::ofstream(dir / "00000001.jsonl", std::ios::app) << "\n";
    CHECK(journal.append(Json{{"n", 3}}) == 3);
    Journal reader(dir.path.string(), 100);
    CHECK(reader.read(3)->value("n", 0) == 3);
}

TEST_CASE("journal: the oldest entries are pruned past max entries", "[store][journal]") {
    TempDir dir;
    Journal journal(dir.path.string(), 150);
    for (int i = 1; i <= 401; ++i)
        REQUIRE(journal.append(Json{{"n", i}}) == static_cast<std::uint64_t>(i));
    auto ids = journal.ids();
    REQUIRE(ids.size() == 150);
    CHECK(ids.front() == 252);
    CHECK(ids.back() == 401);
    CHECK_FALSE(journal.read(251));
    CHECK(journal.read(401)->value("n", 0) == 401);
    // Whole segments go once every id in them is out of the window: 1-100 and
    // 101-200 are gone, 201-300 holds 252.. and stays.
    CHECK(entries(dir.path) == std::vector<std::string>{"00000201.jsonl", "00000301.jsonl",
                                                        "00000401.jsonl", "last-id"});
}

TEST_CASE("the state lock serialises two processes", "[store][lock]") {
    TempDir dir;
    StateDir state(dir / "state");
    state.ensure_exists();
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    const auto hold = std::chrono::milliseconds(200);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        ::close(ready[0]);
        int code = 0;
        try {
            StateLock lock = state.lock();
            if (::write(ready[1], "L", 1) != 1) code = 3;
            ::usleep(static_cast<useconds_t>(std::chrono::microseconds(hold).count()));
        } catch (...) {
            code = 4;
        }
        ::_exit(code);  // no Catch2 teardown in the child
    }
    ::close(ready[1]);
    char c = 0;
    REQUIRE(::read(ready[0], &c, 1) == 1);  // the child holds the lock now
    ::close(ready[0]);
    const auto t0 = std::chrono::steady_clock::now();
    {
        StateLock lock = state.lock();
        const auto waited = std::chrono::steady_clock::now() - t0;
        CHECK(waited >= std::chrono::milliseconds(150));
        // The child is gone by the time we hold it (it released by exiting).
        int status = 0;
        REQUIRE(::waitpid(child, &status, 0) == child);
        CHECK(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }
    // Released on destruction: taking it again is immediate.
    const auto t1 = std::chrono::steady_clock::now();
    StateLock again = state.lock();
    CHECK(std::chrono::steady_clock::now() - t1 < std::chrono::milliseconds(100));
}
