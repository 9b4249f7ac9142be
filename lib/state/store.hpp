// The state directory: last known facts, the objects last applied, and the lock
// that serialises overlapping hook runs (pppd starts ip-down without waiting for
// ip-up; dhcpcd runs one hook per interface). Files are replaced atomically.
//
//   <state-dir>/lock        flock(2) target, held for read-plan-apply-write
//   <state-dir>/state.json  {"facts": Facts, "applied": [OwnedObject hookctl believes
//                           it owns], "pending-reloads": [reloads still owed]}
//   <state-dir>/journal/    the event journal (journal.hpp)
// One file, so a hook run that changes something replaces one file, not three.
#pragma once

#include "facts.hpp"
#include "json_io.hpp"
#include "objects.hpp"

#include <string>
#include <vector>

namespace hookctl {

class StateLock {
public:
    StateLock() = default;
    explicit StateLock(int fd) : fd_(fd) {}
    StateLock(StateLock&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    StateLock& operator=(StateLock&& o) noexcept;
    ~StateLock();

private:
    int fd_ = -1;
};

// Saves write only when the content differs from what was loaded, so an event that
// changes nothing (most dhcpcd events) writes no state file at all. All parts are
// saved at once, by save().
class StateDir {
public:
    explicit StateDir(std::string path, bool durable = false)
        : path_(std::move(path)), durable_(durable) {}
    const std::string& path() const { return path_; }

    // Creates the directory if needed and blocks until the lock is ours.
    StateLock lock();
    Facts load_facts() const;
    std::vector<OwnedObject> load_applied() const;
    // Service reloads that were due and did not happen (failed, or past the budget):
    // the next run performs them even if no file changes then.
    std::vector<ServiceAction> load_pending_reloads() const;
    void save(const Facts& facts, const std::vector<OwnedObject>& applied,
              const std::vector<ServiceAction>& pending) const;
    void ensure_exists() const;

private:
    std::string path_;
    bool durable_;
    const Json& document() const;
    mutable std::optional<std::string> text_;  // state.json as last loaded or saved
    mutable std::optional<Json> document_;
};

}  // namespace hookctl
