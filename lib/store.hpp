// The state directory: last known facts, the objects last applied, and the lock
// that serialises overlapping hook runs (pppd starts ip-down without waiting for
// ip-up; dhcpcd runs one hook per interface). Files are replaced atomically.
//
//   <state-dir>/lock          flock(2) target, held for read-plan-apply-write
//   <state-dir>/facts.json    Facts
//   <state-dir>/applied.json  [OwnedObject] hookctl believes it owns
//   <state-dir>/pending-reloads.json  reloads still owed (absent when none)
//   <state-dir>/journal/      one JSON file per event (journal.hpp)
#pragma once

#include "facts.hpp"
#include "objects.hpp"

#include <string>
#include <vector>

namespace hookctl {

// Writes `content` to a temporary file beside `path`, sets `mode` explicitly (pppd
// runs hooks with umask 077), optionally fsyncs, and renames it over `path`.
void write_file_atomic(const std::string& path, const std::string& content, unsigned mode, bool durable);
// Whole file, or nullopt if it does not exist; other errors throw Error.
std::optional<std::string> read_file_if_exists(const std::string& path);

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
// changes nothing (most dhcpcd events) writes no state file at all.
class StateDir {
public:
    explicit StateDir(std::string path, bool durable = false) : path_(std::move(path)), durable_(durable) {}
    const std::string& path() const { return path_; }

    // Creates the directory if needed and blocks until the lock is ours.
    StateLock lock();
    Facts load_facts() const;
    void save_facts(const Facts& f) const;
    std::vector<OwnedObject> load_applied() const;
    void save_applied(const std::vector<OwnedObject>& applied) const;
    // Service reloads that were due and did not happen (failed, or past the budget):
    // the next run performs them even if no file changes then.
    std::vector<ServiceAction> load_pending_reloads() const;
    void save_pending_reloads(const std::vector<ServiceAction>& pending) const;
    void ensure_exists() const;

private:
    std::string path_;
    bool durable_;
    mutable std::optional<std::string> facts_text_;    // as last loaded or saved
    mutable std::optional<std::string> applied_text_;
    mutable std::optional<std::string> pending_text_;
};

}  // namespace hookctl
