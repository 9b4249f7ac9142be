// radvd.conf rendering (exact text) and FileWriter against a temp directory with a
// recording process runner: the validator is scripted, the filesystem is real.
#include "radvd.hpp"
#include "file_writer.hpp"
#include "process.hpp"

#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <chrono>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <sys/stat.h>
#include <unistd.h>

#include "temp_dir.hpp"

using namespace hookctl;
namespace fs = std::filesystem;

using hookctl::test::slurp;
using hookctl::test::TempDir;

namespace {

IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
IpAddress addr(const char* s) {
    return parse_address(s, "test");
}

RadvdInterfaceInput lan(const char* ifname, const RadvdInterfaceConfig* c) {
    RadvdInterfaceInput in;
    in.interface = parse_interface_name(ifname, "test");
    in.config = c;
    return in;
}

const std::string marker =
    "# Written by hookctl; edits here are overwritten. Remove this line to take the file over.\n";

// A fresh directory per test, removed afterwards.
void spit(const std::string& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary);
    out << content;
}

struct timespec mtime_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mtim;
}

unsigned mode_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return st.st_mode & 07777;
}

// Entries in the directory other than `keep`: leftover temp files would show here.
std::size_t entries(const TempDir& d) {
    return static_cast<std::size_t>(
        std::distance(fs::directory_iterator(d.path), fs::directory_iterator()));
}

FileObject radvd_file(const TempDir& d, std::string content) {
    FileObject f;
    f.path = d.file("radvd.conf");
    f.content = std::move(content);
    f.mode = 0644;
    f.validate = {"radvd", "-c", "-C", "{}"};
    return f;
}

}  // namespace

TEST_CASE("owned_marker takes the comment prefix", "[radvd]") {
    CHECK(owned_marker() + "\n" == marker);
    CHECK(
        owned_marker(";") ==
        "; Written by hookctl; edits here are overwritten. Remove this line to take the file over.");
    CHECK(carries_marker(owned_marker("//") + "\nrest"));
    CHECK(carries_marker(marker));
    CHECK_FALSE(carries_marker("interface lan0 {\n" + marker));
    CHECK_FALSE(carries_marker(""));
}

TEST_CASE("render_radvd_conf: one LAN, defaults", "[radvd]") {
    RadvdInterfaceConfig c;
    auto in = lan("lan0", &c);
    in.current = {pfx("2001:db8:1:1::/64")};
    CHECK(render_radvd_conf({in}) == marker + R"(
interface lan0 {
    AdvSendAdvert on;
    IgnoreIfMissing on;
    AdvManagedFlag off;
    AdvOtherConfigFlag off;
    prefix 2001:db8:1:1::/64 {
        AdvOnLink on;
        AdvAutonomous on;
    };
};
)");
}

TEST_CASE("render_radvd_conf: flags, intervals, lifetimes, deprecated prefixes, RDNSS, DNSSL",
          "[radvd]") {
    RadvdInterfaceConfig c;
    c.managed = true;
    c.other = true;
    c.min_interval = 3;
    c.max_interval = 10;
    c.preferred_lifetime = 1800;
    c.valid_lifetime = 7200;
    c.dnssl = {parse_domain_name("home.example", "t"), parse_domain_name("example", "t"),
               parse_domain_name("home.example", "t")};
    auto in = lan("lan0", &c);
    // Unsorted and duplicated on purpose: prefixes come out sorted and once.
    in.current = {pfx("2001:db8:3::/64"), pfx("2001:db8:2::/64"), pfx("2001:db8:3::/64")};
    in.deprecated = {pfx("2001:db8:1::/64"), pfx("2001:db8:2::/64")};  // ::2 is current again
    in.rdnss = {addr("2001:db8:3::1"), addr("2001:db8::53"), addr("2001:db8::54"),
                addr("2001:db8::55"), addr("2001:db8::53")};
    CHECK(render_radvd_conf({in}) == marker + R"(
interface lan0 {
    AdvSendAdvert on;
    IgnoreIfMissing on;
    AdvManagedFlag on;
    AdvOtherConfigFlag on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 10;
    prefix 2001:db8:2::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvPreferredLifetime 1800;
        AdvValidLifetime 7200;
    };
    prefix 2001:db8:3::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvPreferredLifetime 1800;
        AdvValidLifetime 7200;
    };
    prefix 2001:db8:1::/64 {
        AdvOnLink on;
        AdvAutonomous on;
        AdvPreferredLifetime 0;
        AdvValidLifetime 0;
    };
    RDNSS 2001:db8:3::1 2001:db8::53 2001:db8::54 {
    };
    RDNSS 2001:db8::55 {
    };
    DNSSL home.example example {
    };
};
)");
}

TEST_CASE("render_radvd_conf is independent of input order and stable", "[radvd]") {
    RadvdInterfaceConfig c;
    auto a = lan("lan1", &c);
    a.current = {pfx("2001:db8:a::/64")};
    auto b = lan("lan0", nullptr);  // no config: defaults
    b.current = {pfx("2001:db8:b::/64")};
    b.deprecated = {pfx("2001:db8:c::/64")};
    const std::string one = render_radvd_conf({a, b});
    CHECK(one == render_radvd_conf({b, a}));
    CHECK(one.find("interface lan0") < one.find("interface lan1"));
    CHECK(render_radvd_conf({}) == marker);
}

TEST_CASE("FileWriter creates a file with its mode despite umask 077 and validates the temp file",
          "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    std::string seen_by_validator;
    unsigned seen_mode = 0;
    runner.set_responder([&](const Command& c) {
        seen_by_validator = slurp(c.argv.back());
        seen_mode = mode_of(c.argv.back());
        ProcessResult ok;
        ok.exit_code = 0;
        return ok;
    });
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "interface lan0 {\n};\n");

    mode_t old = ::umask(077);
    auto r = w.ensure(f);
    ::umask(old);

    CHECK(r.status == ActionResult::Status::done);
    CHECK(slurp(f.path) == f.content);
    CHECK(mode_of(f.path) == 0644);
    REQUIRE(runner.runs().size() == 1);
    const auto& argv = runner.runs()[0].command.argv;
    REQUIRE(argv.size() == 4);
    CHECK(argv[0] == "radvd");
    CHECK(argv[3].rfind(d.path.string() + "/.radvd.conf.hookctl-", 0) == 0);  // same directory
    CHECK(seen_by_validator == f.content);  // complete before validation
    CHECK(seen_mode == 0644);
    CHECK(entries(d) == 1);  // no temp file left
}

TEST_CASE("FileWriter: same content is unchanged, no write, mtime does not move", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "one\n");
    REQUIRE(w.ensure(f).status == ActionResult::Status::done);
    auto before = mtime_of(f.path);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));

    auto r = w.ensure(f);
    CHECK(r.status == ActionResult::Status::unchanged);
    CHECK(r.message.empty());
    auto after = mtime_of(f.path);
    CHECK(before.tv_sec == after.tv_sec);
    CHECK(before.tv_nsec == after.tv_nsec);
    CHECK(runner.runs().size() == 1);  // no validation for an unchanged file

    SECTION("a wrong mode alone is repaired in place and still reported unchanged") {
        REQUIRE(::chmod(f.path.c_str(), 0600) == 0);
        auto r2 = w.ensure(f);
        CHECK(r2.status == ActionResult::Status::unchanged);
        CHECK(r2.message == "content unchanged; repaired mode 0600 -> 0644");
        CHECK(mode_of(f.path) == 0644);
    }
    SECTION("changed content is done") {
        f.content = marker + "two\n";
        CHECK(w.ensure(f).status == ActionResult::Status::done);
        CHECK(slurp(f.path) == f.content);
    }
}

TEST_CASE("FileWriter: a validator failure keeps the old file byte for byte and reports its output",
          "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "good\n");
    REQUIRE(w.ensure(f).status == ActionResult::Status::done);
    auto before = mtime_of(f.path);

    ProcessResult bad;
    bad.exit_code = 1;
    bad.output = "radvd.conf:3 error: syntax error\nexiting, failed to read config file\n";
    runner.push_result(bad);
    auto g = f;
    g.content = marker + "bad\n";
    auto r = w.ensure(g);
    CHECK(r.status == ActionResult::Status::failed);
    CHECK(r.message.find(f.path + ": new content rejected by `radvd -c -C ") == 0);
    CHECK(r.message.find(
              "(exit 1): radvd.conf:3 error: syntax error\nexiting, failed to read config file; "
              "the old file is kept") != std::string::npos);
    CHECK(slurp(f.path) == marker + "good\n");
    CHECK(mtime_of(f.path).tv_nsec == before.tv_nsec);
    CHECK(entries(d) == 1);  // the rejected temp file is gone
}

TEST_CASE("FileWriter: a validator timeout is a failure too", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    ProcessResult slow;
    slow.timed_out = true;
    slow.elapsed_ms = 5000;
    runner.push_result(slow);
    FileWriter w(runner);
    auto r = w.ensure(radvd_file(d, marker + "x\n"));
    CHECK(r.status == ActionResult::Status::failed);
    CHECK(r.message.find("(timed out after 5000 ms, killed); the old file is kept") !=
          std::string::npos);
    CHECK_FALSE(fs::exists(d.file("radvd.conf")));
}

TEST_CASE("FileWriter never overwrites or removes a file it does not own", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "ours\n");
    const std::string foreign = "# my own radvd.conf\ninterface eth0 { AdvSendAdvert on; };\n";
    spit(f.path, foreign);

    auto r = w.ensure(f);
    CHECK(r.status == ActionResult::Status::failed);
    CHECK(r.message ==
          f.path +
              " exists and is not owned by hookctl (no marker line); move it away or add "
              "the marker to hand it over");
    CHECK(slurp(f.path) == foreign);
    CHECK(runner.runs().empty());

    auto rm = w.remove(f);
    CHECK(rm.status == ActionResult::Status::unchanged);
    CHECK(rm.message == f.path + ": left in place: not owned by hookctl (no marker line)");
    CHECK(slurp(f.path) == foreign);

    SECTION("an empty file is taken over") {
        spit(f.path, "");
        CHECK(w.ensure(f).status == ActionResult::Status::done);
        CHECK(slurp(f.path) == f.content);
    }
    SECTION("a symlink is refused") {
        fs::remove(f.path);
        fs::create_symlink(d.file("elsewhere"), f.path);
        auto s = w.ensure(f);
        CHECK(s.status == ActionResult::Status::failed);
        CHECK(s.message ==
              f.path + ": is a symlink; hookctl only replaces regular files it wrote; remove it");
        CHECK_FALSE(fs::exists(d.file("elsewhere")));
    }
    SECTION("a FIFO planted in its place fails at once instead of blocking") {
        fs::remove(f.path);
        REQUIRE(::mkfifo(f.path.c_str(), 0600) == 0);
        const auto t0 = std::chrono::steady_clock::now();
        auto s = w.ensure(f);
        CHECK(s.status == ActionResult::Status::failed);
        CHECK(s.message ==
              f.path +
                  ": exists and is not a regular file; hookctl only replaces regular files "
                  "it wrote; remove it");
        CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(1));
        CHECK(w.remove(f).status == ActionResult::Status::failed);
        CHECK(fs::is_fifo(f.path));
    }
}

TEST_CASE("FileWriter repairs mode and owner on the file it opened, not on a path swapped in later",
          "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "ours\n");
    f.mode = 0600;
    REQUIRE(w.ensure(f).status == ActionResult::Status::done);
    ::chmod(f.path.c_str(), 0644);
    auto r = w.ensure(f);
    CHECK(r.status == ActionResult::Status::unchanged);
    CHECK(r.message == "content unchanged; repaired mode 0644 -> 0600");
    struct stat st {};
    REQUIRE(::stat(f.path.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
    // A symlink to another file in its place is refused; the target keeps its mode.
    spit(d.file("victim"), marker + "ours\n");
    ::chmod(d.file("victim").c_str(), 0600);
    fs::remove(f.path);
    fs::create_symlink(d.file("victim"), f.path);
    f.mode = 0644;
    CHECK(w.ensure(f).status == ActionResult::Status::failed);
    REQUIRE(::stat(d.file("victim").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

TEST_CASE("FileWriter removes temp files a killed run left, and only those", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "ours\n");
    // A pid that is certainly not running: a child that has been reaped.
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    const std::string base = fs::path(f.path).filename().string();
    const std::string stale =
        d.file(("." + base + ".hookctl-" + std::to_string(dead) + "-0").c_str());
    const std::string live =
        d.file(("." + base + ".hookctl-" + std::to_string(::getppid()) + "-3").c_str());
    const std::string other = d.file(("." + base + ".hookctl-x-1").c_str());
    for (const auto& p : {stale, live, other}) spit(p, "half a file");
    REQUIRE(w.ensure(f).status == ActionResult::Status::done);
    CHECK_FALSE(fs::exists(stale));
    CHECK(fs::exists(live));   // its process is alive: not ours to judge
    CHECK(fs::exists(other));  // not our pattern
}

TEST_CASE("FileWriter::remove deletes its own file; absent is unchanged", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "ours\n");
    REQUIRE(w.ensure(f).status == ActionResult::Status::done);
    CHECK(w.remove(f).status == ActionResult::Status::done);
    CHECK_FALSE(fs::exists(f.path));
    CHECK(w.remove(f).status == ActionResult::Status::unchanged);
}

TEST_CASE("FileWriter: unknown owner fails before touching anything; content needs the marker",
          "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, marker + "x\n");
    f.owner = "no-such-user-hookctl";
    auto r = w.ensure(f);
    CHECK(r.status == ActionResult::Status::failed);
    CHECK(
        r.message ==
        f.path +
            ": owner 'no-such-user-hookctl' is not a user in /etc/passwd; create it or fix the owner");
    f.owner.clear();
    f.group = "no-such-group-hookctl";
    CHECK(w.ensure(f).message.find("group 'no-such-group-hookctl' is not a group in /etc/group") !=
          std::string::npos);
    f.group.clear();
    f.content = "no marker\n";
    CHECK(w.ensure(f).status == ActionResult::Status::failed);
    CHECK(entries(d) == 0);
    CHECK(runner.runs().empty());
}

TEST_CASE("FileWriter without a validator runs nothing", "[file_writer]") {
    TempDir d;
    RecordingProcessRunner runner;
    FileWriter w(runner);
    auto f = radvd_file(d, owned_marker(";") + "\nkey=value\n");
    f.validate.clear();
    f.mode = 0640;
    CHECK(w.ensure(f).status == ActionResult::Status::done);
    CHECK(mode_of(f.path) == 0640);
    CHECK(runner.runs().empty());
}
