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
#include <fcntl.h>
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

void Journal::prune_all() const {
    auto all = ids();
    while (all.size() > max_entries_) {
        ::unlink(file_for(all.front()).c_str());
        all.erase(all.begin());
    }
}

std::optional<std::uint64_t> Journal::read_last_id() const {
    auto text = read_file_if_exists(dir_ + "/last-id");
    if (!text) return std::nullopt;
    std::uint64_t id = 0;
    std::size_t digits = 0;
    for (char c : *text) {
        if (c == '\n') break;
        if (c < '0' || c > '9' || ++digits > 18) return std::nullopt;  // torn or foreign: list instead
        id = id * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (digits == 0) return std::nullopt;
    return id;
}

// Fixed width, written in place: a shorter number never leaves a longer one's tail.
void Journal::write_last_id(std::uint64_t id) const {
    const std::string text = fmt::format("{:018}\n", id);
    const std::string path = dir_ + "/last-id";
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) throw Error(fmt::format("{}: cannot open: {}", path, std::strerror(errno)));
    const ssize_t n = ::pwrite(fd, text.data(), text.size(), 0);
    ::close(fd);
    if (n != static_cast<ssize_t>(text.size())) throw Error(fmt::format("{}: short write", path));
}

std::uint64_t Journal::append(Json entry) {
    std::optional<std::uint64_t> last = read_last_id();
    // No counter yet, or one that lags behind the files (state copied back, say):
    // find the newest entry the slow way once.
    if (!last || ::access(file_for(*last + 1).c_str(), F_OK) == 0) {
        auto all = ids();
        last = std::max(last.value_or(0), all.empty() ? 0 : all.back());
    }
    const std::uint64_t id = *last + 1;
    entry["id"] = id;
    write_file_atomic(file_for(id), entry.dump(2) + "\n", 0644, false);
    write_last_id(id);
    // Ids are consecutive, so the entry falling out of the window is id - max; a full
    // pass now and then catches leftovers (a lowered max, a crash between steps).
    if (id > max_entries_) ::unlink(file_for(id - max_entries_).c_str());
    if (id % 256 == 0) prune_all();
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
