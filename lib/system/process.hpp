// Running programs from a hook: argv only (never a shell), found on hookctl's fixed
// PATH, in a clean environment, in their own process group, and killed as a group
// at a deadline, because a hook blocks the daemon (pppd, dhcpcd) that runs it.
#pragma once

#include "fd.hpp"
#include "objects.hpp"

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <sys/types.h>

namespace hookctl {

using Deadline = std::chrono::steady_clock::time_point;

// Extra environment variables a caller hands to a program on purpose. Nothing
// else from hookctl's own environment (the daemon's) reaches the child.
using EnvVars = std::map<std::string, std::string>;

struct ProcessResult {
    // Exit status; 128+N when a signal N ended it (shell convention); -1 when it
    // never ran (see `error`) or its status could not be collected.
    int exit_code = -1;
    bool timed_out = false;         // hookctl killed it at the deadline
    std::string output;             // stdout and stderr interleaved, last output_cap bytes
    bool output_truncated = false;  // earlier output was dropped
    std::uint32_t elapsed_ms = 0;
    std::string error;  // set when it could not be started at all

    bool ok() const { return error.empty() && !timed_out && exit_code == 0; }
};

// Output kept per process: enough for a validator's complaint or a systemctl
// error, small enough for the journal.
inline constexpr std::size_t output_cap = 4096;

// "exit 0", "exit 1", "killed by signal 9", "timed out after 300 ms, killed",
// "not started: ..." — for messages and the journal.
std::string describe(const ProcessResult& r);

// The argv as one line for messages: words with spaces or quotes are quoted.
std::string format_argv(const std::vector<std::string>& argv);

class ProcessRunner {
public:
    virtual ~ProcessRunner() = default;
    // Runs `command` to completion or until the earlier of `deadline` and
    // now + command.timeout_ms, whichever comes first. Never throws for a failure
    // of the program; a deadline already passed means it is not started.
    ProcessResult run(const Command& command, Deadline deadline, const EnvVars& extra_env = {}) {
        return do_run(command, deadline, extra_env);
    }

private:
    virtual ProcessResult do_run(const Command& command, Deadline deadline,
                                 const EnvVars& extra_env) = 0;
};

// The real runner (Boost.Process for the spawn, POSIX for waiting and killing).
// The child gets: argv[0] resolved on `path` when it has no '/'; the environment
// PATH=<path>, LANG=C plus `extra_env`; stdin /dev/null; stdout+stderr into one
// pipe; cwd "/"; default signal dispositions and mask; no inherited fds beyond 0-2;
// its own process group. At the deadline the group gets SIGTERM, then SIGKILL after
// `grace`. Processes the program leaves behind in its group when it exits are
// terminated the same way, and so are descendants that left the group (setsid, a
// double fork): hookctl is a child subreaper, so they are reparented to it and
// killed when the command ends. Nothing hookctl starts outlives the command.
// Constructing one resets an inherited SIG_IGN for SIGCHLD to SIG_DFL (else exit
// statuses are lost to auto-reaping) and makes the process a child subreaper.
class SystemProcessRunner : public ProcessRunner {
public:
    // `output_limit`: the output kept per run (the last bytes); a reader of a program's
    // whole output (`nft -j list ruleset` for `hookctl doctor`) raises it.
    explicit SystemProcessRunner(std::string path,
                                 std::chrono::milliseconds grace = std::chrono::milliseconds(200),
                                 std::size_t output_limit = output_cap);

    // The absolute path argv0 resolves to on `path`, or empty when it is not found
    // (an existing, executable regular file is required).
    static std::string resolve(const std::string& argv0, const std::string& path);

private:
    ProcessResult do_run(const Command& command, Deadline deadline,
                         const EnvVars& extra_env) override;
    // Starts the program; -1 with `error` set when it cannot be started.
    pid_t spawn(const Command& command, const EnvVars& extra_env, UniqueFd& output,
                std::string& error) const;
    std::string path_;
    std::chrono::milliseconds grace_;
    std::size_t output_limit_;
};

// Records every run and answers from a script, for unit tests. Without a script
// or responder every run succeeds with exit 0 and no output.
class RecordingProcessRunner : public ProcessRunner {
public:
    struct Run {
        Command command;
        EnvVars env;
    };
    // Results handed out in order, one per run; after they are used up, the responder
    // (if any) answers, else exit 0.
    void push_result(ProcessResult r) { scripted_.push_back(std::move(r)); }
    // Answers runs with access to the command (e.g. to read the file a validator gets).
    void set_responder(std::function<ProcessResult(const Command&)> f) {
        responder_ = std::move(f);
    }
    const std::vector<Run>& runs() const { return runs_; }

private:
    ProcessResult do_run(const Command& command, Deadline deadline,
                         const EnvVars& extra_env) override;
    std::vector<Run> runs_;
    std::vector<ProcessResult> scripted_;
    std::size_t next_ = 0;
    std::function<ProcessResult(const Command&)> responder_;
};

}  // namespace hookctl
