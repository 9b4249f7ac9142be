// FileWriter: atomic, validated replacement of hookctl-owned files. Runs under
// pppd's umask 077, so every mode is set explicitly with fchmod, never left to open().
#include "file_writer.hpp"

#include "accounts.hpp"
#include "fault.hpp"
#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hookctl {

namespace {

using Clock = std::chrono::steady_clock;

ActionResult result(ActionResult::Status s, std::string message, Clock::time_point start) {
    ActionResult r;
    r.status = s;
    r.message = std::move(message);
    auto us = std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
    r.elapsed_us = static_cast<std::uint32_t>(us);
    return r;
}

// A rename or unlink is durable only once the directory entry is on disk.
bool fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return fd && ::fsync(fd.get()) == 0;
}

using Owner = FileWriter::Owner;

// Empty owner/group: whoever hookctl runs as (root in production).
std::optional<Owner> resolve_owner(const FileObject& f, std::string& error) {
    Owner o{::geteuid(), ::getegid()};
    if (!f.owner.empty()) {
        const auto user = lookup_user(f.owner);
        if (!user) {
            error = fmt::format(
                "{}: owner '{}' is not a user in /etc/passwd; create it or fix the owner", f.path,
                f.owner);
            return std::nullopt;
        }
        o.uid = user->uid;
        if (f.group.empty()) o.gid = user->gid;
    }
    if (!f.group.empty()) {
        const auto gid = lookup_group(f.group);
        if (!gid) {
            error = fmt::format(
                "{}: group '{}' is not a group in /etc/group; create it or fix the group", f.path,
                f.group);
            return std::nullopt;
        }
        o.gid = *gid;
    }
    return o;
}

std::string substitute(const std::string& arg, const std::string& temp) {
    std::string out;
    std::size_t pos = 0;
    while (true) {
        auto hit = arg.find("{}", pos);
        if (hit == std::string::npos) break;
        out += arg.substr(pos, hit - pos) + temp;
        pos = hit + 2;
    }
    return out + arg.substr(pos);
}

std::string trim_end(std::string s) {
    while (!s.empty() &&
           (s.back() == '\n' || s.back() == ' ' || s.back() == '\r' || s.back() == '\t'))
        s.pop_back();
    return s;
}

// Temp files are `.<name>.hookctl-<pid>-<n>` beside the file (same filesystem, so
// the rename is atomic).
std::string temp_prefix(const std::string& path) {
    return fmt::format("{}/.{}.hookctl-", dir_of(path), base_of(path));
}

// Creates a new, empty temp file next to `path`.
int create_temp(const std::string& path, std::string& temp) {
    static unsigned counter = 0;
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp = fmt::format("{}{}-{}", temp_prefix(path), ::getpid(), counter++);
        int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

// Temp files of `path` left by a run that was killed between creating and renaming
// one (pppd SIGTERMs its scripts 5 s after it exits). File-writing runs hold the
// state lock, so another process's temp file is a dead run's: removed, unless that
// process is alive. Only regular files of exactly our pattern are touched.
void remove_stale_temps(const std::string& path) {
    const std::string dir = dir_of(path);
    const std::string prefix = fmt::format(".{}.hookctl-", base_of(path));
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (const dirent* e = ::readdir(d)) {
        const std::string_view name = e->d_name;
        if (name.substr(0, prefix.size()) != prefix) continue;
        const std::string_view rest = name.substr(prefix.size());
        const auto dash = rest.find('-');
        if (dash == std::string_view::npos || dash == 0 || dash + 1 == rest.size()) continue;
        const std::string_view pid_text = rest.substr(0, dash);
        const std::string_view counter = rest.substr(dash + 1);
        auto digits = [](std::string_view t) {
            return t.size() <= 10 &&
                   std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; });
        };
        if (!digits(pid_text) || !digits(counter)) continue;
        const long pid = std::stol(std::string(pid_text));
        if (pid == ::getpid() ||
            (pid > 0 && (::kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH)))
            continue;
        struct stat st {};
        if (::fstatat(::dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode))
            ::unlinkat(::dirfd(d), e->d_name, 0);
    }
    ::closedir(d);
}

// The file as it is: opened without following a symlink and without blocking (a
// FIFO planted there must not hang the hook while it holds the state lock), checked
// to be a regular file on the descriptor itself, read through it. Every later
// metadata change goes through the same descriptor, so a file swapped in after the
// check is never the one changed.
struct Existing {
    UniqueFd fd;
    struct stat st {};
    std::string content;
};

// A file hookctl owns is small; a larger one is not one it wrote.
constexpr off_t max_owned_file_bytes = off_t{16} * 1024 * 1024;

std::optional<Existing> open_existing(const std::string& path, std::string& error) {
    Existing e;
    e.fd.reset(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY));
    if (!e.fd) {
        if (errno == ENOENT) return std::nullopt;
        error = errno == ELOOP ? fmt::format(
                                     "{}: is a symlink; hookctl only replaces regular files it "
                                     "wrote; remove it",
                                     path)
                               : fmt::format("{}: {}", path, errno_text());
        return std::nullopt;
    }
    if (::fstat(e.fd.get(), &e.st) != 0) {
        error = fmt::format("{}: fstat: {}", path, errno_text());
        return std::nullopt;
    }
    if (!S_ISREG(e.st.st_mode)) {
        error = fmt::format(
            "{}: exists and is not a regular file; hookctl only replaces regular "
            "files it wrote; remove it",
            path);
        return std::nullopt;
    }
    if (e.st.st_size > max_owned_file_bytes) {
        error = fmt::format("{}: {} bytes; not a file hookctl wrote", path, e.st.st_size);
        return std::nullopt;
    }
    if (!read_all(e.fd.get(), e.content)) {
        error = fmt::format("{}: cannot read: {}", path, errno_text());
        return std::nullopt;
    }
    return e;
}

// Same bytes: owner and mode put right on the open descriptor, message says what
// changed. chown clears set-id bits, so the mode is set after it.
bool repair_metadata(const Existing& e, const Owner& owner, std::uint32_t mode,
                     std::string& message) {
    std::string repaired;
    if (e.st.st_uid != owner.uid || e.st.st_gid != owner.gid) {
        if (::fchown(e.fd.get(), owner.uid, owner.gid) != 0) {
            message = fmt::format("chown to {}:{}: {}", owner.uid, owner.gid, errno_text());
            return false;
        }
        repaired =
            fmt::format("owner {}:{} -> {}:{}", e.st.st_uid, e.st.st_gid, owner.uid, owner.gid);
    }
    const unsigned old_mode = e.st.st_mode & 07777;
    if (old_mode != mode || !repaired.empty()) {
        if (::fchmod(e.fd.get(), mode) != 0) {
            message = fmt::format("chmod {:04o}: {}", mode, errno_text());
            return false;
        }
        if (old_mode != mode)
            repaired += fmt::format("{}mode {:04o} -> {:04o}", repaired.empty() ? "" : ", ",
                                    old_mode, mode);
    }
    message = repaired.empty() ? "" : "content unchanged; repaired " + repaired;
    return true;
}

}  // namespace

FileWriter::FileWriter(ProcessRunner& runner, Deadline deadline, std::uint32_t validator_timeout_ms)
    : runner_(runner), deadline_(deadline), validator_timeout_ms_(validator_timeout_ms) {}

ActionResult FileWriter::ensure(const FileObject& f) {
    using S = ActionResult::Status;
    const auto start = Clock::now();
    auto fail = [&](std::string m) { return result(S::failed, std::move(m), start); };

    if (f.path.empty() || f.path[0] != '/' || f.path.back() == '/')
        return fail(fmt::format("file '{}': not an absolute file path", f.path));
    if (f.mode & ~07777u)
        return fail(fmt::format("{}: mode {:o} is not a file mode", f.path, f.mode));
    // Without the marker the next run would take its own file for a foreign one.
    if (!carries_marker(f.content))
        return fail(fmt::format(
            "{}: content does not start with hookctl's marker line (internal error)", f.path));
    std::string error;
    const auto owner = resolve_owner(f, error);
    if (!owner) return fail(error);

    const auto existing = open_existing(f.path, error);
    if (!error.empty()) return fail(error);
    if (existing && !existing->content.empty() && !carries_marker(existing->content))
        return fail(
            fmt::format("{} exists and is not owned by hookctl (no marker line); move it away "
                        "or add the marker to hand it over",
                        f.path));
    if (existing && existing->content == f.content) {
        // Same bytes: no write, mtime stays, no reload.
        std::string message;
        if (!repair_metadata(*existing, *owner, f.mode, message))
            return fail(f.path + ": " + message);
        return result(S::unchanged, message, start);
    }
    std::string message;
    if (!replace(f, *owner, message)) return fail(message);
    return result(S::done, message, start);
}

bool FileWriter::replace(const FileObject& f, const Owner& owner, std::string& message) {
    remove_stale_temps(f.path);
    std::string temp;
    UniqueFd fd(create_temp(f.path, temp));
    if (!fd) {
        message = fmt::format("{}: cannot create a temp file in {}: {}", f.path, dir_of(f.path),
                              errno_text());
        return false;
    }
    bool keep_temp = false;
    struct TempGuard {
        const std::string& temp;
        bool& keep;
        ~TempGuard() {
            if (!keep) ::unlink(temp.c_str());
        }
    } guard{temp, keep_temp};

    if (::fchown(fd.get(), owner.uid, owner.gid) != 0) {
        message = fmt::format("{}: chown to {}:{}: {}", f.path, owner.uid, owner.gid, errno_text());
        return false;
    }
    if (::fchmod(fd.get(), f.mode) != 0) {
        message = fmt::format("{}: chmod {:04o}: {}", f.path, f.mode, errno_text());
        return false;
    }
    if (!write_all(fd.get(), f.content) || ::fsync(fd.get()) != 0) {
        message = fmt::format("{}: writing {}: {}", f.path, temp, errno_text());
        return false;
    }
    fault_point("file: temp written");
    if (!f.validate.empty() && !validate(f, temp, message)) return false;
    fault_point("file: validated");
    if (::rename(temp.c_str(), f.path.c_str()) != 0) {
        message = fmt::format("{}: rename from {}: {}", f.path, temp, errno_text());
        return false;
    }
    keep_temp = true;  // it is the file now
    fault_point("file: renamed");
    // No fsync of the directory: the content was fsynced before the rename, so a power
    // cut leaves the old file or the new one, whole, and an old one is rewritten by the
    // `hookctl apply` that runs at boot (it compares every owned file with its desired
    // content). The directory's fsync cost 0.16 ms of every file replaced here
    // (bench/README.md), on the path of the hook the daemon waits for.
    message = fmt::format("wrote {} bytes", f.content.size());
    return true;
}

bool FileWriter::validate(const FileObject& f, const std::string& temp, std::string& message) {
    Command check;
    for (const auto& a : f.validate) check.argv.push_back(substitute(a, temp));
    check.timeout_ms = validator_timeout_ms_;
    const ProcessResult pr = runner_.run(check, deadline_);
    if (pr.ok()) return true;
    const std::string out = trim_end(pr.output);
    message = fmt::format("{}: new content rejected by `{}` ({}){}{}; the old file is kept", f.path,
                          format_argv(check.argv), describe(pr), out.empty() ? "" : ": ",
                          pr.output_truncated ? "..." + out : out);
    return false;
}

ActionResult FileWriter::remove(const FileObject& f) {
    using S = ActionResult::Status;
    const auto start = Clock::now();
    std::string error;
    const auto existing = open_existing(f.path, error);
    if (!error.empty()) return result(S::failed, error + " (left in place)", start);
    if (!existing) return result(S::unchanged, "already absent", start);
    // The user took the file over by deleting the marker: it is theirs now.
    if (!carries_marker(existing->content))
        return result(
            S::unchanged,
            fmt::format("{}: left in place: not owned by hookctl (no marker line)", f.path), start);
    if (::unlink(f.path.c_str()) != 0)
        return result(S::failed, fmt::format("{}: unlink: {}", f.path, errno_text()), start);
    std::string message = "removed";
    if (!fsync_dir(dir_of(f.path)))
        message += fmt::format(" (fsync of {} failed: {})", dir_of(f.path), errno_text());
    return result(S::done, message, start);
}

}  // namespace hookctl
