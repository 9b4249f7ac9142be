// POSIX file helpers; see file_io.hpp.
#include "file_io.hpp"

#include "error.hpp"
#include "fault.hpp"
#include "fd.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

namespace hookctl {

std::string errno_text(int err) {
    return std::strerror(err);
}

std::string dir_of(const std::string& path) {
    const auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

std::string base_of(const std::string& path) {
    return path.substr(path.rfind('/') + 1);
}

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (n == 0) {
            errno = EIO;
            return false;
        }
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Straight into the string, 4 KiB or the capacity it already has at a time: no
// buffer on the stack, whose pages a process that has just started faults in one by one.
bool read_all(int fd, std::string& out) {
    for (;;) {
        const std::size_t used = out.size();
        out.resize(std::max(out.capacity(), used + 4096));
        const ssize_t n = ::read(fd, out.data() + used, out.size() - used);
        const int err = n < 0 ? errno : 0;
        out.resize(used + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (n == 0) return true;
        if (err != 0 && err != EINTR) {
            errno = err;  // for the caller's message
            return false;
        }
    }
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) {
        if (errno == ENOENT) return std::nullopt;
        throw Error(fmt::format("{}: cannot open: {}", path, errno_text()));
    }
    std::string out;
    if (!read_all(fd.get(), out))
        throw Error(fmt::format("{}: read failed: {}", path, errno_text()));
    return out;
}

void replace_file(const std::string& path, std::string_view content, unsigned mode, bool durable,
                  const std::string& previous) {
    // O_NONBLOCK: a FIFO planted under the name fails here instead of blocking the hook.
    UniqueFd fd(
        ::open(previous.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK, mode));
    if (!fd) throw Error(fmt::format("{}: cannot open: {}", previous, errno_text()));
    auto fail = [&](const char* what) {
        const std::string why = errno_text();
        ::unlink(previous.c_str());
        throw Error(fmt::format("{}: {}: {}", previous, what, why));
    };
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) fail("fstat failed");
    if (!S_ISREG(st.st_mode))
        throw Error(fmt::format("{}: not a regular file; remove it", previous));
    if ((st.st_mode & 07777) != mode && ::fchmod(fd.get(), mode) != 0) fail("chmod failed");
    for (std::size_t done = 0; done < content.size();) {
        const ssize_t n = ::pwrite(fd.get(), content.data() + done, content.size() - done,
                                   static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = EIO;
            fail("write failed");
        }
        done += static_cast<std::size_t>(n);
    }
    // Cut to the new length, not to zero: ext4 also flushes a file truncated to zero
    // and written again when it is closed.
    if (static_cast<std::uint64_t>(st.st_size) > content.size() &&
        ::ftruncate(fd.get(), static_cast<off_t>(content.size())) != 0)
        fail("truncate failed");
    if (durable && ::fsync(fd.get()) != 0) fail("fsync failed");
    fd.reset();
    fault_point("atomic: temp written");
    if (!durable &&
        ::renameat2(AT_FDCWD, previous.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
        fault_point("atomic: exchanged");
        return;
    }
    // ENOENT (no file yet), EINVAL (no exchange on this file system), or durable.
    if (::rename(previous.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(previous.c_str());
        throw Error(fmt::format("{}: cannot replace: {}", path, why));
    }
    if (durable) {
        UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir) ::fsync(dir.get());
    }
}

}  // namespace hookctl
