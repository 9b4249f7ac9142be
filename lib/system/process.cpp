// SystemProcessRunner: Boost.Process forks and execs (this is the only file that
// includes it); waiting, output capture and group kills are plain POSIX so that
// one poll() loop can watch the output pipe, the child's exit and the deadline.
#include "process.hpp"

#include "fd.hpp"
#include "file_io.hpp"
#include "termination.hpp"

// Boost.Process 1.74 compiles its vfork executor only for pre-2008 POSIX feature
// levels; glibc has vfork at every level (see the use_vfork below).
#define BOOST_POSIX_HAS_VFORK 1
#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/env.hpp>
#include <boost/process/environment.hpp>
#include <boost/process/error.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/posix.hpp>
#include <boost/process/start_dir.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>

#include <dirent.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cstdio>
#include <cstdlib>

namespace bp = boost::process;

namespace hookctl {

namespace {

using Clock = std::chrono::steady_clock;

std::uint32_t ms_since(Clock::time_point start) {
    auto d = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start);
    return static_cast<std::uint32_t>(std::max<std::int64_t>(0, d.count()));
}

// Keeps the last `limit` bytes; trims in batches so appends stay cheap.
void append_output(ProcessResult& r, const char* data, std::size_t n, std::size_t limit) {
    r.output.append(data, n);
    if (r.output.size() > 2 * limit) {
        r.output.erase(0, r.output.size() - limit);
        r.output_truncated = true;
    }
}

void finish_output(ProcessResult& r, std::size_t limit) {
    if (r.output.size() > limit) {
        r.output.erase(0, r.output.size() - limit);
        r.output_truncated = true;
    }
}

// Runs in the forked child before execve: only async-signal-safe calls here.
// A failure is reported through Boost.Process's error pipe and the child exits.
struct ChildSetup {
    int stdin_fd;
    int output_fd;

    template <class Executor>
    void operator()(Executor& exec) const {
        auto fail = [&](const char* what) {
            exec.set_error(std::error_code(errno, std::system_category()), what);
            ::_exit(127);
        };
        // Its own group, so a timeout can kill everything it started in one kill().
        if (::setpgid(0, 0) != 0) fail("setpgid");
        // Undo what the daemon or hookctl may have set: blocked or ignored signals
        // (an ignored SIGPIPE or SIGTERM would survive execve).
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        for (int sig = 1; sig < NSIG; ++sig)
            ::sigaction(sig, &dfl, nullptr);  // KILL/STOP fail: fine
        // glibc's sigaction() refuses the signals it keeps for itself (32 and 33,
        // below SIGRTMIN), but an ignored one survives execve all the same: GNU make
        // ignores both, so every command run under it (a package build) inherited
        // them. The kernel's call takes them; all zeros is SIG_DFL, no flags and an
        // empty mask whatever the architecture's field order.
        for (int sig = 32; sig < SIGRTMIN; ++sig) {
            const std::array<unsigned long, 8> default_action{};
            ::syscall(SYS_rt_sigaction, sig, default_action.data(), nullptr, (NSIG - 1) / 8);
        }
        if (::dup2(stdin_fd, 0) < 0 || ::dup2(output_fd, 1) < 0 || ::dup2(output_fd, 2) < 0)
            fail("dup2");
        // Nothing of hookctl's (netlink sockets, the store's lock) leaks into the child.
        if (::close_range(3, ~0U, CLOSE_RANGE_CLOEXEC) != 0) {
            for (int fd = 3; fd < 1024; ++fd) ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        }
    }
};

}  // namespace

std::string format_argv(const std::vector<std::string>& argv) {
    std::string out;
    for (const auto& a : argv) {
        if (!out.empty()) out += ' ';
        bool plain = !a.empty() && a.find_first_of(" \t\n'\"\\") == std::string::npos;
        if (plain) {
            out += a;
        } else {
            out += '\'';
            for (char c : a) {
                if (c == '\'')
                    out += "'\\''";
                else
                    out += c;
            }
            out += '\'';
        }
    }
    return out;
}

std::string describe(const ProcessResult& r) {
    if (!r.error.empty()) return "not started: " + r.error;
    if (r.timed_out) return fmt::format("timed out after {} ms, killed", r.elapsed_ms);
    return fmt::format("exit {}", r.exit_code);
}

SystemProcessRunner::SystemProcessRunner(std::string path, std::chrono::milliseconds grace,
                                         std::size_t output_limit)
    : path_(std::move(path)), grace_(grace), output_limit_(output_limit) {
    // An ignored SIGCHLD inherited from the daemon makes the kernel reap our children
    // before we can read their exit status; the default disposition changes nothing else.
    struct sigaction current {};
    if (::sigaction(SIGCHLD, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) {
        struct sigaction dfl {};
        dfl.sa_handler = SIG_DFL;
        ::sigaction(SIGCHLD, &dfl, nullptr);
    }
    // Descendants that leave the program's group are reparented here, not to init,
    // so kill_orphaned_descendants() can find them.
    ::prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

std::string SystemProcessRunner::resolve(const std::string& argv0, const std::string& path) {
    if (argv0.empty()) return "";
    std::size_t begin = 0;
    while (begin <= path.size()) {
        std::size_t end = path.find(':', begin);
        if (end == std::string::npos) end = path.size();
        std::string dir = path.substr(begin, end - begin);
        begin = end + 1;
        // An empty or relative entry would mean "the current directory": never for root.
        if (dir.empty() || dir[0] != '/') continue;
        std::string candidate = fmt::format("{}/{}", dir, argv0);
        struct stat st {};
        if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
            ::access(candidate.c_str(), X_OK) == 0)
            return candidate;
    }
    return "";
}

namespace {

// A started child: its output pipe, a pidfd to wake poll() when it exits, and the
// reading of its output until it and its group are gone.
class Child {
public:
    Child(pid_t pid, UniqueFd output, ProcessResult& r, std::size_t output_limit)
        : output_limit_(output_limit),
          pid_(pid),
          pidfd_(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0))),
          out_(std::move(output)),
          r_(r) {
        ::fcntl(out_.get(), F_SETFL, O_NONBLOCK);
    }

    // Exited but not reaped: the zombie keeps the pid and the group id from being
    // reused while we still signal the group.
    bool exited() const {
        siginfo_t info{};
        if (::waitid(P_PID, pid_, &info, WEXITED | WNOHANG | WNOWAIT) != 0)
            return errno == ECHILD;  // reaped elsewhere
        return info.si_pid == pid_;
    }
    bool done() const { return !pipe_open_ && exited(); }

    void read_available() {
        char buf[4096];
        while (pipe_open_) {
            const ssize_t n = ::read(out_.get(), buf, sizeof buf);
            if (n > 0) {
                append_output(r_, buf, static_cast<std::size_t>(n), output_limit_);
            } else if (n < 0 && errno == EINTR) {
                continue;
            } else {
                if (n == 0 || errno != EAGAIN) pipe_open_ = false;
                return;
            }
        }
    }

    // Reads output until stop() holds or `limit` passes; returns stop(). Without a
    // pidfd (kernel < 5.3) it polls in short steps.
    template <class Stop>
    bool pump(Clock::time_point limit, Stop stop) {
        while (true) {
            if (stop()) return true;
            const auto now = Clock::now();
            if (now >= limit) return false;
            const auto left = std::chrono::ceil<std::chrono::milliseconds>(limit - now).count();
            const int wait_ms = static_cast<int>(std::min<std::int64_t>(left, pidfd_ ? 60000 : 10));
            pollfd fds[2];
            nfds_t n = 0;
            if (pipe_open_) fds[n++] = {out_.get(), POLLIN, 0};
            if (pidfd_) fds[n++] = {pidfd_.get(), POLLIN, 0};
            if (::poll(fds, n, wait_ms) < 0 && errno != EINTR) return stop();
            read_available();
        }
    }

    // Reaps the child, waiting at most `grace` after its SIGKILL: a process stuck in
    // the kernel (D state) must not hold the hook forever.
    void reap(std::chrono::milliseconds grace) {
        pump(Clock::now() + grace, [&] { return exited(); });
        int status = 0;
        pid_t w;
        do {
            w = ::waitpid(pid_, &status, WNOHANG);
        } while (w < 0 && errno == EINTR);
        if (w == pid_) {
            if (WIFEXITED(status))
                r_.exit_code = WEXITSTATUS(status);
            else if (WIFSIGNALED(status))
                r_.exit_code = 128 + WTERMSIG(status);
        } else if (r_.error.empty()) {
            r_.error = fmt::format("pid {} did not exit after SIGKILL within {} ms (left behind)",
                                   pid_, grace.count());
        }
        read_available();  // what is left; a writer outside the group cannot block us (O_NONBLOCK)
    }

private:
    std::size_t output_limit_;
    pid_t pid_;
    UniqueFd pidfd_;
    UniqueFd out_;
    bool pipe_open_ = true;
    ProcessResult& r_;
};

// The pids whose parent is this process: /proc/self/task/TID/children (hookctl is
// single-threaded), else a scan of /proc/*/stat.
std::vector<pid_t> own_children() {
    std::vector<pid_t> out;
    const pid_t self = ::getpid();
    UniqueFd list(
        ::open(fmt::format("/proc/self/task/{}/children", self).c_str(), O_RDONLY | O_CLOEXEC));
    std::string text;
    if (list && read_all(list.get(), text)) {
        for (const char* p = text.c_str(); *p;) {
            char* end = nullptr;
            const long pid = std::strtol(p, &end, 10);
            if (end == p) break;
            if (pid > 0) out.push_back(static_cast<pid_t>(pid));
            p = end;
        }
        return out;
    }
    DIR* d = ::opendir("/proc");
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        if (e->d_name[0] < '1' || e->d_name[0] > '9') continue;
        std::string stat;
        UniqueFd fd(
            ::openat(::dirfd(d), fmt::format("{}/stat", e->d_name).c_str(), O_RDONLY | O_CLOEXEC));
        if (!fd || !read_all(fd.get(), stat)) continue;
        // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
        const auto close = stat.rfind(')');
        if (close == std::string::npos) continue;
        long ppid = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %*c %ld", &ppid) == 1 && ppid == self)
            out.push_back(static_cast<pid_t>(std::atol(e->d_name)));
    }
    ::closedir(d);
    return out;
}

}  // namespace

namespace {

// Descendants that left the program's process group (setsid, a daemonising
// double fork) are reparented to hookctl, a child subreaper, when their parents
// exit; after a command they are the only children hookctl has. Each round kills
// and reaps them; their own children become ours in turn.
void kill_orphaned_descendants() {
    for (int round = 0; round < 16; ++round) {
        const std::vector<pid_t> children = own_children();
        if (children.empty()) return;
        for (pid_t c : children) ::kill(c, SIGKILL);
        for (pid_t c : children) {
            for (int i = 0; i < 100; ++i) {
                const pid_t w = ::waitpid(c, nullptr, WNOHANG);
                if (w == c || (w < 0 && errno == ECHILD)) break;
                ::usleep(1000);
            }
        }
    }
}

}  // namespace

ProcessResult SystemProcessRunner::do_run(const Command& command, Deadline deadline,
                                          const EnvVars& extra_env) {
    ProcessResult r;
    const auto start = Clock::now();
    auto finish = [&]() -> ProcessResult {
        r.elapsed_ms = ms_since(start);
        return r;
    };
    if (command.argv.empty() || command.argv[0].empty()) {
        r.error = "empty argv (nothing to run)";
        return finish();
    }
    if (start >= deadline) {
        r.timed_out = true;
        r.error = fmt::format("{}: the hook's time budget is used up", format_argv(command.argv));
        return finish();
    }
    // timeout_ms 0: only the caller's deadline applies.
    Deadline until = deadline;
    if (command.timeout_ms > 0)
        until = std::min(until, start + std::chrono::milliseconds(command.timeout_ms));

    UniqueFd output;
    const pid_t pid = spawn(command, extra_env, output, r.error);
    if (pid < 0) return finish();

    Child child(pid, std::move(output), r, output_limit_);
    if (!child.pump(until, [&] { return child.exited() || termination_requested(); }))
        r.timed_out = true;
    if (!child.exited() && termination_requested()) {
        r.timed_out = true;
        r.error = "stopped: hookctl was asked to terminate (SIGTERM)";
    }
    // On a timeout this stops the program; after a normal exit it stops whatever
    // it left running in its group (a forgotten `&`), which would hold our pipe.
    ::kill(-pid, SIGTERM);
    child.pump(Clock::now() + grace_, [&] { return child.done(); });
    ::kill(-pid, SIGKILL);
    child.reap(grace_);
    kill_orphaned_descendants();
    finish_output(r, output_limit_);
    return finish();
}

pid_t SystemProcessRunner::spawn(const Command& command, const EnvVars& extra_env, UniqueFd& output,
                                 std::string& error) const {
    const std::string& argv0 = command.argv[0];
    const std::string exe = argv0.find('/') == std::string::npos ? resolve(argv0, path_) : argv0;
    if (exe.empty()) {
        error = fmt::format("{}: not found on PATH {} (use an absolute path or set settings.path)",
                            argv0, path_);
        return -1;
    }
    bp::environment env;  // starts empty: nothing of the daemon's environment
    env["PATH"] = path_;
    env["LANG"] = "C";
    for (const auto& [k, v] : extra_env) {
        if (k.empty() || k.find('=') != std::string::npos) {
            error = fmt::format("{}: invalid environment variable name '{}'", argv0, k);
            return -1;
        }
        env[k] = v;
    }
    UniqueFd devnull(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!devnull) {
        error = fmt::format("open /dev/null: {}", errno_text());
        return -1;
    }
    int p[2];
    if (::pipe2(p, O_CLOEXEC) != 0) {
        error = fmt::format("pipe: {}", errno_text());
        return -1;
    }
    UniqueFd out_read(p[0]);
    UniqueFd out_write(p[1]);
    const std::vector<std::string> args(command.argv.begin() + 1, command.argv.end());
    std::error_code ec;
    pid_t failed_pid = -1;
    // vfork, not fork: the child execs at once, and a fork would first copy hookctl's
    // page tables and mark every page copy-on-write for the parent to fault on again
    // (the validator runs on every prefix change, bench/README.md). What runs in the
    // child before execve (ChildSetup, Boost's error report) writes only its own
    // kernel state (signal dispositions, descriptors, process group) and, on a
    // failure, the executor's error code, which is how the parent learns of it.
    bp::child child(
        bp::exe(exe), bp::args(args), env, bp::start_dir("/"), bp::posix::use_vfork,
        bp::extend::on_exec_setup(ChildSetup{devnull.get(), out_write.get()}),
        bp::extend::on_error([&](auto& exec, const std::error_code&) { failed_pid = exec.pid; }),
        ec);
    if (ec) {
        // The child that failed to exec has exited; collect it.
        if (failed_pid > 0) ::waitpid(failed_pid, nullptr, 0);
        error = fmt::format("{}: {}", exe, ec.message());
        return -1;
    }
    const pid_t pid = child.id();
    child.detach();                // waiting and killing are done by pid and group
    output = std::move(out_read);  // our copy of the write end closes here, so EOF comes
    return pid;
}

ProcessResult RecordingProcessRunner::do_run(const Command& command, Deadline,
                                             const EnvVars& extra_env) {
    runs_.push_back({command, extra_env});
    if (next_ < scripted_.size()) return scripted_[next_++];
    if (responder_) return responder_(command);
    ProcessResult r;
    r.exit_code = 0;
    return r;
}

}  // namespace hookctl
