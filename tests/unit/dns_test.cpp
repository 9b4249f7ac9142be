// Dynamic DNS without a server: the nsupdate script and argv byte for byte, the
// timing derived from the zone's timeout, the key-file checks (refused before any
// process runs), the DnsUpdater flow over a RecordingProcessRunner and a scripted
// querier, the DNS packet builder and parser, UdpDnsQuerier against a loopback
// socket of the test's own, and the status helper. tests/netns/dns.sh runs named.
#include "dns_status.hpp"
#include "dns_updater.hpp"
#include "scripted_querier.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.hpp"

using namespace hookctl;
namespace fs = std::filesystem;

using hookctl::test::slurp;
using hookctl::test::TempDir;

namespace {

const char* const key_text =
    "key \"upd-key\" {\n\talgorithm hmac-sha256;\n\tsecret \"VE+j/o9IVe+25ZyvpIXX5VPhPZi1PSmq8PevpIyocfo=\";\n};\n";

std::string write_key(const fs::path& p, unsigned mode, const std::string& text = key_text) {
    std::ofstream(p, std::ios::binary) << text;
    REQUIRE(::chmod(p.c_str(), mode) == 0);
    return p.string();
}

DnsRecordObject record(DnsType type = DnsType::aaaa,
                       const std::string& value = "2001:db8:100::321") {
    DnsRecordObject r;
    r.server = "::1";
    r.port = 5300;
    r.zone = "dyn.example.org";
    r.name = "router.dyn.example.org";
    r.type = type;
    r.value = parse_address(value, "test");
    r.ttl = 300;
    return r;
}

Action action(Action::Op op, const DnsRecordObject& r) {
    Action a;
    a.op = op;
    a.object = r;
    return a;
}

using test::ScriptedQuerier;

DnsQuerier::Result answer(std::vector<std::string> addrs, std::uint8_t rcode = 0) {
    DnsAnswer a;
    a.rcode = rcode;
    a.authoritative = true;
    for (const auto& s : addrs) a.addresses.push_back(parse_address(s, "test"));
    return {a, ""};
}

ProcessResult exited(int code, std::string output = "") {
    ProcessResult r;
    r.exit_code = code;
    r.output = std::move(output);
    return r;
}

// A reply to build_query(id, name, AAAA) with the given answer records appended.
std::vector<std::uint8_t> reply(std::uint16_t id, const std::string& name, std::uint16_t flags,
                                std::uint16_t ancount, const std::vector<std::uint8_t>& answers,
                                DnsType type = DnsType::aaaa) {
    std::vector<std::uint8_t> p = build_query(id, name, type);
    p[2] = static_cast<std::uint8_t>(flags >> 8);
    p[3] = static_cast<std::uint8_t>(flags & 0xff);
    p[7] = static_cast<std::uint8_t>(ancount);
    p.insert(p.end(), answers.begin(), answers.end());
    return p;
}

std::vector<std::uint8_t> aaaa_rr_at_question(const std::string& addr) {
    std::vector<std::uint8_t> rr{0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01,
                                 0x00, 0x00, 0x01, 0x2c, 0x00, 0x10};
    const IpAddress a = parse_address(addr, "test");
    rr.insert(rr.end(), a.bytes.begin(), a.bytes.end());
    return rr;
}

}  // namespace

TEST_CASE("nsupdate_script: one atomic message per action, byte for byte", "[dns]") {
    CHECK(nsupdate_script(record(), false) ==
          "server ::1 5300\n"
          "zone dyn.example.org.\n"
          "update delete router.dyn.example.org. AAAA\n"
          "update add router.dyn.example.org. 300 AAAA 2001:db8:100::321\n"
          "send\n");
    DnsRecordObject a = record(DnsType::a, "198.51.100.7");
    a.server = "127.0.0.1";
    a.port = 53;
    a.ttl = 60;
    CHECK(nsupdate_script(a, false) ==
          "server 127.0.0.1 53\n"
          "zone dyn.example.org.\n"
          "update delete router.dyn.example.org. A\n"
          "update add router.dyn.example.org. 60 A 198.51.100.7\n"
          "send\n");
    CHECK(nsupdate_script(record(), true) ==
          "server ::1 5300\n"
          "zone dyn.example.org.\n"
          "update delete router.dyn.example.org. AAAA\n"
          "send\n");
    DnsRecordObject apex = record();
    apex.name = "dyn.example.org";
    CHECK(nsupdate_script(apex, false).find("update add dyn.example.org. 300 AAAA") !=
          std::string::npos);
}

TEST_CASE("nsupdate_script refuses anything that could be a second command", "[dns]") {
    auto r = record();
    r.name = "router.dyn.example.org.\nupdate delete dyn.example.org";
    CHECK_THROWS_WITH(nsupdate_script(r, false), Catch::Contains("not a plain domain name"));
    r = record();
    r.name = "router dyn.example.org";
    CHECK_THROWS(nsupdate_script(r, false));
    r = record();
    r.zone = "dyn.example.org;";
    CHECK_THROWS(nsupdate_script(r, false));
    r = record();
    r.server = "::1 53\nsend";
    CHECK_THROWS_WITH(nsupdate_script(r, false), Catch::Contains("not an address"));
    r = record();
    r.name = "router.example.com";
    CHECK_THROWS_WITH(nsupdate_script(r, false),
                      Catch::Contains("not inside zone dyn.example.org"));
    r = record();
    r.name = "xdyn.example.org";  // a suffix, not a subdomain
    CHECK_THROWS(nsupdate_script(r, false));
    r = record(DnsType::a, "2001:db8::1");
    CHECK_THROWS_WITH(nsupdate_script(r, false), Catch::Contains("A cannot hold 2001:db8::1"));
}

TEST_CASE("nsupdate_timing bounds a silent server by the zone timeout", "[dns]") {
    const NsupdateTiming d = nsupdate_timing(3000);
    CHECK(d.udp_timeout_s == 1);
    CHECK(d.udp_retries == 2);
    CHECK(d.total_s == 3);
    CHECK(d.kill_after_ms == 3500);
    CHECK(d.query_timeout_ms == 1000);
    CHECK(d.query_tries == 2);
    CHECK(d.worst_case_ms() == 5500);
    const NsupdateTiming ten = nsupdate_timing(10000);
    CHECK((ten.udp_timeout_s == 3 && ten.udp_retries == 2 && ten.total_s == 10 &&
           ten.kill_after_ms == 10500));
    const NsupdateTiming one = nsupdate_timing(1000);
    CHECK((one.udp_timeout_s == 1 && one.udp_retries == 0 && one.total_s == 1 &&
           one.kill_after_ms == 1500));
    CHECK(one.query_timeout_ms == 333);
    const NsupdateTiming two = nsupdate_timing(2500);
    CHECK((two.udp_timeout_s == 1 && two.udp_retries == 1 && two.total_s == 2 &&
           two.kill_after_ms == 3000));
    const NsupdateTiming tiny = nsupdate_timing(300);
    CHECK((tiny.total_s == 1 && tiny.udp_retries == 0 && tiny.kill_after_ms == 1500 &&
           tiny.query_timeout_ms == 200));
    // (r+1)*u never exceeds -t.
    for (std::uint32_t ms : {1000u, 2000u, 3000u, 4000u, 5000u, 9000u, 30000u})
        CHECK((nsupdate_timing(ms).udp_retries + 1) * nsupdate_timing(ms).udp_timeout_s <=
              nsupdate_timing(ms).total_s);
}

TEST_CASE("nsupdate_argv", "[dns]") {
    auto r = record();
    r.key_file = "/etc/hookctl/ddns.key";
    CHECK(nsupdate_argv("nsupdate", r, nsupdate_timing(3000), "/tmp/s") ==
          std::vector<std::string>{"nsupdate", "-k", "/etc/hookctl/ddns.key", "-t", "3", "-u", "1",
                                   "-r", "2", "/tmp/s"});
    r.key_file.clear();
    CHECK(nsupdate_argv("/usr/bin/nsupdate", r, nsupdate_timing(9000), "/tmp/s") ==
          std::vector<std::string>{"/usr/bin/nsupdate", "-t", "9", "-u", "3", "-r", "2", "/tmp/s"});
}

TEST_CASE("key_file_problem: owner, mode, type, content", "[dns][key]") {
    TempDir d;
    const uid_t me = ::getuid();
    const std::string good = write_key(d.path / "ddns.key", 0600);
    CHECK_FALSE(key_file_problem(good, me));
    CHECK_FALSE(key_file_problem(write_key(d.path / "ro.key", 0400), me));

    const std::string world = write_key(d.path / "world.key", 0644);
    auto p = key_file_problem(world, me);
    REQUIRE(p);
    const std::string who = me == 0 ? "root" : fmt::format("uid {}", me);
    CHECK(*p == fmt::format(
                    "TSIG key file {} is mode 0644 owned by {}: a key must be owned by {} and not "
                    "readable or writable by group or others; fix: chmod 600 {}; nothing was sent",
                    world, who, who, world));
    CHECK(key_file_problem(write_key(d.path / "group.key", 0640), me));
    CHECK(key_file_problem(write_key(d.path / "gw.key", 0620), me));
    CHECK(key_file_problem(write_key(d.path / "ow.key", 0602), me));

    p = key_file_problem(good, me + 1);
    REQUIRE(p);
    CHECK_THAT(*p, Catch::Contains(fmt::format("owned by {}:", who)) &&
                       Catch::Contains(fmt::format("fix: chown {} {};", me + 1, good)));
    if (me != 0) {
        p = key_file_problem(good, 0);
        REQUIRE(p);
        CHECK_THAT(
            *p, Catch::Contains("must be owned by root") && Catch::Contains("chown root " + good));
    }
    p = key_file_problem(world, me + 1);
    REQUIRE(p);
    CHECK_THAT(*p, Catch::Contains("fix: chown") && Catch::Contains(" && chmod 600 " + world));

    p = key_file_problem((d.path / "missing.key").string(), me);
    REQUIRE(p);
    CHECK_THAT(*p, Catch::Contains("missing.key: No such file or directory; nothing was sent"));
    fs::create_directory(d.path / "dir.key");
    ::chmod((d.path / "dir.key").c_str(), 0700);
    CHECK_THAT(*key_file_problem((d.path / "dir.key").string(), me),
               Catch::Contains("is not a regular file"));
    p = key_file_problem(write_key(d.path / "junk.key", 0600, "garbage\n"), me);
    REQUIRE(p);
    CHECK_THAT(*p, Catch::Contains("does not look like a key"));

    // A dnssec-keygen pair: the secret is in the .private twin, which is what counts.
    write_key(d.path / "Kupd-key.+163+12345.key", 0644, "upd-key. IN KEY 512 3 163 c2VjcmV0\n");
    const std::string priv =
        write_key(d.path / "Kupd-key.+163+12345.private", 0600,
                  "Private-key-format: v1.3\nAlgorithm: 163 (HMAC_SHA256)\nKey: c2VjcmV0\n");
    CHECK_FALSE(key_file_problem((d.path / "Kupd-key.+163+12345.key").string(), me));
    ::chmod(priv.c_str(), 0644);
    CHECK_THAT(*key_file_problem((d.path / "Kupd-key.+163+12345.key").string(), me),
               Catch::Contains("Kupd-key.+163+12345.private is mode 0644"));
}

TEST_CASE("DnsUpdater: a world-readable key is refused before any process runs", "[dns][key]") {
    TempDir d;
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    DnsUpdaterOptions o;
    o.key_owner = ::getuid();
    o.temp_dir = d.path.string();
    DnsUpdater up(runner, querier, o);
    auto r = record();
    r.key_file = write_key(d.path / "ddns.key", 0644);
    const ActionResult res = up.apply(action(Action::Op::add, r));
    CHECK(res.status == ActionResult::Status::failed);
    CHECK_THAT(res.message, Catch::Contains("mode 0644") &&
                                Catch::Contains("chmod 600 " + r.key_file) &&
                                Catch::Contains("nothing was sent"));
    CHECK(runner.runs().empty());
    CHECK(querier.calls == 0);
    // No script file left behind either (none was made).
    CHECK(std::distance(fs::directory_iterator(d.path), fs::directory_iterator()) == 1);
}

TEST_CASE(
    "DnsUpdater: nsupdate gets the script from a private temp file, then the answer is checked",
    "[dns]") {
    TempDir d;
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    querier.results = {answer({"2001:db8:100::321"})};
    DnsUpdaterOptions o;
    o.key_owner = ::getuid();
    o.temp_dir = d.path.string();
    o.timeout_ms[zone_id("::1", 5300, "dyn.example.org")] = 6000;
    DnsUpdater up(runner, querier, o);
    auto r = record();
    r.key_file = write_key(d.path / "ddns.key", 0600);
    std::string seen_script, script_path;
    unsigned seen_mode = 0;
    runner.set_responder([&](const Command& c) {
        script_path = c.argv.back();
        seen_script = slurp(script_path);
        struct stat st {};
        ::stat(script_path.c_str(), &st);
        seen_mode = st.st_mode & 07777;
        return exited(0);
    });
    const ActionResult res = up.apply(action(Action::Op::replace, r));
    CHECK(res.status == ActionResult::Status::done);
    CHECK_THAT(res.message,
               Catch::Contains("::1#5300 confirms router.dyn.example.org AAAA 2001:db8:100::321"));
    REQUIRE(runner.runs().size() == 1);
    const Command& c = runner.runs()[0].command;
    CHECK(c.argv == std::vector<std::string>{"nsupdate", "-k", r.key_file, "-t", "6", "-u", "2",
                                             "-r", "2", script_path});
    CHECK(c.timeout_ms == 6500);
    CHECK(seen_script == nsupdate_script(r, false));
    CHECK(seen_mode == 0600);
    CHECK(script_path.rfind(d.path.string() + "/hookctl-nsupdate-", 0) == 0);
    CHECK_FALSE(fs::exists(script_path));  // removed afterwards
    CHECK(querier.calls == 1);
}

TEST_CASE("DnsUpdater: the server's answer decides", "[dns]") {
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    DnsUpdater up(runner, querier, DnsUpdaterOptions{});
    const auto r = record();  // no key file: unsigned zone

    SECTION("another value: failed, stays pending") {
        querier.results = {answer({"2001:db8:100::321", "2001:db8:1cd::321"})};
        const ActionResult res = up.apply(action(Action::Op::add, r));
        CHECK(res.status == ActionResult::Status::failed);
        CHECK_THAT(
            res.message,
            Catch::Contains(
                "update sent (nsupdate 0 ms) but ::1#5300 answers 2001:db8:100::321, "
                "2001:db8:1cd::321 for router.dyn.example.org AAAA (expected 2001:db8:100::321)"));
    }
    SECTION("NXDOMAIN after an add") {
        querier.results = {answer({}, 3)};
        CHECK_THAT(up.apply(action(Action::Op::add, r)).message,
                   Catch::Contains("answers NXDOMAIN"));
    }
    SECTION("not authoritative") {
        auto q = answer({"2001:db8:100::321"});
        q.answer->authoritative = false;
        querier.results = {q};
        const ActionResult res = up.apply(action(Action::Op::add, r));
        CHECK(res.status == ActionResult::Status::failed);
        CHECK_THAT(res.message, Catch::Contains("(not authoritative)"));
    }
    SECTION("no answer twice: failed after two tries") {
        const ActionResult res = up.apply(action(Action::Op::add, r));
        CHECK(res.status == ActionResult::Status::failed);
        CHECK_THAT(res.message, Catch::Contains("did not answer the check query"));
        CHECK(querier.calls == 2);
    }
    SECTION("remove: gone when NXDOMAIN or no record of the type") {
        querier.results = {answer({}, 3)};
        CHECK(up.apply(action(Action::Op::remove, r)).status == ActionResult::Status::done);
        querier.results = {answer({})};
        querier.calls = 0;
        CHECK(up.apply(action(Action::Op::remove, r)).status == ActionResult::Status::done);
        querier.results = {answer({"2001:db8:100::321"})};
        querier.calls = 0;
        CHECK(up.apply(action(Action::Op::remove, r)).status == ActionResult::Status::failed);
        REQUIRE(runner.runs().size() == 3);
        CHECK(runner.runs()[0].command.argv ==
              std::vector<std::string>{"nsupdate", "-t", "3", "-u", "1", "-r", "2",
                                       runner.runs()[0].command.argv.back()});
    }
}

TEST_CASE("DnsUpdater: nsupdate's exit codes become messages", "[dns]") {
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    querier.results = {answer({"2001:db8:100::321"})};
    DnsUpdater up(runner, querier, DnsUpdaterOptions{});
    auto r = record();
    r.key_file = "";

    SECTION("exit 1: input") {
        runner.push_result(exited(1, "ttl 'AAAA': not a valid number\nsyntax error\n"));
        CHECK(
            up.apply(action(Action::Op::add, r)).message ==
            "nsupdate rejected its input (exit 1): ttl 'AAAA': not a valid number | syntax error");
    }
    SECTION("exit 2: bad signature") {
        runner.push_result(exited(
            2, "; TSIG error with server: tsig indicates error\nupdate failed: NOTAUTH(BADSIG)\n"));
        CHECK_THAT(
            up.apply(action(Action::Op::add, r)).message,
            Catch::StartsWith(
                "::1#5300 rejected the TSIG signature (exit 2): wrong key name, secret or") &&
                Catch::EndsWith("update failed: NOTAUTH(BADSIG)"));
    }
    SECTION("exit 2: refused by policy") {
        runner.push_result(exited(2, "update failed: REFUSED\n"));
        CHECK_THAT(
            up.apply(action(Action::Op::add, r)).message,
            Catch::StartsWith(
                "::1#5300 refused the update (exit 2): its update-policy does not let this key "
                "change router.dyn.example.org"));
    }
    SECTION("exit 0 but the key was not read: unsigned, so not trusted") {
        runner.push_result(
            exited(0, "could not read key from /k.{private,key}: unexpected token\n"));
        const ActionResult res = up.apply(action(Action::Op::add, r));
        CHECK(res.status == ActionResult::Status::failed);
        CHECK_THAT(res.message,
                   Catch::Contains("could not read the key") && Catch::Contains("unsigned"));
        CHECK(querier.calls == 0);
    }
    SECTION("not installed") {
        ProcessResult nr;
        nr.error = "nsupdate: not found on PATH";
        runner.push_result(nr);
        CHECK_THAT(up.apply(action(Action::Op::add, r)).message, Catch::Contains("bind9-dnsutils"));
    }
    SECTION("a server that timed out is not tried again in the same run") {
        runner.push_result(exited(2, "; Communication with ::1#5300 failed: timed out\n"));
        const ActionResult first = up.apply(action(Action::Op::add, r));
        CHECK(first.message ==
              "no answer from ::1#5300 (exit 2): server down or unreachable: "
              "; Communication with ::1#5300 failed: timed out");
        auto desk = r;
        desk.name = "desk.dyn.example.org";
        const ActionResult second = up.apply(action(Action::Op::add, desk));
        CHECK(second.status == ActionResult::Status::failed);
        CHECK(second.message == "not sent: ::1#5300 did not answer an update earlier in this run");
        CHECK(runner.runs().size() == 1);
        // Another server is still tried.
        auto other = r;
        other.server = "127.0.0.1";
        up.apply(action(Action::Op::add, other));
        CHECK(runner.runs().size() == 2);
    }
    SECTION("killed at the deadline") {
        ProcessResult k;
        k.timed_out = true;
        k.elapsed_ms = 3500;
        runner.push_result(k);
        CHECK_THAT(up.apply(action(Action::Op::add, r)).message,
                   Catch::StartsWith("no answer from ::1#5300: nsupdate killed after 3500 ms"));
        up.apply(action(Action::Op::add, r));
        CHECK(runner.runs().size() == 1);
    }
}

TEST_CASE("DnsUpdater: only DNS add/replace/remove", "[dns]") {
    RecordingProcessRunner runner;
    ScriptedQuerier querier;
    DnsUpdater up(runner, querier);
    Action a;
    a.op = Action::Op::add;
    a.object = SysctlObject{"net.ipv6.conf.all.forwarding", "1"};
    CHECK(up.apply(a).status == ActionResult::Status::failed);
    CHECK(up.apply(action(Action::Op::run, record())).status == ActionResult::Status::failed);
    CHECK(runner.runs().empty());
}

TEST_CASE("build_query: RFC 1035 query, RD clear", "[dns][wire]") {
    const std::vector<std::uint8_t> want{
        0x12, 0x34, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 6,   'r',
        'o',  'u',  't',  'e',  'r',  3,    'd',  'y',  'n',  7,    'e',  'x',  'a', 'm',
        'p',  'l',  'e',  3,    'o',  'r',  'g',  0,    0x00, 0x1c, 0x00, 0x01};
    CHECK(build_query(0x1234, "router.dyn.example.org", DnsType::aaaa) == want);
    auto a = build_query(0xffff, "x.y", DnsType::a);
    CHECK(a == std::vector<std::uint8_t>{0xff, 0xff, 0,   0, 0,   1, 0, 0, 0, 0, 0,
                                         0,    1,    'x', 1, 'y', 0, 0, 1, 0, 1});
    CHECK_THROWS(build_query(1, "", DnsType::a));
    CHECK_THROWS(build_query(1, "a..b", DnsType::a));
    CHECK_THROWS(build_query(1, "a.", DnsType::a));
    CHECK_THROWS(build_query(1, std::string(64, 'a') + ".org", DnsType::a));
    CHECK_THROWS(build_query(1, "a b.org", DnsType::a));
    CHECK_NOTHROW(build_query(1, std::string(63, 'a') + ".org", DnsType::a));
}

TEST_CASE("parse_answer: records of the asked type at the asked name", "[dns][wire]") {
    const std::string name = "router.dyn.example.org";
    SECTION("one AAAA, compressed owner") {
        const auto p = reply(7, name, 0x8400, 1, aaaa_rr_at_question("2001:db8:100::321"));
        const DnsAnswer a = parse_answer(p, 7, name, DnsType::aaaa);
        CHECK(a.rcode == 0);
        CHECK(a.authoritative);
        CHECK_FALSE(a.truncated);
        REQUIRE(a.addresses.size() == 1);
        CHECK(a.addresses[0].to_string() == "2001:db8:100::321");
        CHECK(describe(a, DnsType::aaaa) == "2001:db8:100::321");
    }
    SECTION("case-insensitive question match, a CNAME and a record at another name skipped") {
        // answer 1: ROUTER.dyn.example.org CNAME (skipped by type), answer 2: other.<ptr to dyn> AAAA (other name),
        // answer 3: the one we want.
        std::vector<std::uint8_t> rrs{0xc0, 0x0c, 0x00, 0x05, 0x00, 0x01, 0,
                                      0,    0,    60,   0x00, 0x02, 0xc0, 0x13};
        std::vector<std::uint8_t> other{5,    'o',  't',  'h', 'e', 'r', 0xc0, 0x13, 0x00,
                                        0x1c, 0x00, 0x01, 0,   0,   0,   60,   0,    16};
        const IpAddress x = parse_address("2001:db8::99", "t");
        other.insert(other.end(), x.bytes.begin(), x.bytes.end());
        rrs.insert(rrs.end(), other.begin(), other.end());
        const auto mine = aaaa_rr_at_question("2001:db8:1cd::321");
        rrs.insert(rrs.end(), mine.begin(), mine.end());
        auto p = reply(9, name, 0x8400, 3, rrs);
        p[13] = 'R';  // ROUTER in the question
        const DnsAnswer a = parse_answer(p, 9, name, DnsType::aaaa);
        REQUIRE(a.addresses.size() == 1);
        CHECK(a.addresses[0].to_string() == "2001:db8:1cd::321");
    }
    SECTION("A record") {
        std::vector<std::uint8_t> rr{0xc0, 0x0c, 0x00, 0x01, 0x00, 0x01, 0,   0,
                                     0,    60,   0x00, 0x04, 198,  51,   100, 7};
        const DnsAnswer a =
            parse_answer(reply(1, name, 0x8400, 1, rr, DnsType::a), 1, name, DnsType::a);
        REQUIRE(a.addresses.size() == 1);
        CHECK(a.addresses[0].to_string() == "198.51.100.7");
    }
    SECTION("NXDOMAIN, NODATA, not authoritative") {
        DnsAnswer a = parse_answer(reply(1, name, 0x8403, 0, {}), 1, name, DnsType::aaaa);
        CHECK(a.rcode == 3);
        CHECK(describe(a, DnsType::aaaa) == "NXDOMAIN");
        a = parse_answer(reply(1, name, 0x8400, 0, {}), 1, name, DnsType::aaaa);
        CHECK(describe(a, DnsType::aaaa) == "no AAAA record");
        a = parse_answer(reply(1, name, 0x8005, 0, {}), 1, name, DnsType::aaaa);
        CHECK(describe(a, DnsType::aaaa) == "REFUSED");
        a = parse_answer(reply(1, name, 0x8200, 1, aaaa_rr_at_question("2001:db8::1")), 1, name,
                         DnsType::aaaa);
        CHECK(describe(a, DnsType::aaaa) == "2001:db8::1 (not authoritative) (truncated)");
    }
    SECTION("not our answer, or malformed") {
        const auto good = reply(7, name, 0x8400, 1, aaaa_rr_at_question("2001:db8::1"));
        CHECK_THROWS_WITH(parse_answer(good, 8, name, DnsType::aaaa), Catch::Contains("other id"));
        CHECK_THROWS_WITH(parse_answer(good, 7, "desk.dyn.example.org", DnsType::aaaa),
                          Catch::Contains("other question"));
        CHECK_THROWS_WITH(parse_answer(good, 7, name, DnsType::a),
                          Catch::Contains("other question"));
        CHECK_THROWS_WITH(parse_answer(reply(7, name, 0x0400, 0, {}), 7, name, DnsType::aaaa),
                          Catch::Contains("not a response"));
        for (std::size_t cut = 0; cut < good.size(); ++cut)
            CHECK_THROWS(parse_answer(
                std::vector<std::uint8_t>(good.begin(), good.begin() + static_cast<long>(cut)), 7,
                name, DnsType::aaaa));
        auto loop =
            reply(7, name, 0x8400, 1, {0xc0, 40, 0x00, 0x1c, 0x00, 0x01, 0, 0, 0, 60, 0, 16});
        CHECK_THROWS_WITH(parse_answer(loop, 7, name, DnsType::aaaa),
                          Catch::Contains("compression pointer"));
        std::vector<std::uint8_t> short_rdata{0xc0, 0x0c, 0x00, 0x1c, 0x00, 0x01, 0, 0,
                                              0,    60,   0x00, 0x04, 1,    2,    3, 4};
        CHECK_THROWS_WITH(
            parse_answer(reply(7, name, 0x8400, 1, short_rdata), 7, name, DnsType::aaaa),
            Catch::Contains("rdata of 4 bytes"));
    }
}

TEST_CASE("UdpDnsQuerier against a loopback socket", "[dns][udp]") {
    const int s = ::socket(AF_INET6, SOCK_DGRAM, 0);
    REQUIRE(s >= 0);
    sockaddr_in6 sa{};
    sa.sin6_family = AF_INET6;
    sa.sin6_addr = in6addr_loopback;
    REQUIRE(::bind(s, reinterpret_cast<sockaddr*>(&sa), sizeof sa) == 0);
    socklen_t len = sizeof sa;
    ::getsockname(s, reinterpret_cast<sockaddr*>(&sa), &len);
    const std::uint16_t port = ntohs(sa.sin6_port);
    const IpAddress lo = parse_address("::1", "t");
    UdpDnsQuerier q;

    SECTION("answers: a stray reply with another id is ignored, then the real one") {
        std::thread server([&] {
            std::vector<std::uint8_t> buf(512);
            sockaddr_in6 from{};
            socklen_t fl = sizeof from;
            const ssize_t n =
                ::recvfrom(s, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &fl);
            if (n < 12) return;
            const std::uint16_t id = static_cast<std::uint16_t>(buf[0] << 8 | buf[1]);
            auto stray = reply(static_cast<std::uint16_t>(id + 1), "router.dyn.example.org", 0x8400,
                               1, aaaa_rr_at_question("2001:db8::bad"));
            ::sendto(s, stray.data(), stray.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
            auto good = reply(id, "router.dyn.example.org", 0x8400, 1,
                              aaaa_rr_at_question("2001:db8::321"));
            ::sendto(s, good.data(), good.size(), 0, reinterpret_cast<sockaddr*>(&from), fl);
        });
        const auto r = q.query(lo, port, "router.dyn.example.org", DnsType::aaaa, 2000);
        server.join();
        REQUIRE(r.answer);
        REQUIRE(r.answer->addresses.size() == 1);
        CHECK(r.answer->addresses[0].to_string() == "2001:db8::321");
    }
    SECTION("silence: gives up at the timeout") {
        const auto t0 = std::chrono::steady_clock::now();
        const auto r = q.query(lo, port, "router.dyn.example.org", DnsType::aaaa, 200);
        const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::steady_clock::now() - t0)
                            .count();
        CHECK_FALSE(r.answer);
        CHECK(r.error == "no answer within 200 ms");
        CHECK(ms >= 190);
        CHECK(ms < 1000);
    }
    ::close(s);
    SECTION("nothing listening: connection refused at once") {
        const auto r = q.query(lo, port, "router.dyn.example.org", DnsType::aaaa, 2000);
        CHECK_FALSE(r.answer);
        CHECK(r.error == "connection refused");
    }
}

TEST_CASE("dns_status: desired, confirmed, pending, failed, held", "[dns][status]") {
    const auto router = record();
    auto moved = router;
    moved.value = parse_address("2001:db8:1cd::321", "t");
    auto desk = record();
    desk.name = "desk.dyn.example.org";
    auto a4 = record(DnsType::a, "198.51.100.7");
    auto gone = record();
    gone.name = "old.dyn.example.org";
    const std::vector<OwnedObject> applied{
        {router, "", {}}, {desk, "", {}}, {a4, "", {}}, {gone, "", {}}};
    const std::vector<OwnedObject> desired{{moved, "", {}}, {desk, "", {}}};
    Json failed_action = to_json(action(Action::Op::replace, moved));
    failed_action["result"] = "failed";
    failed_action["message"] = "::1#5300 refused the update";
    Json journal = Json::array({Json{{"actions", Json::array({failed_action})}}});

    const auto st = dns_status(desired, {key_of(Object{a4})}, applied, journal);
    REQUIRE(st.size() == 4);
    CHECK(st[0].name == "router.dyn.example.org");
    CHECK(st[0].desired->to_string() == "2001:db8:1cd::321");
    CHECK(st[0].confirmed->to_string() == "2001:db8:100::321");
    CHECK(st[0].state == DnsRecordStatus::State::failed);
    CHECK(st[0].message == "::1#5300 refused the update");
    CHECK(st[1].state == DnsRecordStatus::State::confirmed);
    CHECK(st[2].type == DnsType::a);
    CHECK(st[2].state == DnsRecordStatus::State::held);
    CHECK_FALSE(st[2].desired);
    CHECK(st[3].name == "old.dyn.example.org");
    CHECK(st[3].state == DnsRecordStatus::State::pending);
    CHECK(
        format_dns_status(st) ==
        "  router.dyn.example.org AAAA @::1#5300: desired 2001:db8:1cd::321, confirmed 2001:db8:100::321: failed\n"
        "      ::1#5300 refused the update\n"
        "  desk.dyn.example.org AAAA @::1#5300: desired 2001:db8:100::321, confirmed 2001:db8:100::321: confirmed\n"
        "  router.dyn.example.org A @::1#5300: desired unknown (fact missing; kept), confirmed 198.51.100.7: held\n"
        "  old.dyn.example.org AAAA @::1#5300: desired none (to be removed), confirmed 2001:db8:100::321: pending\n");
    CHECK(
        to_json(st[0]).dump() ==
        R"({"name":"router.dyn.example.org","type":"AAAA","server":"::1#5300","desired":"2001:db8:1cd::321",)"
        R"("confirmed":"2001:db8:100::321","state":"failed","message":"::1#5300 refused the update"})");

    // A failure for an older value does not make the new one "failed": it is pending.
    auto third = moved;
    third.value = parse_address("2001:db8:2::321", "t");
    const auto st2 = dns_status({{third, "", {}}}, {}, applied, journal);
    CHECK(st2[0].state == DnsRecordStatus::State::pending);
    // Never applied, never tried: pending with nothing confirmed.
    const auto st3 = dns_status({{third, "", {}}}, {}, {}, Json::array());
    CHECK(st3.size() == 1);
    CHECK(st3[0].state == DnsRecordStatus::State::pending);
    CHECK_FALSE(st3[0].confirmed);
}
