// /etc/passwd and /etc/group lookups; see accounts.hpp.
#include "accounts.hpp"

#include "error.hpp"
#include "file_io.hpp"

#include <charconv>
#include <vector>

namespace hookctl {

namespace {

// The fields of the line of `text` whose first field is `name`; empty if none.
std::vector<std::string_view> entry(std::string_view text, std::string_view name) {
    while (!text.empty()) {
        const auto end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (line.substr(0, name.size()) != name || line.size() <= name.size() ||
            line[name.size()] != ':')
            continue;
        std::vector<std::string_view> fields;
        while (true) {
            const auto colon = line.find(':');
            fields.push_back(line.substr(0, colon));
            if (colon == std::string_view::npos) break;
            line.remove_prefix(colon + 1);
        }
        return fields;
    }
    return {};
}

std::optional<unsigned> number(std::string_view s) {
    unsigned v = 0;
    const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) return std::nullopt;
    return v;
}

std::string read_or_empty(const std::string& path) {
    try {
        return read_file_if_exists(path).value_or("");
    } catch (const Error&) {
        return {};
    }
}

}  // namespace

std::optional<Account> find_passwd_entry(std::string_view passwd, std::string_view name) {
    const auto f = entry(passwd, name);
    if (f.size() < 4) return std::nullopt;
    const auto uid = number(f[2]);
    const auto gid = number(f[3]);
    if (!uid || !gid) return std::nullopt;
    return Account{static_cast<uid_t>(*uid), static_cast<gid_t>(*gid)};
}

std::optional<gid_t> find_group_entry(std::string_view group, std::string_view name) {
    const auto f = entry(group, name);
    if (f.size() < 3) return std::nullopt;
    const auto gid = number(f[2]);
    if (!gid) return std::nullopt;
    return static_cast<gid_t>(*gid);
}

std::optional<Account> lookup_user(std::string_view name, const std::string& etc) {
    return find_passwd_entry(read_or_empty(etc + "/passwd"), name);
}

std::optional<gid_t> lookup_group(std::string_view name, const std::string& etc) {
    return find_group_entry(read_or_empty(etc + "/group"), name);
}

}  // namespace hookctl
