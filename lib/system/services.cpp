// Commands and service reloads; see services.hpp.
#include "services.hpp"

#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace hookctl {

namespace {

// systemctl may wait for a unit's ExecReload (radvd's runs radvd -c first).
constexpr std::uint32_t systemctl_timeout_ms = 10000;

}  // namespace

ActionResult run_command(ProcessRunner& runner, const Command& command, Deadline deadline) {
    const ProcessResult r = runner.run(command, deadline);
    std::string message = describe(r);
    if (!r.output.empty())
        message += (r.output_truncated ? "; output (last part): " : "; output: ") + r.output;
    return {r.ok() ? ActionResult::Status::done : ActionResult::Status::failed, message};
}

Command systemctl_command(const ServiceAction& action) {
    switch (action.kind) {
    case ServiceAction::Kind::reload:
        return Command{{"systemctl", "try-reload-or-restart", action.unit}, systemctl_timeout_ms};
    case ServiceAction::Kind::restart:
        return Command{{"systemctl", "restart", action.unit}, systemctl_timeout_ms};
    case ServiceAction::Kind::try_restart:
        return Command{{"systemctl", "try-restart", action.unit}, systemctl_timeout_ms};
    default: return Command{};
    }
}

std::optional<pid_t> parse_pidfile(std::string_view text, long long pid_max) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (text.empty() || text.size() > 10) return std::nullopt;
    long long pid = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    if (pid < 2 || pid > pid_max) return std::nullopt;
    return static_cast<pid_t>(pid);
}

bool process_is(pid_t pid, const std::string& program, const std::string& proc) {
    std::string comm;
    UniqueFd fd(::open(fmt::format("{}/{}/comm", proc, pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd && read_all(fd.get(), comm)) {
        if (!comm.empty() && comm.back() == '\n') comm.pop_back();
        if (comm == program.substr(0, 15)) return true;
    }
    char exe[4096];
    const ssize_t n = ::readlink(fmt::format("{}/{}/exe", proc, pid).c_str(), exe, sizeof exe - 1);
    if (n <= 0) return false;
    std::string path(exe, static_cast<std::size_t>(n));
    if (path.size() > 10 && path.compare(path.size() - 10, 10, " (deleted)") == 0)
        path.resize(path.size() - 10);
    return base_of(path) == program;
}

ActionResult ServiceReloader::reload(const ServiceAction& action) {
    switch (action.kind) {
    case ServiceAction::Kind::reload:
    case ServiceAction::Kind::restart:
    case ServiceAction::Kind::try_restart:
        return run_command(runner_, systemctl_command(action), deadline_);
    case ServiceAction::Kind::command: return run_command(runner_, action.command, deadline_);
    case ServiceAction::Kind::signal_pidfile: return signal_pidfile(action);
    }
    return {ActionResult::Status::failed, "unknown service action"};
}

// SIGHUP to the pid in a pidfile (radvd -p): no fork, no systemd needed. No
// pidfile means the daemon is not running and will read the file when it starts.
// The pid is checked to be in range and to be the program: a pidfile left behind by
// a daemon that died names a pid the kernel may have given to anything since. The
// pid is held through a pidfd from before the check to the signal, so it cannot
// be reused in between.
ActionResult ServiceReloader::signal_pidfile(const ServiceAction& action) {
    const std::string& path = action.pidfile;
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(path);
    } catch (const Error& e) {
        return {ActionResult::Status::failed, fmt::format("cannot read pidfile: {}", e.what())};
    }
    if (!text)
        return {ActionResult::Status::unchanged,
                fmt::format("{} absent: not running, nothing to reload", path)};
    long long pid_max = 4194304;  // the kernel's upper bound (PID_MAX_LIMIT on 64-bit)
    try {
        if (auto t = read_file_if_exists("/proc/sys/kernel/pid_max")) pid_max = std::stoll(*t);
    } catch (const std::exception&) {
    }
    const auto pid = parse_pidfile(*text, pid_max);
    if (!pid)
        return {
            ActionResult::Status::failed,
            fmt::format("{}: no valid pid in pidfile (want 2..{}, got \"{}\"); nothing signalled",
                        path, pid_max, escape_for_display(*text, 40))};
    UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, *pid, 0)));
    if (!pidfd) {
        if (errno == ESRCH)
            return {ActionResult::Status::unchanged,
                    fmt::format("{}: pid {} is not running (a stale pidfile): nothing to reload",
                                path, *pid)};
        return {ActionResult::Status::failed,
                fmt::format("pidfd_open({}) from {}: {}", *pid, path, errno_text())};
    }
    if (!process_is(*pid, action.program))
        return {
            ActionResult::Status::failed,
            fmt::format("{}: pid {} is not {} (a stale pidfile, its pid reused); nothing signalled",
                        path, *pid, action.program)};
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGHUP, nullptr, 0) != 0)
        return {ActionResult::Status::failed,
                fmt::format("SIGHUP to {} pid {} from {}: {}", action.program, *pid, path,
                            errno_text())};
    return {ActionResult::Status::done,
            fmt::format("sent SIGHUP to {} pid {}", action.program, *pid)};
}

}  // namespace hookctl
