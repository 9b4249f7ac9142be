// The service-reload policy with the recording process runner: which command each
// kind of service action runs, how a command's result reads, and what a pidfile
// must hold before anything is signalled.
#include "services.hpp"
#include "temp_dir.hpp"

#include <catch2/catch.hpp>

#include <fstream>

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

TEST_CASE("parse_pidfile accepts a decimal pid and a newline, nothing else", "[services]") {
    CHECK(parse_pidfile("1234\n") == 1234);
    CHECK(parse_pidfile("1234") == 1234);
    CHECK_FALSE(parse_pidfile(""));
    CHECK_FALSE(parse_pidfile("\n"));
    CHECK_FALSE(parse_pidfile(" 1234"));
    CHECK_FALSE(parse_pidfile("-1"));
    CHECK_FALSE(parse_pidfile("+5"));
    CHECK_FALSE(parse_pidfile("12 34"));
    CHECK_FALSE(parse_pidfile("1234\n\n"));
    CHECK_FALSE(parse_pidfile("99999999999999999999"));
}

TEST_CASE("SIGHUP through a pidfile: absent is nothing to do, garbage is an error", "[services]") {
    TempDir dir;
    RecordingProcessRunner runner;
    ServiceReloader reloader(runner, Deadline::max());
    ServiceAction a;
    a.kind = ServiceAction::Kind::signal_pidfile;
    a.pidfile = dir / "radvd.pid";
    const ActionResult absent = reloader.reload(a);
    CHECK(absent.status == ActionResult::Status::unchanged);
    CHECK(absent.message == a.pidfile + " absent: not running, nothing to reload");
    std::ofstream(a.pidfile) << "radvd\n";
    const ActionResult garbage = reloader.reload(a);
    CHECK(garbage.status == ActionResult::Status::failed);
    CHECK(garbage.message == a.pidfile + ": no valid pid in pidfile");
    CHECK(runner.runs().empty());
}
