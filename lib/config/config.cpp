// The small public pieces of config.hpp, and reading the file.
#include "config.hpp"

#include <algorithm>

#include "suggest.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace hookctl {

// ---- small public pieces ------------------------------------------------------------

std::string SourceLocation::to_string() const {
    if (line <= 0) return file;
    if (column <= 0) return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, column);
}

std::string TableRef::to_string() const {
    if (!name.empty()) return name;
    return id ? std::to_string(*id) : std::string();
}

const UplinkConfig* Config::uplink_for(const InterfaceName& ifname) const {
    for (const auto& [name, uplink] : uplinks)
        if (uplink.interface == ifname) return &uplink;
    return nullptr;
}

std::vector<InterfaceName> Config::kernel_interfaces() const {
    std::vector<InterfaceName> out;
    for (const auto& [name, uplink] : uplinks)
        if (uplink.source == UplinkSource::kernel) out.push_back(uplink.interface);
    std::sort(out.begin(), out.end());
    return out;
}

const UplinkConfig* Config::find_uplink(const std::string& name) const {
    auto it = uplinks.find(name);
    return it == uplinks.end() ? nullptr : &it->second;
}

const LanConfig* Config::find_lan(const std::string& name) const {
    auto it = lans.find(name);
    return it == lans.end() ? nullptr : &it->second;
}

ConfigError::ConfigError(SourceLocation where, const std::string& message, const std::string& hint)
    : Error(with_hint(where.to_string() + ": " + message, hint)), where_(std::move(where)) {}

// hookctl runs as root on what the config says (commands, files it writes), so
// like sudo with sudoers it reads a config only if nobody else could have written
// it: a regular file, owned by root or by the user running hookctl, not writable by
// group or others, and of a sane size.
Config load_config(const std::string& path) {
    const SourceLocation where{path};
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
    if (fd < 0)
        throw ConfigError(where,
                          fmt::format("cannot read the config file: {}", std::strerror(errno)));
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        throw ConfigError(where,
                          fmt::format("cannot stat the config file: {}", std::strerror(errno)));
    if (!S_ISREG(st.st_mode)) throw ConfigError(where, "the config is not a regular file");
    if (st.st_uid != 0 && st.st_uid != ::geteuid())
        throw ConfigError(
            where,
            fmt::format("owned by uid {}, not by root: another user could change what hookctl "
                        "does as root",
                        st.st_uid),
            fmt::format("chown root {}", path));
    if (st.st_mode & (S_IWGRP | S_IWOTH))
        throw ConfigError(
            where,
            fmt::format("writable by group or others (mode {:04o}): another user could change "
                        "what hookctl does as root",
                        st.st_mode & 07777),
            fmt::format("chmod go-w {}", path));
    constexpr off_t max_bytes = off_t{1} << 20;
    if (st.st_size > max_bytes)
        throw ConfigError(where,
                          fmt::format("{} bytes; a config is at most {}", st.st_size, max_bytes));
    // Read into the string itself: a buffer on this frame would sit under the whole
    // parse below, and each stack page the parse reaches for the first time is a fault.
    std::string text;
    text.reserve(static_cast<std::size_t>(st.st_size) + 1);
    for (;;) {
        const std::size_t used = text.size();
        text.resize(std::max(text.capacity(), used + 1));
        const ssize_t n = ::read(fd, text.data() + used, text.size() - used);
        const int err = n < 0 ? errno : 0;
        text.resize(used + (n > 0 ? static_cast<std::size_t>(n) : 0));
        if (err == EINTR) continue;
        if (err != 0)
            throw ConfigError(where,
                              fmt::format("cannot read the config file: {}", std::strerror(err)));
        if (n == 0) break;
        if (static_cast<off_t>(text.size()) > max_bytes)
            throw ConfigError(
                where, fmt::format("more than {} bytes; a config is at most that", max_bytes));
    }
    return parse_config(text, path);
}

}  // namespace hookctl
