// The small public pieces of config.hpp, and reading the file.
#include "config.hpp"

#include "suggest.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

Config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw ConfigError(SourceLocation{path},
                          fmt::format("cannot read the config file: {}", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(SourceLocation{path}, "cannot read the config file");
    return parse_config(text.str(), path);
}

}  // namespace hookctl
