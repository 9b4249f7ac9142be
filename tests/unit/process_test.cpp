// SystemProcessRunner against real programs (/bin/true, echo, sleep, sh as the
// program under test): output capture, deadlines, group kills, PATH and environment.
#include "process.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

using namespace hookctl;
using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

const std::string fixed_path = "/usr/sbin:/usr/bin:/sbin:/bin";

Deadline far() {
    return std::chrono::steady_clock::now() + 60s;
}

Command cmd(std::vector<std::string> argv, std::uint32_t timeout_ms = 5000) {
    Command c;
    c.argv = std::move(argv);
    c.timeout_ms = timeout_ms;
    return c;
}

// Running (not gone, not a zombie waiting for a reaper we do not control).
bool running(pid_t pid) {
    std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
    std::string line;
    if (!std::getline(stat, line)) return false;
    auto close_paren = line.rfind(')');
    return close_paren != std::string::npos && line.size() > close_paren + 2 &&
           line[close_paren + 2] != 'Z';
}

// Waits briefly: a killed orphan is reaped by init, not by us.
bool gone_soon(pid_t pid) {
    for (int i = 0; i < 50 && running(pid); ++i) std::this_thread::sleep_for(10ms);
    return !running(pid);
}

std::vector<std::string> lines(const std::string& s) {
    std::vector<std::string> out;
    std::istringstream in(s);
    for (std::string l; std::getline(in, l);) out.push_back(l);
    return out;
}

}  // namespace

TEST_CASE("runs /bin/true and captures /bin/echo", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto t = runner.run(cmd({"/bin/true"}), far());
    CHECK(t.ok());
    CHECK(t.exit_code == 0);
    CHECK(t.output.empty());
    CHECK_FALSE(t.timed_out);
    CHECK(describe(t) == "exit 0");

    auto e = runner.run(cmd({"/bin/echo", "hello", "two words"}), far());
    CHECK(e.ok());
    CHECK(e.output == "hello two words\n");
}

TEST_CASE("exit status and stderr are captured", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sh", "-c", "echo out; echo err >&2; exit 3"}), far());
    CHECK(r.exit_code == 3);
    CHECK_FALSE(r.ok());
    CHECK(r.output == "out\nerr\n");
    CHECK(describe(r) == "exit 3");
}

TEST_CASE("exit status survives an inherited SIGCHLD SIG_IGN", "[process]") {
    auto old = std::signal(SIGCHLD, SIG_IGN);
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sh", "-c", "exit 3"}), far());
    std::signal(SIGCHLD, old);
    CHECK(r.exit_code == 3);
    CHECK(r.elapsed_ms < 1000);
}

TEST_CASE("stdin is /dev/null", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/cat"}, 2000), far());
    CHECK(r.ok());
    CHECK(r.output.empty());
    CHECK(r.elapsed_ms < 1000);
}

TEST_CASE("a command past its timeout is killed within about a second", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sleep", "10"}, 300), far());
    CHECK(r.timed_out);
    CHECK_FALSE(r.ok());
    CHECK(r.exit_code == 128 + SIGTERM);
    CHECK(r.elapsed_ms >= 290);
    CHECK(r.elapsed_ms < 1000);
    CHECK(describe(r).rfind("timed out after ", 0) == 0);
}

TEST_CASE("the caller's deadline cuts a longer command timeout; a passed deadline starts nothing",
          "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sleep", "10"}, 5000), std::chrono::steady_clock::now() + 300ms);
    CHECK(r.timed_out);
    CHECK(r.elapsed_ms < 1000);

    auto late = runner.run(cmd({"/bin/true"}), std::chrono::steady_clock::now() - 1ms);
    CHECK(late.timed_out);
    CHECK(late.exit_code == -1);
    CHECK(late.error == "/bin/true: the hook's time budget is used up");
}

TEST_CASE("a timeout kills the whole process group, grandchildren included", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sh", "-c", "sleep 30 & echo $!; sleep 30"}, 300), far());
    CHECK(r.timed_out);
    CHECK(r.elapsed_ms < 1000);
    REQUIRE(!r.output.empty());
    pid_t grandchild = std::stoi(r.output);
    CHECK(gone_soon(grandchild));
}

TEST_CASE("SIGKILL follows when SIGTERM is ignored", "[process]") {
    SystemProcessRunner runner(fixed_path, 200ms);
    auto r =
        runner.run(cmd({"/bin/sh", "-c", "trap '' TERM; sleep 30 & echo $!; wait"}, 300), far());
    CHECK(r.timed_out);
    CHECK(r.exit_code == 128 + SIGKILL);
    CHECK(r.elapsed_ms >= 490);
    CHECK(r.elapsed_ms < 1500);
    REQUIRE(!r.output.empty());
    CHECK(gone_soon(std::stoi(r.output)));
}

TEST_CASE("what a command leaves running in its group is stopped when it exits", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sh", "-c", "sleep 30 & echo $!"}, 5000), far());
    CHECK(r.ok());
    CHECK_FALSE(r.timed_out);
    CHECK(r.elapsed_ms < 1000);  // not held up by the sleep that keeps the pipe open
    REQUIRE(!r.output.empty());
    CHECK(gone_soon(std::stoi(r.output)));
}

TEST_CASE("descendants that leave the group (setsid, double fork) do not outlive the command",
          "[process]") {
    SystemProcessRunner runner(fixed_path);
    SECTION("setsid") {
        // setsid(1) in a background job is no group leader: it calls setsid() and
        // execs sleep under the same pid, which $! names.
        auto r = runner.run(
            cmd({"/bin/sh", "-c", "setsid sleep 30 </dev/null >/dev/null 2>&1 & echo $!"}), far());
        CHECK(r.ok());
        REQUIRE(!r.output.empty());
        const pid_t pid = std::stoi(r.output);
        CHECK_FALSE(running(pid));
        CHECK(::kill(pid, 0) != 0);  // killed and reaped, not a zombie of ours either
    }
    SECTION("a double fork into a new session") {
        auto r = runner.run(
            cmd({"/bin/sh", "-c",
                 "(setsid sh -c 'sleep 30 & echo $!' >/tmp/hookctl-test-orphan-$$ 2>&1 &); "
                 "for i in 1 2 3 4 5 6 7 8 9 10; do [ -s /tmp/hookctl-test-orphan-$$ ] && break; sleep 0.05; done; "
                 "cat /tmp/hookctl-test-orphan-$$; rm -f /tmp/hookctl-test-orphan-$$"}),
            far());
        CHECK(r.ok());
        REQUIRE(!r.output.empty());
        const pid_t pid = std::stoi(r.output);
        CHECK_FALSE(running(pid));
    }
}

TEST_CASE("the child runs in its own process group with no inherited fds or ignored signals",
          "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(
        cmd({"/bin/sh", "-c", "echo $$; cut -d' ' -f5 /proc/$$/stat; ls /proc/$$/fd"}), far());
    REQUIRE(r.ok());
    auto l = lines(r.output);
    REQUIRE(l.size() >= 2);
    CHECK(l[0] == l[1]);  // pgid == pid
    CHECK(l[0] != std::to_string(::getpgrp()));
    std::vector<std::string> fds(l.begin() + 2, l.end());
    CHECK(fds == std::vector<std::string>{"0", "1", "2"});

    // An fd of hookctl's without O_CLOEXEC and an ignored SIGPIPE must not reach the child.
    int null_fd = ::open("/dev/null", O_RDONLY);
    int leak = ::fcntl(null_fd, F_DUPFD, 100);  // above what ls opens for itself
    ::close(null_fd);
    auto old = std::signal(SIGPIPE, SIG_IGN);
    auto g = runner.run(cmd({"/bin/grep", "SigIgn", "/proc/self/status"}), far());
    auto f = runner.run(cmd({"/bin/ls", "/proc/self/fd"}), far());
    std::signal(SIGPIPE, old);
    ::close(leak);
    CHECK(g.output == "SigIgn:\t0000000000000000\n");
    auto child_fds = lines(f.output);
    CHECK(std::find(child_fds.begin(), child_fds.end(), std::to_string(leak)) == child_fds.end());
}

TEST_CASE("programs are found on the fixed PATH only", "[process]") {
    fs::path dir = fs::temp_directory_path() / ("hookctl-path-" + std::to_string(::getpid()));
    fs::create_directories(dir);
    {
        std::ofstream tool(dir / "hookctl-tool");
        tool << "#!/bin/sh\nexit 42\n";
    }
    fs::permissions(dir / "hookctl-tool", fs::perms::owner_all);

    // The caller's PATH points at the tool; the fixed PATH does not.
    const char* saved = std::getenv("PATH");
    std::string saved_path = saved ? saved : "";
    ::setenv("PATH", dir.c_str(), 1);
    SystemProcessRunner plain(fixed_path);
    auto missing = plain.run(cmd({"hookctl-tool"}), far());
    auto found_true = plain.run(cmd({"true"}), far());
    ::setenv("PATH", saved_path.c_str(), 1);

    CHECK(missing.exit_code == -1);
    CHECK(missing.error == "hookctl-tool: not found on PATH " + fixed_path +
                               " (use an absolute path or set settings.path)");
    CHECK(describe(missing).rfind("not started: hookctl-tool: not found", 0) == 0);
    CHECK(found_true.ok());

    SystemProcessRunner with_dir(".:" + dir.string() + ":/bin");  // "." is never searched
    CHECK(with_dir.run(cmd({"hookctl-tool"}), far()).exit_code == 42);
    CHECK(SystemProcessRunner::resolve("true", "/nonexistent::.:/bin") == "/bin/true");
    CHECK(SystemProcessRunner::resolve("hookctl-tool", "/bin") == "");
    CHECK(SystemProcessRunner::resolve("tmp", "/") == "");  // a directory is not a program
    fs::remove_all(dir);
}

TEST_CASE("the environment is PATH and LANG plus what the caller passes", "[process]") {
    ::setenv("HOOKCTL_LEAK_TEST", "daemon value", 1);
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"env"}), far());
    auto e = runner.run(cmd({"env"}), far(), {{"reason", "BOUND6"}, {"LANG", "C.UTF-8"}});
    auto bad = runner.run(cmd({"env"}), far(), {{"A=B", "x"}});
    ::unsetenv("HOOKCTL_LEAK_TEST");

    auto got = lines(r.output);
    std::sort(got.begin(), got.end());
    CHECK(got == std::vector<std::string>{"LANG=C", "PATH=" + fixed_path});
    auto got2 = lines(e.output);
    std::sort(got2.begin(), got2.end());
    CHECK(got2 == std::vector<std::string>{"LANG=C.UTF-8", "PATH=" + fixed_path, "reason=BOUND6"});
    CHECK(bad.error == "env: invalid environment variable name 'A=B'");
}

TEST_CASE("output keeps the last 4 kB", "[process]") {
    SystemProcessRunner runner(fixed_path);
    auto r = runner.run(cmd({"/bin/sh", "-c", "head -c 100000 /dev/zero | tr '\\0' a; echo END"}),
                        far());
    CHECK(r.ok());
    CHECK(r.output_truncated);
    CHECK(r.output.size() == output_cap);
    CHECK(r.output.substr(r.output.size() - 5) == "aEND\n");
}

TEST_CASE("a program that cannot be executed is reported, not thrown", "[process]") {
    SystemProcessRunner runner(fixed_path);
    // Not executable (root may exec anything with an x bit, so: no x bit at all).
    fs::path text = fs::temp_directory_path() / ("hookctl-noexec-" + std::to_string(::getpid()));
    std::ofstream(text) << "not a program\n";
    fs::permissions(text, fs::perms::owner_read | fs::perms::owner_write);
    auto r = runner.run(cmd({text.string()}), far());
    fs::remove(text);
    CHECK(r.exit_code == -1);
    CHECK(r.error == text.string() + ": Permission denied");
    auto e = runner.run(cmd({}), far());
    CHECK(e.error == "empty argv (nothing to run)");
}

TEST_CASE("format_argv quotes what needs quoting", "[process]") {
    CHECK(format_argv({"radvd", "-c", "-C", "/etc/radvd.conf"}) == "radvd -c -C /etc/radvd.conf");
    CHECK(format_argv({"sh", "-c", "it's"}) == "sh -c 'it'\\''s'");
    CHECK(format_argv({"a", ""}) == "a ''");
}

TEST_CASE("RecordingProcessRunner records argv and env and answers from its script", "[process]") {
    RecordingProcessRunner rec;
    ProcessResult fail;
    fail.exit_code = 1;
    fail.output = "nope";
    rec.push_result(fail);
    CHECK(rec.run(cmd({"systemctl", "reload", "radvd.service"}), far(), {{"X", "1"}}).exit_code ==
          1);
    CHECK(rec.run(cmd({"rdisc6", "ppp0"}), far()).ok());
    rec.set_responder([](const Command& c) {
        ProcessResult r;
        r.exit_code = static_cast<int>(c.argv.size());
        return r;
    });
    CHECK(rec.run(cmd({"a", "b", "c"}), far()).exit_code == 3);
    REQUIRE(rec.runs().size() == 3);
    CHECK(rec.runs()[0].command.argv ==
          std::vector<std::string>{"systemctl", "reload", "radvd.service"});
    CHECK(rec.runs()[0].env == EnvVars{{"X", "1"}});
    CHECK(rec.runs()[1].command.argv[0] == "rdisc6");
}

// Not run by default: `unit_tests "[.bench]" -s` prints the spawn overhead.
TEST_CASE("spawn overhead of /bin/true", "[.bench]") {
    SystemProcessRunner runner(fixed_path);
    std::vector<std::uint32_t> us;
    for (int i = 0; i < 100; ++i) {
        auto t0 = std::chrono::steady_clock::now();
        auto r = runner.run(cmd({"/bin/true"}), far());
        auto t1 = std::chrono::steady_clock::now();
        REQUIRE(r.ok());
        us.push_back(static_cast<std::uint32_t>(
            std::chrono::duration_cast<std::chrono::microseconds>(t1 - t0).count()));
    }
    std::sort(us.begin(), us.end());
    WARN("SystemProcessRunner /bin/true: median "
         << us[50] << " us, min " << us.front() << " us, p90 " << us[90] << " us, max " << us.back()
         << " us (100 runs)");
}
