// FileWriter: atomic, validated replacement of hookctl-owned files. Runs under
// pppd's umask 077, so every mode is set explicitly with fchmod, never left to open().
#include "file_writer.hpp"

#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <optional>

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
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

// Reads a whole regular file without following a symlink; nullopt with errno set on failure.
std::optional<std::string> read_file(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd) return std::nullopt;
    std::string out;
    if (!read_all(fd.get(), out)) return std::nullopt;
    return out;
}

// A rename or unlink is durable only once the directory entry is on disk.
bool fsync_dir(const std::string& dir) {
    UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    return fd && ::fsync(fd.get()) == 0;
}

struct Owner {
    uid_t uid;
    gid_t gid;
};

// Empty owner/group: whoever hookctl runs as (root in production).
std::optional<Owner> resolve_owner(const FileObject& f, std::string& error) {
    Owner o{::geteuid(), ::getegid()};
    if (!f.owner.empty()) {
        const passwd* pw = ::getpwnam(f.owner.c_str());
        if (!pw) {
            error = fmt::format(
                "{}: owner '{}' is not a known user (getpwnam); create it or fix the owner", f.path,
                f.owner);
            return std::nullopt;
        }
        o.uid = pw->pw_uid;
        if (f.group.empty()) o.gid = pw->pw_gid;
    }
    if (!f.group.empty()) {
        const group* gr = ::getgrnam(f.group.c_str());
        if (!gr) {
            error = fmt::format(
                "{}: group '{}' is not a known group (getgrnam); create it or fix the group",
                f.path, f.group);
            return std::nullopt;
        }
        o.gid = gr->gr_gid;
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

// Creates a new, empty temp file next to `path` (same filesystem, so rename is atomic).
int create_temp(const std::string& path, std::string& temp) {
    static unsigned counter = 0;
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp =
            fmt::format("{}/.{}.hookctl-{}-{}", dir_of(path), base_of(path), ::getpid(), counter++);
        int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
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
    auto owner = resolve_owner(f, error);
    if (!owner) return fail(error);

    struct stat st {};
    std::optional<std::string> current;
    if (::lstat(f.path.c_str(), &st) == 0) {
        if (!S_ISREG(st.st_mode))
            return fail(
                fmt::format("{}: exists and is not a regular file (a symlink?); hookctl only "
                            "replaces regular files it wrote; remove it",
                            f.path));
        current = read_file(f.path);
        if (!current) return fail(fmt::format("{}: cannot read: {}", f.path, errno_text()));
        if (!current->empty() && !carries_marker(*current))
            return fail(
                fmt::format("{} exists and is not owned by hookctl (no marker line); move it away "
                            "or add the marker to hand it over",
                            f.path));
    } else if (errno != ENOENT) {
        return fail(fmt::format("{}: {}", f.path, errno_text()));
    }

    if (current && *current == f.content) {
        // Same bytes: no write, mtime stays, no reload. Repair metadata in place.
        std::string repaired;
        if (st.st_uid != owner->uid || st.st_gid != owner->gid) {
            if (::chown(f.path.c_str(), owner->uid, owner->gid) != 0)
                return fail(fmt::format("{}: chown to {}:{}: {}", f.path, owner->uid, owner->gid,
                                        errno_text()));
            repaired +=
                fmt::format("owner {}:{} -> {}:{}", st.st_uid, st.st_gid, owner->uid, owner->gid);
        }
        // chown clears set-id bits, so the mode is set after it.
        if ((st.st_mode & 07777) != f.mode || !repaired.empty()) {
            if (::chmod(f.path.c_str(), f.mode) != 0)
                return fail(fmt::format("{}: chmod {:04o}: {}", f.path, f.mode, errno_text()));
            if ((st.st_mode & 07777) != f.mode)
                repaired += fmt::format("{}mode {:04o} -> {:04o}", repaired.empty() ? "" : ", ",
                                        st.st_mode & 07777, f.mode);
        }
        return result(S::unchanged,
                      repaired.empty() ? "" : "content unchanged; repaired " + repaired, start);
    }

    std::string temp;
    int raw = create_temp(f.path, temp);
    if (raw < 0)
        return fail(fmt::format("{}: cannot create a temp file in {}: {}", f.path, dir_of(f.path),
                                errno_text()));
    UniqueFd fd(raw);
    bool keep_temp = false;
    struct TempGuard {
        const std::string& temp;
        bool& keep;
        ~TempGuard() {
            if (!keep) ::unlink(temp.c_str());
        }
    } guard{temp, keep_temp};

    struct stat tst {};
    if (::fstat(fd.get(), &tst) != 0) return fail(fmt::format("{}: fstat: {}", temp, errno_text()));
    if ((tst.st_uid != owner->uid || tst.st_gid != owner->gid) &&
        ::fchown(fd.get(), owner->uid, owner->gid) != 0)
        return fail(
            fmt::format("{}: chown to {}:{}: {}", f.path, owner->uid, owner->gid, errno_text()));
    if (::fchmod(fd.get(), f.mode) != 0)
        return fail(fmt::format("{}: chmod {:04o}: {}", f.path, f.mode, errno_text()));
    if (!write_all(fd.get(), f.content) || ::fsync(fd.get()) != 0)
        return fail(fmt::format("{}: writing {}: {}", f.path, temp, errno_text()));

    if (!f.validate.empty()) {
        Command check;
        for (const auto& a : f.validate) check.argv.push_back(substitute(a, temp));
        check.timeout_ms = validator_timeout_ms_;
        ProcessResult pr = runner_.run(check, deadline_);
        if (!pr.ok()) {
            std::string out = trim_end(pr.output);
            return fail(
                fmt::format("{}: new content rejected by `{}` ({}){}{}; the old file is kept",
                            f.path, format_argv(check.argv), describe(pr), out.empty() ? "" : ": ",
                            pr.output_truncated ? "..." + out : out));
        }
    }

    if (::rename(temp.c_str(), f.path.c_str()) != 0)
        return fail(fmt::format("{}: rename from {}: {}", f.path, temp, errno_text()));
    keep_temp = true;  // it is the file now
    std::string message = fmt::format("wrote {} bytes", f.content.size());
    if (!fsync_dir(dir_of(f.path)))
        message += fmt::format(" (fsync of {} failed: {})", dir_of(f.path), errno_text());
    return result(S::done, message, start);
}

ActionResult FileWriter::remove(const FileObject& f) {
    using S = ActionResult::Status;
    const auto start = Clock::now();
    struct stat st {};
    if (::lstat(f.path.c_str(), &st) != 0) {
        if (errno == ENOENT) return result(S::unchanged, "already absent", start);
        return result(S::failed, fmt::format("{}: {}", f.path, errno_text()), start);
    }
    if (!S_ISREG(st.st_mode))
        return result(
            S::failed,
            fmt::format("{}: not a regular file; hookctl did not write it, left in place", f.path),
            start);
    auto current = read_file(f.path);
    if (!current)
        return result(S::failed, fmt::format("{}: cannot read: {}", f.path, errno_text()), start);
    // The user took the file over by deleting the marker: it is theirs now.
    if (!carries_marker(*current))
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
