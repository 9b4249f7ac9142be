// Journal files: see journal.hpp. Entries are written atomically but not fsynced:
// the journal is a record for humans and replay, and an fsync per hook run would
// cost more than the rest of the run.
#include "journal.hpp"

#include "store.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <unistd.h>

namespace hookctl {

std::string Journal::file_for(std::uint64_t id) const { return fmt::format("{}/{:08}.json", dir_, id); }

std::vector<std::uint64_t> Journal::ids() const {
    std::vector<std::uint64_t> out;
    DIR* d = ::opendir(dir_.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.size() < 6 || name.substr(name.size() - 5) != ".json") continue;
        const std::string stem = name.substr(0, name.size() - 5);
        if (stem.empty() || !std::all_of(stem.begin(), stem.end(), ::isdigit) || stem.size() > 18) continue;
        out.push_back(std::stoull(stem));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

std::optional<std::uint64_t> Journal::last_id() const {
    auto all = ids();
    if (all.empty()) return std::nullopt;
    return all.back();
}

void Journal::prune(std::vector<std::uint64_t>& all) const {
    while (all.size() > max_entries_) {
        ::unlink(file_for(all.front()).c_str());
        all.erase(all.begin());
    }
}

std::uint64_t Journal::append(Json entry) {
    auto all = ids();
    const std::uint64_t id = all.empty() ? 1 : all.back() + 1;
    entry["id"] = id;
    write_file_atomic(file_for(id), entry.dump(2) + "\n", 0644, false);
    all.push_back(id);
    prune(all);
    return id;
}

void Journal::update(std::uint64_t id, const Json& entry) {
    Json e = entry;
    e["id"] = id;
    write_file_atomic(file_for(id), e.dump(2) + "\n", 0644, false);
}

std::optional<Json> Journal::read(std::uint64_t id) const {
    auto text = read_file_if_exists(file_for(id));
    if (!text) return std::nullopt;
    try {
        return Json::parse(*text);
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: not valid JSON: {}", file_for(id), e.what()));
    }
}

}  // namespace hookctl
