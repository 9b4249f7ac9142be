// State directory I/O: atomic replace, flock, JSON facts and applied objects.
#include "store.hpp"

#include "error.hpp"
#include "file_io.hpp"
#include "json_io.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace hookctl {

namespace {

// The state.json a save replaced, kept beside it: the next save writes into it and
// swaps the two (replace_file). Only the lock holder writes it; nothing reads it.
constexpr const char* state_previous = "state.json.old";

// The state dir and the journal dir: created 0700 (mkdir's mode is cut by the
// umask, 077 under pppd, so it is set again), or, when they exist, checked to be
// directories of ours, not symlinks, and put back to 0700.
void ensure_private_dir(const std::string& d) {
    // At every run but the first it is already right: one lstat says so. Anything else
    // (missing, a symlink, another owner or mode) goes the way below, which opens it
    // without following links and changes the mode through that descriptor.
    struct stat st {};
    if (::fstatat(AT_FDCWD, d.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode) &&
        st.st_uid == ::geteuid() && (st.st_mode & 07777) == 0700)
        return;
    UniqueFd fd(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd && errno == ENOENT) {
        // mkdir's mode is cut by the umask (077 under pppd): fixed below.
        if (::mkdir(d.c_str(), 0700) != 0 && errno != EEXIST)
            throw Error(fmt::format(
                "{}: cannot create state directory: {} (use --state-dir to choose another)", d,
                errno_text()));
        fd.reset(::open(d.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!fd)
        throw Error(fmt::format("{}: {}{}", d, errno_text(),
                                errno == ELOOP || errno == ENOTDIR
                                    ? " (a state directory must be a real directory)"
                                    : ""));
    if (::fstat(fd.get(), &st) != 0) throw Error(fmt::format("{}: fstat: {}", d, errno_text()));
    if (st.st_uid != ::geteuid())
        throw Error(fmt::format(
            "{}: owned by uid {}, not by uid {} that runs hookctl; another user could plant "
            "files there (chown it, or use --state-dir)",
            d, st.st_uid, ::geteuid()));
    if ((st.st_mode & 07777) != 0700) ::fchmod(fd.get(), 0700);
}

volatile sig_atomic_t lock_timer_fired = 0;
void on_lock_timer(int) {
    lock_timer_fired = 1;
}

// Who holds the lock: the pid /proc/locks gives for a FLOCK on the lock file's
// inode ("1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF"), and its command line.
// Read only when a waiter gives up, so a run that gets the lock writes nothing.
std::string describe_holder(int fd) {
    struct stat st {};
    std::string locks;
    UniqueFd l(::open("/proc/locks", O_RDONLY | O_CLOEXEC));
    if (::fstat(fd, &st) != 0 || !l || !read_all(l.get(), locks)) return "holder unknown";
    const std::string inode = fmt::format(":{} ", st.st_ino);
    long pid = 0;
    for (std::size_t at = 0; at < locks.size();) {
        std::size_t end = locks.find('\n', at);
        if (end == std::string::npos) end = locks.size();
        const std::string line = locks.substr(at, end - at);
        at = end + 1;
        if (line.find("FLOCK") == std::string::npos || line.find(inode) == std::string::npos ||
            line.find("->") != std::string::npos)  // "->": a waiter, not the holder
            continue;
        char kind[16], advisory[16], mode[16];
        if (std::sscanf(line.c_str(), "%*d: %15s %15s %15s %ld", kind, advisory, mode, &pid) == 4)
            break;
        pid = 0;
    }
    if (pid <= 0) return "holder unknown";
    std::string cmdline;
    UniqueFd c(::open(fmt::format("/proc/{}/cmdline", pid).c_str(), O_RDONLY | O_CLOEXEC));
    if (c && read_all(c.get(), cmdline)) {
        std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
        while (!cmdline.empty() && cmdline.back() == ' ') cmdline.pop_back();
    }
    return cmdline.empty()
               ? fmt::format("held by pid {}", pid)
               : fmt::format("held by pid {} ({})", pid, escape_for_display(cmdline, 120));
}

// flock(LOCK_EX) that gives up at `deadline`: an interval timer interrupts the
// blocking call (SIGALRM without SA_RESTART), so a waiter wakes the moment the
// lock is released and not later, and never waits past its budget.
bool flock_until(int fd, Deadline deadline) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return true;
    if (errno != EWOULDBLOCK) return false;
    struct sigaction on {
    }, old{};
    on.sa_handler = on_lock_timer;
    ::sigemptyset(&on.sa_mask);
    on.sa_flags = 0;  // no SA_RESTART: flock must return EINTR
    ::sigaction(SIGALRM, &on, &old);
    bool locked = false;
    for (;;) {
        const auto left = deadline - std::chrono::steady_clock::now();
        if (left <= std::chrono::steady_clock::duration::zero()) {
            errno = ETIMEDOUT;
            break;
        }
        const auto us = std::chrono::duration_cast<std::chrono::microseconds>(left).count();
        itimerval t{};
        if (deadline != Deadline::max()) {
            t.it_value.tv_sec = static_cast<time_t>(us / 1000000);
            t.it_value.tv_usec = static_cast<suseconds_t>(us % 1000000) + 1;
        }
        lock_timer_fired = 0;
        ::setitimer(ITIMER_REAL, &t, nullptr);
        const int rc = ::flock(fd, LOCK_EX);
        const int err = errno;
        const itimerval off{};
        ::setitimer(ITIMER_REAL, &off, nullptr);
        if (rc == 0) {
            locked = true;
            break;
        }
        if (err != EINTR) {
            errno = err;
            break;
        }
    }
    const int err = errno;
    ::sigaction(SIGALRM, &old, nullptr);
    errno = err;
    return locked;
}

}  // namespace

void StateDir::ensure_exists() const {
    ensure_private_dir(path_);
    ensure_private_dir(path_ + "/journal");
}

StateLock StateDir::lock(Deadline deadline) {
    const std::string p = path_ + "/lock";
    UniqueFd fd(::open(p.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600));
    // A read-only state directory (remounted, or a failing disk): the event is still
    // handled. flock needs no write access: the existing lock file read-only (the
    // same lock as everyone else's), or the directory itself if there is none.
    if (!fd && errno == EROFS)
        fd.reset(::open(p.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
    if (!fd && errno == ENOENT)
        fd.reset(::open(path_.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) throw Error(fmt::format("{}: cannot open lock file: {}", p, errno_text()));
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0 || !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)))
        throw Error(fmt::format("{}: not a regular file; remove it", p));
    const auto waited_from = std::chrono::steady_clock::now();
    if (!flock_until(fd.get(), deadline)) {
        if (errno != ETIMEDOUT) throw Error(fmt::format("{}: flock failed: {}", p, errno_text()));
        const auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - waited_from);
        throw Error(fmt::format(
            "{}: {}; gave up after {} ms, the hook's time budget (settings.hook-budget)", p,
            describe_holder(fd.get()), waited.count()));
    }
    return StateLock(std::move(fd));
}

std::string StateDir::set_aside_if_unreadable(Timestamp now) {
    try {
        load_facts();
        load_applied();
        load_pending_reloads();
        return {};
    } catch (const Error& e) {
        const std::string from = path_ + "/state.json";
        const std::string to = fmt::format("{}.bad-{}", from, now);
        if (::rename(from.c_str(), to.c_str()) != 0)
            throw Error(
                fmt::format("{}; and it cannot be moved aside: {}", e.what(), errno_text()));
        text_.reset();
        document_.reset();
        loaded_ = {};
        return fmt::format(
            "{}; moved to {} and started from empty state: rules and routes are found again by "
            "their tag, files by their marker, facts from this and the next events",
            e.what(), to);
    }
}

namespace {

StateTree parse_json_file(const std::string& path, const std::string& text) {
    try {
        return parse_state_tree(text);
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: not valid JSON ({}); move it away to start from empty state",
                                path, e.what()));
    }
}

}  // namespace

// The document as on disk (empty object when there is none), parsed once per
// StateDir; load_* read their part of it.
const StateTree& StateDir::document() const {
    if (document_) return *document_;
    const std::string p = path_ + "/state.json";
    auto text = read_file_if_exists(p);
    document_ = text ? parse_json_file(p, *text) : StateTree::object();
    text_ = std::move(text);
    if (!document_->is_object())
        throw Error(
            fmt::format("{}: not a JSON object; move it away to start from empty state", p));
    return *document_;
}

const Facts& StateDir::load_facts() const {
    if (loaded_.facts) return *loaded_.facts;
    try {
        const StateTree& doc = document();
        loaded_.facts = doc.contains("facts") ? facts_from_json(doc.at("facts")) : Facts{};
        return *loaded_.facts;
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: facts: {}", path_, e.what()));
    }
}

const std::vector<OwnedObject>& StateDir::load_applied() const {
    if (loaded_.applied) return *loaded_.applied;
    std::vector<OwnedObject> out;
    try {
        const StateTree& doc = document();
        if (doc.contains("applied"))
            for (const auto& j : doc.at("applied")) out.push_back(owned_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: applied: {}", path_, e.what()));
    }
    loaded_.applied = std::move(out);
    return *loaded_.applied;
}

const std::vector<ServiceAction>& StateDir::load_pending_reloads() const {
    if (loaded_.pending) return *loaded_.pending;
    std::vector<ServiceAction> out;
    try {
        const StateTree& doc = document();
        if (doc.contains("pending-reloads"))
            for (const auto& j : doc.at("pending-reloads")) out.push_back(service_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: pending-reloads: {}", path_, e.what()));
    }
    loaded_.pending = std::move(out);
    return *loaded_.pending;
}

namespace {

// Equal as saved: OwnedObject's == compares the object alone; state.json holds
// where it came from and what it depends on too.
bool same_as_saved(const std::vector<OwnedObject>& a, const std::vector<OwnedObject>& b) {
    return std::equal(
        a.begin(), a.end(), b.begin(), b.end(), [](const OwnedObject& x, const OwnedObject& y) {
            return x.object == y.object && x.origin == y.origin && x.depends_on == y.depends_on;
        });
}

}  // namespace

void StateDir::save(const Facts& facts, const std::vector<OwnedObject>& applied,
                    const std::vector<ServiceAction>& pending) const {
    // The values this StateDir loaded from the file on disk: nothing to write.
    if (text_ && loaded_.facts && loaded_.applied && loaded_.pending && *loaded_.facts == facts &&
        same_as_saved(*loaded_.applied, applied) && *loaded_.pending == pending)
        return;
    // Compact: parsed at every hook run (`hookctl status --json` is the readable view).
    std::string text = state_json_text(facts, applied, pending);
    if (text_ && *text_ == text) return;  // most events change nothing: no write at all
    replace_file(path_ + "/state.json", text, 0600, durable_, path_ + "/" + state_previous);
    text_ = std::move(text);
    document_.reset();  // parsed again only if asked for; the loads below are kept
    loaded_ = {facts, applied, pending};
}

}  // namespace hookctl
