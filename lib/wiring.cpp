// make_system_executor(): see wiring.hpp.
#include "wiring.hpp"

#include "dns.hpp"
#include "file_writer.hpp"
#include "process.hpp"
#include "system_executor.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <csignal>
#include <cstring>

namespace hookctl {

namespace {

// Keeps the runner and writer alive as long as the executor that uses them.
class WiredExecutor : public Executor {
public:
    WiredExecutor(const Config& config, std::chrono::steady_clock::time_point deadline)
        : runner_(config.settings.path),
          files_(runner_, deadline, config.settings.command_timeout_ms),
          dns_(runner_, dns_querier_, dns_updater_options(config, deadline)),
          system_(SystemExecutorOptions{config.settings.route_protocol, "/proc/sys"}),
          deadline_(deadline) {
        system_.set_file_handler([this](const Action& a) { return file(a); });
        system_.set_run_handler([this](const Action& a) { return run(a.command); });
        system_.set_reload_handler([this](const Action& a) { return reload(a.service); });
        system_.set_dns_handler([this](const Action& a) { return dns_.apply(a); });
    }

    ActionResult apply(const Action& a) override { return system_.apply(a); }
    std::vector<Object> list_owned() override { return system_.list_owned(); }
    bool matches(const Object& w, const Object& p) const override { return system_.matches(w, p); }

private:
    ActionResult file(const Action& a) {
        const auto& f = std::get<FileObject>(*a.object);
        if (a.op == Action::Op::remove) return files_.remove(f);
        return files_.ensure(f);
    }

    // The command's status and its output (stdout and stderr, tail kept) go into
    // the result, and so into the journal.
    ActionResult run(const Command& c) {
        ProcessResult r = runner_.run(c, deadline_);
        std::string message = describe(r);
        if (!r.output.empty()) message += (r.output_truncated ? "; output (last part): " : "; output: ") + r.output;
        return {r.ok() ? ActionResult::Status::done : ActionResult::Status::failed, message};
    }

    ActionResult reload(const ServiceAction& s) {
        switch (s.kind) {
        // A unit that is not running reads its files when it starts: nothing to do.
        case ServiceAction::Kind::reload:
            return run(Command{{"systemctl", "try-reload-or-restart", s.unit}, 10000});
        case ServiceAction::Kind::restart:
            return run(Command{{"systemctl", "restart", s.unit}, 10000});
        case ServiceAction::Kind::try_restart:
            return run(Command{{"systemctl", "try-restart", s.unit}, 10000});
        case ServiceAction::Kind::command: return run(s.command);
        case ServiceAction::Kind::signal_pidfile: return signal_pidfile(s.pidfile);
        }
        return {ActionResult::Status::failed, "unknown service action"};
    }

    // SIGHUP to the pid in a pidfile (radvd -p): no fork, no systemd needed. No
    // pidfile means the daemon is not running and will read the file when it starts.
    static ActionResult signal_pidfile(const std::string& path) {
        FILE* f = std::fopen(path.c_str(), "re");
        if (!f && errno == ENOENT)
            return {ActionResult::Status::unchanged, fmt::format("{} absent: not running, nothing to reload", path)};
        if (!f) return {ActionResult::Status::failed, fmt::format("{}: cannot open pidfile: {}", path, std::strerror(errno))};
        long pid = 0;
        const int n = std::fscanf(f, "%ld", &pid);
        std::fclose(f);
        if (n != 1 || pid <= 1) return {ActionResult::Status::failed, fmt::format("{}: no valid pid in pidfile", path)};
        if (::kill(static_cast<pid_t>(pid), SIGHUP) != 0)
            return {ActionResult::Status::failed, fmt::format("SIGHUP to pid {} from {}: {}", pid, path, std::strerror(errno))};
        return {ActionResult::Status::done, fmt::format("sent SIGHUP to pid {}", pid)};
    }

    SystemProcessRunner runner_;
    FileWriter files_;
    UdpDnsQuerier dns_querier_;  // before dns_, which holds a reference to it
    DnsUpdater dns_;
    SystemExecutor system_;
    std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

std::unique_ptr<Executor> make_system_executor(const Config& config, std::chrono::steady_clock::time_point deadline) {
    return std::make_unique<WiredExecutor>(config, deadline);
}

}  // namespace hookctl
