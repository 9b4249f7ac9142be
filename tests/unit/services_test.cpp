// The service-reload policy with the recording process runner: which command each
// kind of service action runs, how a command's result reads, and what a pidfile
// must hold before anything is signalled.
#include "services.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

#include <sys/wait.h>
#include <unistd.h>

using namespace hookctl;
using hookctl::test::TempDir;

namespace {

ServiceAction unit_action(ServiceAction::Kind kind, const char* unit) {
    ServiceAction a;
    a.kind = kind;
    a.unit = unit;
    return a;
}

}  // namespace

TEST_CASE("each unit action is one systemctl call; a reload does nothing to a stopped unit",
          "[services]") {
    RecordingProcessRunner runner;
    ServiceReloader reloader(runner, Deadline::max());
    CHECK(reloader.reload(unit_action(ServiceAction::Kind::reload, "radvd.service")).status ==
          ActionResult::Status::done);
    CHECK(reloader.reload(unit_action(ServiceAction::Kind::restart, "rdp-forward.service")).ok());
    CHECK(reloader.reload(unit_action(ServiceAction::Kind::try_restart, "dnsmasq.service")).ok());
    REQUIRE(runner.runs().size() == 3);
    CHECK(runner.runs()[0].command.argv ==
          std::vector<std::string>{"systemctl", "try-reload-or-restart", "radvd.service"});
    CHECK(runner.runs()[1].command.argv ==
          std::vector<std::string>{"systemctl", "restart", "rdp-forward.service"});
    CHECK(runner.runs()[2].command.argv ==
          std::vector<std::string>{"systemctl", "try-restart", "dnsmasq.service"});
    CHECK(runner.runs()[0].command.timeout_ms == 10000);
    CHECK(runner.runs()[0].env.empty());
}

TEST_CASE("a configured command runs as given; a failure carries its status and output",
          "[services]") {
    RecordingProcessRunner runner;
    ProcessResult failed;
    failed.exit_code = 3;
    failed.output = "no such unit\n";
    runner.push_result(failed);
    ServiceReloader reloader(runner, Deadline::max());
    ServiceAction a;
    a.kind = ServiceAction::Kind::command;
    a.command = Command{{"/usr/local/sbin/reload-forwarder", "--now"}, 2000};
    const ActionResult r = reloader.reload(a);
    CHECK(r.status == ActionResult::Status::failed);
    CHECK(r.message == "exit 3; output: no such unit\n");
    REQUIRE(runner.runs().size() == 1);
    CHECK(runner.runs()[0].command == a.command);
}

TEST_CASE("run_command reports a timeout and a program that never started", "[services]") {
    RecordingProcessRunner runner;
    ProcessResult timed_out;
    timed_out.timed_out = true;
    timed_out.elapsed_ms = 300;
    runner.push_result(timed_out);
    ProcessResult missing;
    missing.error = "rdisc6: not found on PATH /usr/bin";
    runner.push_result(missing);
    CHECK(run_command(runner, Command{{"sleep", "10"}, 300}, Deadline::max()).message ==
          "timed out after 300 ms, killed");
    CHECK(run_command(runner, Command{{"rdisc6"}, 300}, Deadline::max()).message ==
          "not started: rdisc6: not found on PATH /usr/bin");
}

TEST_CASE("parse_pidfile accepts a pid in 2..pid_max and nothing else", "[services]") {
    CHECK(parse_pidfile("1234\n", 4194304) == 1234);
    CHECK(parse_pidfile("1234", 4194304) == 1234);
    CHECK(parse_pidfile("2", 4194304) == 2);
    CHECK(parse_pidfile("4194304", 4194304) == 4194304);
    // The defects of a `long` read and a cast: -1 and 1 after truncation to pid_t.
    CHECK_FALSE(parse_pidfile("4294967295", 4194304));
    CHECK_FALSE(parse_pidfile("4294967297", 4194304));
    CHECK_FALSE(parse_pidfile("4194305", 4194304));
    CHECK_FALSE(parse_pidfile("1", 4194304));  // init
    CHECK_FALSE(parse_pidfile("0", 4194304));  // our own group
    CHECK_FALSE(parse_pidfile("", 4194304));
    CHECK_FALSE(parse_pidfile("\n", 4194304));
    CHECK_FALSE(parse_pidfile(" 1234", 4194304));
    CHECK_FALSE(parse_pidfile("-1", 4194304));
    CHECK_FALSE(parse_pidfile("+5", 4194304));
    CHECK_FALSE(parse_pidfile("12 34", 4194304));
    CHECK_FALSE(parse_pidfile("1234\n\n", 4194304));
    CHECK_FALSE(parse_pidfile("99999999999999999999", 4194304));
}

namespace {

ServiceAction pidfile_action(const std::string& path, const std::string& program) {
    ServiceAction a;
    a.kind = ServiceAction::Kind::signal_pidfile;
    a.pidfile = path;
    a.program = program;
    return a;
}

// A child that counts the SIGHUPs it gets into `file` and otherwise sleeps.
pid_t hup_counter(const std::string& file) {
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::execl("/bin/sh", "sh", "-c",
                ("n=0; trap 'n=$((n+1)); echo $n > " + file + "' HUP; while :; do sleep 0.05; done")
                    .c_str(),
                static_cast<char*>(nullptr));
        ::_exit(127);
    }
    return pid;
}

}  // namespace

TEST_CASE(
    "SIGHUP through a pidfile: absent or stale is nothing to do, garbage or another program is refused",
    "[services]") {
    TempDir dir;
    RecordingProcessRunner runner;
    ServiceReloader reloader(runner, Deadline::max());
    const ServiceAction a = pidfile_action(dir / "radvd.pid", "radvd");
    const ActionResult absent = reloader.reload(a);
    CHECK(absent.status == ActionResult::Status::unchanged);
    CHECK(absent.message == a.pidfile + " absent: not running, nothing to reload");

    std::ofstream(a.pidfile) << "radvd\n";
    const ActionResult garbage = reloader.reload(a);
    CHECK(garbage.status == ActionResult::Status::failed);
    CHECK(garbage.message.find(a.pidfile + ": no valid pid in pidfile") == 0);

    std::ofstream(a.pidfile) << "4294967295\n";  // was kill(-1, SIGHUP): every process
    CHECK(reloader.reload(a).status == ActionResult::Status::failed);
    std::ofstream(a.pidfile) << "4294967297\n";  // was kill(1, SIGHUP): init
    CHECK(reloader.reload(a).status == ActionResult::Status::failed);

    // A pid that is not running: the daemon died and left its pidfile.
    const pid_t dead = ::fork();
    if (dead == 0) ::_exit(0);
    ::waitpid(dead, nullptr, 0);
    std::ofstream(a.pidfile) << dead << "\n";
    const ActionResult stale = reloader.reload(a);
    CHECK(stale.status == ActionResult::Status::unchanged);
    CHECK(stale.message.find("is not running (a stale pidfile)") != std::string::npos);
    CHECK(runner.runs().empty());
}

TEST_CASE("SIGHUP goes to the pidfile's process only if it is the program", "[services]") {
    TempDir dir;
    RecordingProcessRunner runner;
    ServiceReloader reloader(runner, Deadline::max());
    const std::string counter = dir / "hups";
    const pid_t pid = hup_counter(counter);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the trap is set
    std::ofstream(dir / "x.pid") << pid << "\n";

    // A pid reused by another program: refused, and the process gets nothing.
    const ActionResult wrong = reloader.reload(pidfile_action(dir / "x.pid", "radvd"));
    CHECK(wrong.status == ActionResult::Status::failed);
    CHECK(wrong.message ==
          dir / "x.pid" + ": pid " + std::to_string(pid) +
              " is not radvd (a stale pidfile, its pid reused); nothing signalled");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    CHECK_FALSE(std::filesystem::exists(counter));

    // The program it is (the shell running the loop): signalled once.
    const ActionResult right = reloader.reload(pidfile_action(dir / "x.pid", "sh"));
    CHECK(right.status == ActionResult::Status::done);
    for (int i = 0; i < 50 && !std::filesystem::exists(counter); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    CHECK(hookctl::test::slurp(counter) == "1\n");
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
}
