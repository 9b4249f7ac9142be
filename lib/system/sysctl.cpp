// SysctlWriter: dotted sysctl keys to /proc/sys paths, read-compare-write with plain
// open/read/write so errno reaches the message unchanged (EINVAL for a value the
// kernel refuses, EROFS in a read-only container, ENOENT for a vanished interface).
#include "sysctl.hpp"

#include "fd.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>
#include <string_view>

#include <fmt/format.h>

namespace hookctl {
namespace {

// The kernel's own names for sysctl leaves and directories: letters, digits, '_'
// and '-'. Interface names are wider (see interface_component_ok).
bool leaf_component_ok(std::string_view s) {
    if (s.empty() || s.size() > 64) return false;
    for (char c : s) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-';
        if (!ok) return false;
    }
    return true;
}

// Interface names were validated upstream (parse_interface_name); this re-check
// only guards the path: one component, not "." or "..", no '/' and no bytes that
// have no business in a file name. Dots inside ("eth0.100") are fine.
bool interface_component_ok(std::string_view s) {
    if (s.empty() || s.size() > 15 || s == "." || s == "..") return false;
    for (unsigned char c : s)
        if (c == '/' || c <= 0x20 || c >= 0x7f) return false;
    return true;
}

// Trim and collapse runs of whitespace: /proc prints "0\t65535\n" for two-value
// keys, a config writes "0 65535".
std::string normalize(std::string_view s) {
    std::string out;
    bool space = false;
    for (char c : s) {
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
            space = !out.empty();
            continue;
        }
        if (space) out += ' ';
        space = false;
        out += c;
    }
    return out;
}

bool is_directory(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// Reads an open /proc/sys file whole. Returns errno (0 on success). A sysctl's handler
// produces the whole value in one read when the buffer holds it, so a read shorter
// than the buffer is the end (no second read to see 0 bytes).
// Read into `out` itself (no buffer on the stack: see read_all).
int read_open_file(int fd, std::string& out) {
    constexpr std::size_t chunk = 4096;
    out.clear();
    for (;;) {
        const std::size_t used = out.size();
        out.resize(used + chunk);
        const ssize_t n = ::read(fd, out.data() + used, chunk);
        const int err = n < 0 ? errno : 0;
        out.resize(used + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (err == EINTR) continue;
        if (err != 0) return err;
        if (static_cast<std::size_t>(n) < chunk) return 0;
    }
}

// Reads a small /proc file whole. Returns errno (0 on success).
int read_small_file(const std::string& path, std::string& out) {
    const UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) return errno;
    return read_open_file(fd.get(), out);
}

// One write() call at offset 0 of `fd`: /proc/sys handlers parse the buffer of a
// single write, so a short write would leave half a value.
int write_value(int fd, const std::string& value) {
    const std::string line = value + "\n";
    ssize_t n;
    do {
        n = ::pwrite(fd, line.data(), line.size(), 0);
    } while (n < 0 && errno == EINTR);
    return n < 0 ? errno : (static_cast<std::size_t>(n) == line.size() ? 0 : EIO);
}

// The same through `path` (a key that could not be opened for reading and writing).
// No O_CREAT: a missing key is an error.
int write_small_file(const std::string& path, const std::string& value) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    int e = write_value(fd, value);
    if (::close(fd) != 0 && e == 0) e = errno;
    return e;
}

ActionResult failed(std::string message) {
    return {ActionResult::Status::failed, std::move(message), 0};
}

}  // namespace

SysctlPath sysctl_path(const std::string& key) {
    SysctlPath p;
    if (key.find('\0') != std::string::npos || key.find('/') != std::string::npos) {
        p.error = fmt::format("invalid sysctl key '{}'", key);
        return p;
    }
    for (std::string_view prefix : {"net.ipv4.conf.", "net.ipv6.conf."}) {
        if (key.compare(0, prefix.size(), prefix) != 0) continue;
        std::string rest = key.substr(prefix.size());
        auto dot = rest.rfind('.');
        if (dot == std::string::npos) {
            p.error =
                fmt::format("invalid sysctl key '{}': expected {}<interface>.<name>", key, prefix);
            return p;
        }
        std::string ifname = rest.substr(0, dot);
        std::string leaf = rest.substr(dot + 1);
        if (!interface_component_ok(ifname)) {
            p.error = fmt::format("invalid interface name '{}' in sysctl key '{}'", ifname, key);
            return p;
        }
        if (!leaf_component_ok(leaf)) {
            p.error = fmt::format("invalid sysctl name '{}' in key '{}'", leaf, key);
            return p;
        }
        std::string dir(prefix.substr(0, prefix.size() - 1));  // "net.ipv6.conf"
        for (char& c : dir)
            if (c == '.') c = '/';
        p.relative = fmt::format("{}/{}/{}", dir, ifname, leaf);
        p.interface = ifname;
        p.leaf = leaf;
        return p;
    }
    // Any other key: each dot is a directory level, each component a plain name.
    std::string relative;
    std::size_t start = 0;
    for (;;) {
        auto dot = key.find('.', start);
        std::string_view part(key.data() + start,
                              (dot == std::string::npos ? key.size() : dot) - start);
        if (!leaf_component_ok(part)) {
            p.error = fmt::format("invalid sysctl key '{}'", key);
            return p;
        }
        relative += part;
        if (dot == std::string::npos) {
            p.leaf = std::string(part);
            break;
        }
        relative += '/';
        start = dot + 1;
    }
    p.relative = relative;
    return p;
}

SysctlWriter::SysctlWriter(std::string root) : root_(std::move(root)) {}

std::optional<std::string> SysctlWriter::read(const std::string& key) const {
    SysctlPath p = sysctl_path(key);
    if (!p.error.empty()) return std::nullopt;
    std::string text;
    if (read_small_file(root_ + "/" + p.relative, text) != 0) return std::nullopt;
    return normalize(text);
}

ActionResult SysctlWriter::ensure(const SysctlObject& sysctl) {
    SysctlPath p = sysctl_path(sysctl.key);
    if (!p.error.empty()) return failed(p.error);
    const std::string path = root_ + "/" + p.relative;
    const std::string wanted = normalize(sysctl.value);

    // Read and written through one descriptor when the key is writable (one open per
    // key); read-only, it is only read, and a different value fails at the write below.
    UniqueFd rw;
    bool opened_in_dir = false;
    if (p.relative.size() > p.leaf.size()) {
        const std::string dir = p.relative.substr(0, p.relative.size() - p.leaf.size() - 1);
        if (dir != dir_ || !dir_fd_) {
            dir_ = dir;
            dir_fd_.reset(::open((root_ + "/" + dir).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        }
        if (dir_fd_) {
            rw.reset(::openat(dir_fd_.get(), p.leaf.c_str(), O_RDWR | O_CLOEXEC));
            opened_in_dir = rw || errno != ENOENT;
            // The directory went away since it was opened (an interface deleted, perhaps
            // made again): the whole path decides, as for a key seen first.
            if (!opened_in_dir) dir_fd_.reset();
        }
    }
    if (!opened_in_dir) rw.reset(::open(path.c_str(), O_RDWR | O_CLOEXEC));
    std::string current;
    int err = rw ? read_open_file(rw.get(), current) : read_small_file(path, current);
    if (err == ENOENT) {
        // Say which part is missing: on ip-down the interface is usually gone already.
        if (!p.interface.empty()) {
            std::string if_dir = path.substr(0, path.size() - p.leaf.size() - 1);
            if (!is_directory(if_dir))
                return failed(fmt::format("no such interface '{}' ({})", p.interface, sysctl.key));
        }
        return failed(fmt::format("no such key '{}' ({})", p.leaf, sysctl.key));
    }
    if (err != 0) return failed(fmt::format("read {}: {}", sysctl.key, std::strerror(err)));
    current = normalize(current);
    if (current == wanted) return {ActionResult::Status::unchanged, "", 0};

    err = rw ? write_value(rw.get(), wanted) : write_small_file(path, wanted);
    if (err == ENOENT && !p.interface.empty())
        return failed(fmt::format("no such interface '{}' ({})", p.interface, sysctl.key));
    if (err != 0)
        return failed(fmt::format("write {}={}: {}", sysctl.key, wanted, std::strerror(err)));
    return {ActionResult::Status::done, fmt::format("was '{}'", current), 0};
}

}  // namespace hookctl
