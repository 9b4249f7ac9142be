// rt_tables reading: iproute2's table-name files, parsed without iproute2. Only
// names matter to hookctl (config → number); numbers are what goes to the kernel.
#include "rt_tables.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

namespace hookctl {
namespace {

bool parse_id(std::string_view s, std::uint32_t& id) {
    int base = 10;
    if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        s.remove_prefix(2);
        base = 16;
    }
    if (s.empty()) return false;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), id, base);
    return ec == std::errc() && end == s.data() + s.size();
}

std::string_view next_word(std::string_view& line) {
    auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    std::size_t i = 0;
    while (i < line.size() && is_space(line[i])) ++i;
    std::size_t j = i;
    while (j < line.size() && !is_space(line[j])) ++j;
    std::string_view word = line.substr(i, j - i);
    line.remove_prefix(j);
    return word;
}

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

bool read_file(const std::string& path, std::string& out) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return true;
}

void read_into(const std::string& path, TableNames& into) {
    std::string text;
    if (read_file(path, text)) parse_table_names(text, into);
}

// *.conf names in a directory, sorted so the result does not depend on readdir order.
std::vector<std::string> conf_files(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return names;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.empty() || name[0] == '.' || name.size() <= 5 ||
            name.compare(name.size() - 5, 5, ".conf") != 0)
            continue;
        names.push_back(name);
    }
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

std::vector<std::string> parse_table_names(std::string_view text, TableNames& into) {
    std::vector<std::string> problems;
    int line_no = 0;
    while (!text.empty()) {
        ++line_no;
        auto nl = text.find('\n');
        std::string_view line = text.substr(0, nl);
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);

        if (auto hash = line.find('#'); hash != std::string_view::npos) line = line.substr(0, hash);
        std::string_view rest = line;
        std::string_view id_text = next_word(rest);
        if (id_text.empty()) continue;
        std::string_view name = next_word(rest);
        std::string_view extra = next_word(rest);
        std::uint32_t id = 0;
        if (name.empty() || !extra.empty() || !parse_id(id_text, id)) {
            problems.push_back(fmt::format("{}: cannot parse '{}'", line_no, line));
            continue;
        }
        into[std::string(name)] = id;
    }
    return problems;
}

TableNames read_table_names(const std::string& root) {
    TableNames names{{"unspec", 0}, {"default", 253}, {"main", 254}, {"local", 255}};
    const std::string etc = root + "/etc/iproute2";
    const std::string usr_dirs[] = {root + "/usr/share/iproute2", root + "/usr/lib/iproute2"};

    if (exists(etc + "/rt_tables")) {
        read_into(etc + "/rt_tables", names);
    } else {
        for (const auto& usr : usr_dirs)
            if (exists(usr + "/rt_tables")) {
                read_into(usr + "/rt_tables", names);
                break;
            }
    }
    const std::string etc_d = etc + "/rt_tables.d";
    for (const auto& usr : usr_dirs) {
        const std::string usr_d = usr + "/rt_tables.d";
        for (const auto& name : conf_files(usr_d))
            if (!exists(fmt::format("{}/{}", etc_d, name)))
                read_into(fmt::format("{}/{}", usr_d, name), names);
    }
    for (const auto& name : conf_files(etc_d)) read_into(fmt::format("{}/{}", etc_d, name), names);
    return names;
}

}  // namespace hookctl
