// Commands and service reloads as actions: an event-bound command (`on.ipv6-up`)
// and the ways a service learns that a file it reads changed (systemctl, SIGHUP
// through a pidfile, a configured command). The policy lives here, tested with the
// recording process runner; processes go through a ProcessRunner.
#pragma once

#include "executor.hpp"
#include "objects.hpp"
#include "process.hpp"

#include <optional>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace hookctl {

// Runs `command`; its status and output (stdout and stderr, tail kept) go into
// the result, and so into the journal.
ActionResult run_command(ProcessRunner& runner, const Command& command, Deadline deadline);

// The systemctl argv for a unit action: a reload is `try-reload-or-restart`, so a
// unit that is not running (and reads its files when it starts) is not a failure.
Command systemctl_command(const ServiceAction& action);

// The pid in a pidfile's text: decimal, optionally followed by a newline, and in
// 2..pid_max (1 is init; 0 and -1 would signal a group or every process). nullopt
// for anything else (empty, signs, spaces, garbage, out of range).
std::optional<pid_t> parse_pidfile(std::string_view text, long long pid_max);

// Whether the process behind `pid` is `program`, by /proc/PID/comm (the kernel
// cuts it to 15 bytes) or the file name of /proc/PID/exe. `proc` is /proc.
bool process_is(pid_t pid, const std::string& program, const std::string& proc = "/proc");

class ServiceReloader {
public:
    ServiceReloader(ProcessRunner& runner, Deadline deadline)
        : runner_(runner), deadline_(deadline) {}
    ActionResult reload(const ServiceAction& action);

private:
    ActionResult signal_pidfile(const ServiceAction& action);
    ProcessRunner& runner_;
    Deadline deadline_;
};

}  // namespace hookctl
