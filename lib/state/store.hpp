// The state directory: last known facts, the objects last applied, and the lock
// that serialises overlapping hook runs (pppd starts ip-down without waiting for
// ip-up; dhcpcd runs one hook per interface). Files are replaced atomically.
// The directory is root's (the running user's) and mode 0700; nothing in it is
// opened through a symlink.
//
//   <state-dir>/lock        flock(2) target, held for read-plan-apply-write
//   <state-dir>/state.json  {"facts": Facts, "applied": [OwnedObject hookctl believes
//                           it owns], "pending-reloads": [reloads still owed]}
//   <state-dir>/journal/    the event journal (journal.hpp)
// One file, so a hook run that changes something replaces one file, not three.
#pragma once

#include "facts.hpp"
#include "fd.hpp"
#include "json_io.hpp"
#include "objects.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace hookctl {

using Deadline = std::chrono::steady_clock::time_point;

// Held while it exists; closing the descriptor releases the flock.
class StateLock {
public:
    StateLock() = default;
    explicit StateLock(UniqueFd fd) : fd_(std::move(fd)) {}

private:
    UniqueFd fd_;
};

// Saves write only when the content differs from what was loaded, so an event that
// changes nothing (most dhcpcd events) writes no state file at all. All parts are
// saved at once, by save().
class StateDir {
public:
    explicit StateDir(std::string path, bool durable = false)
        : path_(std::move(path)), durable_(durable) {}
    const std::string& path() const { return path_; }

    // Waits for the lock until `deadline` (the
    // hook's budget: a daemon waits for its hook). Throws Error naming the holder
    // ("held by pid 1234 (hookctl dhcpcd)") when the deadline passes first.
    StateLock lock(Deadline deadline = Deadline::max());
    // Under the lock, before a run loads anything: a state.json that cannot be read
    // back (empty or cut short by a power cut after a rename that was never fsynced,
    // not JSON, a field that does not parse) is moved to state.json.bad-<now>, and
    // the run starts from empty state. Returns what happened, for the report and the
    // journal; empty when the file was fine.
    std::string set_aside_if_unreadable(Timestamp now);
    const Facts& load_facts() const;
    const std::vector<OwnedObject>& load_applied() const;
    // Service reloads that were due and did not happen (failed, or past the budget):
    // the next run performs them even if no file changes then.
    const std::vector<ServiceAction>& load_pending_reloads() const;
    void save(const Facts& facts, const std::vector<OwnedObject>& applied,
              const std::vector<ServiceAction>& pending) const;
    void ensure_exists() const;

private:
    std::string path_;
    bool durable_;
    const StateTree& document() const;
    mutable std::optional<std::string> text_;  // state.json as last loaded or saved
    mutable std::optional<StateTree> document_;
    // What load_* returned from that document: save() of the same values writes nothing
    // without serialising them first (most events change nothing).
    struct Loaded {
        std::optional<Facts> facts;
        std::optional<std::vector<OwnedObject>> applied;
        std::optional<std::vector<ServiceAction>> pending;
    };
    mutable Loaded loaded_;
};

}  // namespace hookctl
