// Journal segments: see journal.hpp. Lines are appended with O_APPEND and not
// fsynced: the journal is a record for humans and replay, and a hook run must stay
// cheap. A line cut short by a crash does not parse and is skipped by readers.
#include "journal.hpp"

#include "fault.hpp"
#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <cstring>

namespace hookctl {

Journal::~Journal() {
    if (fd_ >= 0) ::close(fd_);
}

std::string Journal::segment_path(std::uint64_t first_id) const {
    return fmt::format("{}/{:08}.jsonl", dir_, first_id);
}

std::vector<std::uint64_t> Journal::segments() const {
    if (segments_) return *segments_;
    std::vector<std::uint64_t> out;
    DIR* d = ::opendir(dir_.c_str());
    if (!d) return out;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        const std::string suffix = ".jsonl";
        if (name.size() <= suffix.size() ||
            name.compare(name.size() - suffix.size(), suffix.size(), suffix) != 0)
            continue;
        const std::string stem = name.substr(0, name.size() - suffix.size());
        if (stem.size() > 18 || !std::all_of(stem.begin(), stem.end(), ::isdigit)) continue;
        out.push_back(std::stoull(stem));
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    segments_ = out;
    return out;
}

const std::map<std::uint64_t, Json>& Journal::load_segment(std::uint64_t first_id) const {
    auto cached = cache_.find(first_id);
    if (cached != cache_.end()) return cached->second;
    std::map<std::uint64_t, Json>& entries = cache_[first_id];
    auto text = read_file_if_exists(segment_path(first_id));
    if (!text) return entries;
    std::size_t start = 0;
    while (start < text->size()) {
        std::size_t end = text->find('\n', start);
        if (end == std::string::npos) end = text->size();
        try {
            Json j = parse_state_json(text->data() + start, text->data() + end);
            if (j.is_object() && j.contains("id") && j.at("id").is_number_unsigned()) {
                // Not in one expression: the right side of `=` is evaluated first.
                const auto id = j.at("id").get<std::uint64_t>();
                entries[id] = std::move(j);
            }
        } catch (const std::exception&) {
            // a line cut short by a crash: the entry's other line, if any, stands
        }
        start = end + 1;
    }
    return entries;
}

namespace {

// The counter's text: 18 digits and a newline; anything else (torn, foreign) is
// no counter.
std::optional<std::uint64_t> parse_last_id(std::string_view text) {
    std::uint64_t id = 0;
    std::size_t digits = 0;
    for (char c : text) {
        if (c == '\n') break;
        if (c < '0' || c > '9' || ++digits > 18) return std::nullopt;
        id = id * 10 + static_cast<std::uint64_t>(c - '0');
    }
    if (digits == 0) return std::nullopt;
    return id;
}

}  // namespace

// The next id, taken under a lock of the counter file's own: two processes never get
// the same id, even one that could not have the state lock (it journals that it
// gave up). The counter is written, fixed width and in place, before the id is
// used: a line that then fails to be written (a full disk) leaves a gap, never a
// reused id.
std::uint64_t Journal::take_id() {
    const std::string path = dir_ + "/last-id";
    UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
    if (!fd) throw Error(fmt::format("{}: cannot open: {}", path, errno_text()));
    while (::flock(fd.get(), LOCK_EX) != 0)
        if (errno != EINTR) throw Error(fmt::format("{}: flock: {}", path, errno_text()));
    char buf[32] = {};
    const ssize_t got = ::pread(fd.get(), buf, sizeof buf - 1, 0);
    std::optional<std::uint64_t> last =
        got > 0 ? parse_last_id(std::string_view(buf, static_cast<std::size_t>(got)))
                : std::nullopt;
    // No counter yet (a new journal, or it was lost): find the newest entry once.
    if (!last) last = newest_on_disk();
    const std::uint64_t id = *last + 1;
    const std::string text = fmt::format("{:018}\n", id);
    const ssize_t n = ::pwrite(fd.get(), text.data(), text.size(), 0);
    if (n != static_cast<ssize_t>(text.size()))
        throw Error(
            fmt::format("{}: write failed: {}", path, n < 0 ? errno_text() : "short write"));
    return id;
}

std::uint64_t Journal::newest_on_disk() const {
    auto segs = segments();
    for (auto it = segs.rbegin(); it != segs.rend(); ++it) {
        const auto& entries = load_segment(*it);
        if (!entries.empty()) return entries.rbegin()->first;
    }
    return 0;
}

std::optional<std::uint64_t> Journal::last_id() const {
    auto all = ids();
    if (all.empty()) return std::nullopt;
    return all.back();
}

std::vector<std::uint64_t> Journal::ids() const {
    std::vector<std::uint64_t> out;
    for (std::uint64_t first : segments())
        for (const auto& [id, _] : load_segment(first)) out.push_back(id);
    std::sort(out.begin(), out.end());
    if (max_entries_ && out.size() > max_entries_) out.erase(out.begin(), out.end() - max_entries_);
    return out;
}

std::optional<Json> Journal::read(std::uint64_t id) const {
    if (id == 0) return std::nullopt;
    // Inside the window of the newest max_entries ids (what ids() lists)?
    const std::uint64_t newest = newest_on_disk();
    if (id > newest || (max_entries_ && newest > max_entries_ && id <= newest - max_entries_))
        return std::nullopt;
    const auto& entries = load_segment(segment_of(id));
    auto it = entries.find(id);
    if (it == entries.end()) return std::nullopt;
    return it->second;
}

// One line: the members, then the id. A segment read before keeps up; one not read
// yet is read with this line in it.
void Journal::write_fields(std::uint64_t id, JournalFields entry) {
    std::string line = "{" + std::move(entry.text);
    if (line.size() > 1) line += ',';
    fmt::format_to(std::back_inserter(line), "\"id\":{}}}\n", id);
    write_text(id, line);
    if (auto cached = cache_.find(segment_of(id)); cached != cache_.end())
        cached->second[id] = parse_state_json(line);
}

void Journal::write_text(std::uint64_t id, std::string line) {
    const std::uint64_t segment = segment_of(id);
    const std::string path = segment_path(segment);
    if (fd_ < 0 || fd_segment_ != segment) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = ::open(path.c_str(), O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0) throw Error(fmt::format("{}: cannot open: {}", path, errno_text()));
        fd_segment_ = segment;
        segments_.reset();  // it may be a new segment
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) throw Error(fmt::format("{}: fstat: {}", path, errno_text()));
    // The state directory is private; so is what is in it (open()'s mode was cut
    // by the umask, or the file is older).
    if ((st.st_mode & 07777) != 0600) ::fchmod(fd_, 0600);
    // A line cut short by a crash or a full disk earlier: end it, so this one parses.
    char last = '\n';
    if (st.st_size > 0 && ::pread(fd_, &last, 1, st.st_size - 1) == 1 && last != '\n')
        line.insert(0, 1, '\n');
    // One write per line: O_APPEND keeps concurrent readers from seeing lines interleave.
    if (!write_all(fd_, line)) {
        const std::string why = errno_text();
        // Nothing half-written stays behind (a full disk makes short writes).
        if (::ftruncate(fd_, st.st_size) != 0) { /* the next write ends the line */
        }
        throw Error(fmt::format("{}: write failed: {}", path, why));
    }
}

// Whole segments all of whose ids fell out of the window go.
void Journal::prune(std::uint64_t newest) const {
    if (max_entries_ == 0 || newest <= max_entries_) return;
    const std::uint64_t oldest_kept = newest - max_entries_ + 1;
    for (std::uint64_t first : segments()) {
        if (first + segment_size - 1 >= oldest_kept) break;
        ::unlink(segment_path(first).c_str());
        cache_.erase(first);
        segments_.reset();
    }
}

namespace {

// An entry built as a JSON object, as members for write_fields (its own "id", if any,
// is dropped: the journal sets it). Invalid UTF-8 (a byte from a daemon that the
// parser then refused, a command's output) becomes U+FFFD instead of an exception
// that would lose the entry.
JournalFields fields_of(Json entry) {
    if (!entry.is_object()) throw Error("journal: an entry is a JSON object");
    entry.erase("id");
    std::string text = entry.dump(-1, ' ', false, Json::error_handler_t::replace);
    return JournalFields{text.substr(1, text.size() - 2)};
}

}  // namespace

std::uint64_t Journal::append(Json entry) {
    return append(fields_of(std::move(entry)));
}

void Journal::update(std::uint64_t id, Json entry) {
    update(id, fields_of(std::move(entry)));
}

std::uint64_t Journal::append(JournalFields entry) {
    const std::uint64_t id = take_id();
    fault_point("journal: id taken");
    write_fields(id, std::move(entry));
    if (segment_of(id) == id) prune(id);
    return id;
}

void Journal::update(std::uint64_t id, JournalFields entry) {
    write_fields(id, std::move(entry));
}

}  // namespace hookctl
