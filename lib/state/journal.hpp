// The event journal under <state-dir>/journal/: append-only segments of JSON lines,
// `NNNNNNNN.jsonl` named by the first id they hold, 100 ids each. An entry is
// written as one line when the event arrives, before anything acts, and written
// again (a second line with the same id) with its plan and results afterwards; the
// last line of an id is the entry. So a crash mid-run still leaves the event on
// record for `hookctl replay`, and a hook run costs two appends, not a rename per
// write. Ids are never reused: the last one handed out is kept in <dir>/last-id.
// The newest `max_entries` are kept; whole segments older than that are deleted.
#pragma once

#include "json_io.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

// An entry's members as JSON text (`"kind":"event","time":1,...`, no braces): the hook
// path writes its event this way (append_json_text) instead of as a JSON tree, and
// every entry is written as this.
struct JournalFields {
    std::string text;
};

class Journal {
public:
    // `max_entries` 0: a reader's view, every entry on disk, nothing pruned.
    explicit Journal(std::string dir, std::uint32_t max_entries = 0)
        : dir_(std::move(dir)), max_entries_(max_entries) {}
    ~Journal();
    Journal(const Journal&) = delete;
    Journal& operator=(const Journal&) = delete;

    // Stores `entry` (its "id" field is set here) and returns the new id.
    std::uint64_t append(Json entry);
    void update(std::uint64_t id, Json entry);
    std::uint64_t append(JournalFields entry);
    void update(std::uint64_t id, JournalFields entry);
    std::vector<std::uint64_t> ids() const;  // ascending, the newest max_entries
    std::optional<Json> read(std::uint64_t id) const;
    std::optional<std::uint64_t> last_id() const;

    static constexpr std::uint64_t segment_size = 100;

private:
    std::string segment_path(std::uint64_t first_id) const;
    static std::uint64_t segment_of(std::uint64_t id) {
        return (id - 1) / segment_size * segment_size + 1;
    }
    std::vector<std::uint64_t> segments() const;  // first ids, ascending
    const std::map<std::uint64_t, Json>& load_segment(std::uint64_t first_id) const;
    void write_fields(std::uint64_t id, JournalFields entry);
    void write_text(std::uint64_t id, std::string line);
    std::uint64_t take_id();
    std::uint64_t newest_on_disk() const;
    void prune(std::uint64_t newest) const;

    std::string dir_;
    std::uint32_t max_entries_;
    int fd_ = -1;  // the segment being appended to
    std::uint64_t fd_segment_ = 0;
    // segment → id → entry
    mutable std::map<std::uint64_t, std::map<std::uint64_t, Json>> cache_;
    mutable std::optional<std::vector<std::uint64_t>> segments_;  // listed once per Journal
};

}  // namespace hookctl
