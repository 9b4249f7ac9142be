// The event journal: one JSON document per hook run under <state-dir>/journal/,
// named by a growing id (00000042.json). An entry is written when the event arrives,
// before anything acts, and rewritten with its plan and results afterwards, so a
// crash mid-run still leaves the event on record for `hookctl replay`. The number
// of entries is bounded; the oldest go first. Ids are never reused: the last one
// handed out is kept in <dir>/last-id, so appending does not list the directory
// (a hook run must stay cheap with a thousand entries on disk).
#pragma once

#include "json_io.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

class Journal {
public:
    Journal(std::string dir, std::uint32_t max_entries) : dir_(std::move(dir)), max_entries_(max_entries) {}

    // Stores `entry` (its "id" field is set here) and returns the new id.
    std::uint64_t append(Json entry);
    void update(std::uint64_t id, const Json& entry);
    std::vector<std::uint64_t> ids() const;  // ascending
    std::optional<Json> read(std::uint64_t id) const;
    std::optional<std::uint64_t> last_id() const;

private:
    std::string file_for(std::uint64_t id) const;
    std::optional<std::uint64_t> read_last_id() const;
    void write_last_id(std::uint64_t id) const;
    void prune_all() const;

    std::string dir_;
    std::uint32_t max_entries_;
};

}  // namespace hookctl
