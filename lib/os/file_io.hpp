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

// Puts `content` in place of `path` with `mode` set explicitly (pppd runs hooks with
// umask 077): a reader that opens `path` sees the old or the new file, never part of
// one. The new text is written into `previous`, the file `path` held before the last
// replace, rewritten in place (created when absent), and the two are swapped
// (renameat2 RENAME_EXCHANGE): `previous` then holds the file just replaced. No inode
// is created or unlinked per replace (half the cost of a changed event's state
// write, bench/README.md), and no rename goes over an existing file, which ext4 makes
// write the new data out first (auto_da_alloc: 0.15-0.4 ms per replace here). A
// process killed at any point leaves `path` old or new and `previous` whole or torn,
// which the next replace rewrites whole; a power loss soon after may leave `path` old
// or empty (state.json is then set aside and rebuilt).
// durable: `previous` is fsynced and renamed over `path`, and the directory fsynced.
// A file system without the exchange gets the plain rename. Throws Error naming the
// file; on failure `path` is untouched and `previous` removed.
void replace_file(const std::string& path, std::string_view content, unsigned mode, bool durable,
                  const std::string& previous);

}  // namespace hookctl
