// Commands and service reloads; see services.hpp.
#include "services.hpp"

#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>

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

std::optional<long long> parse_pidfile(std::string_view text) {
    if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
    if (text.empty() || text.size() > 19) return std::nullopt;
    long long pid = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return std::nullopt;
        pid = pid * 10 + (c - '0');
    }
    return pid;
}

ActionResult ServiceReloader::reload(const ServiceAction& action) {
    switch (action.kind) {
    case ServiceAction::Kind::reload:
    case ServiceAction::Kind::restart:
    case ServiceAction::Kind::try_restart:
        return run_command(runner_, systemctl_command(action), deadline_);
    case ServiceAction::Kind::command: return run_command(runner_, action.command, deadline_);
    case ServiceAction::Kind::signal_pidfile: return signal_pidfile(action.pidfile);
    }
    return {ActionResult::Status::failed, "unknown service action"};
}

// SIGHUP to the pid in a pidfile (radvd -p): no fork, no systemd needed. No
// pidfile means the daemon is not running and will read the file when it starts.
ActionResult ServiceReloader::signal_pidfile(const std::string& path) {
    std::optional<std::string> text;
    try {
        text = read_file_if_exists(path);
    } catch (const Error& e) {
        return {ActionResult::Status::failed, fmt::format("cannot read pidfile: {}", e.what())};
    }
    if (!text)
        return {ActionResult::Status::unchanged,
                fmt::format("{} absent: not running, nothing to reload", path)};
    const auto pid = parse_pidfile(*text);
    if (!pid || *pid <= 1)
        return {ActionResult::Status::failed, fmt::format("{}: no valid pid in pidfile", path)};
    if (::kill(static_cast<pid_t>(*pid), SIGHUP) != 0)
        return {ActionResult::Status::failed,
                fmt::format("SIGHUP to pid {} from {}: {}", *pid, path, errno_text())};
    return {ActionResult::Status::done, fmt::format("sent SIGHUP to pid {}", *pid)};
}

}  // namespace hookctl
