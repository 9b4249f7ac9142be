// Plain POSIX file helpers shared by the state store and the system layer: whole
// reads and writes that survive EINTR and short writes, atomic replacement, and
// errno in words. Nothing here knows what the files mean.
#pragma once

#include <cerrno>
#include <optional>
#include <string>
#include <string_view>

namespace hookctl {

// strerror(err), for messages.
std::string errno_text(int err = errno);

// "/a/b/c" -> "/a/b"; "/c" -> "/"; "c" -> ".".
std::string dir_of(const std::string& path);
// "/a/b/c" -> "c".
std::string base_of(const std::string& path);

// Writes all of `data`, retrying on EINTR and short writes. False with errno set
// on failure (ENOSPC on a full disk: a short write is not success).
bool write_all(int fd, std::string_view data);

// Reads `fd` to its end into `out` (appending). False with errno set on failure.
bool read_all(int fd, std::string& out);

// Whole file, or nullopt if it does not exist; any other failure throws Error
// naming the path.
std::optional<std::string> read_file_if_exists(const std::string& path);

// Writes `content` to a temporary file beside `path`, sets `mode` explicitly (pppd
// runs hooks with umask 077) and puts it in place of `path`: a reader sees the old or
// the new file, never part of one. Throws Error naming the path; the temporary file
// is removed on failure.
// durable: file and directory are fsynced and the temp renamed over `path`.
// Not durable: no fsync, and the temp is swapped with `path` (renameat2
// RENAME_EXCHANGE) and the old file unlinked, because a plain rename over an
// existing file makes ext4 write the new data out first (auto_da_alloc: 0.15-0.4 ms
// per replace on this project's test machine, most of a changed event's state
// write). A process killed at any point still leaves the old or the new file; a
// power loss soon after may leave it empty or old (state.json is then set aside and
// rebuilt). A leftover temp holds the old file; a file system without the exchange
// gets the plain rename.
// temp: the temporary file's path; empty: `path`.tmp.PID (a caller that holds a lock
// can use one fixed name and remove a dead run's leftover cheaply).
void write_file_atomic(const std::string& path, std::string_view content, unsigned mode,
                       bool durable, const std::string& temp = {});

}  // namespace hookctl
