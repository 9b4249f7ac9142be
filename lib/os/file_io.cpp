// POSIX file helpers; see file_io.hpp.
#include "file_io.hpp"

#include "error.hpp"
#include "fault.hpp"
#include "fd.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
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

bool read_all(int fd, std::string& out) {
    char buf[16384];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
        } else if (n == 0) {
            return true;
        } else if (errno != EINTR) {
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

void write_file_atomic(const std::string& path, std::string_view content, unsigned mode,
                       bool durable, const std::string& temp) {
    const std::string tmp = temp.empty() ? fmt::format("{}.tmp.{}", path, ::getpid()) : temp;
    UniqueFd fd(::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw Error(fmt::format("{}: cannot create: {}", tmp, errno_text()));
    auto fail = [&](const char* what) {
        const std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error(fmt::format("{}: {}: {}", tmp, what, why));
    };
    if (!write_all(fd.get(), content)) fail("write failed");
    if (::fchmod(fd.get(), mode) != 0) fail("chmod failed");
    if (durable && ::fsync(fd.get()) != 0) fail("fsync failed");
    fd.reset();
    fault_point("atomic: temp written");
    if (!durable &&
        ::renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, path.c_str(), RENAME_EXCHANGE) == 0) {
        fault_point("atomic: exchanged");
        ::unlink(tmp.c_str());  // the old file
        return;
    }
    // ENOENT (no file yet), EINVAL (no exchange on this file system), or durable.
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error(fmt::format("{}: cannot replace: {}", path, why));
    }
    if (durable) {
        UniqueFd dir(::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (dir) ::fsync(dir.get());
    }
}

}  // namespace hookctl
