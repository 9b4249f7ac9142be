// Writing the files hookctl owns (radvd.conf, rendered snippets): compare first,
// then temp file + validate + fsync + rename, so a reader sees the old or the new
// file, never half of one, and a file that fails its validator never replaces the
// old one. Files without hookctl's marker line belong to someone else: never touched.
#pragma once

#include "executor.hpp"
#include "objects.hpp"
#include "process.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <sys/types.h>

namespace hookctl {

class FileWriter {
public:
    struct Owner {
        uid_t uid;
        gid_t gid;
    };

    // Validators run through `runner`, each bounded by min(`deadline`, its timeout).
    explicit FileWriter(ProcessRunner& runner, Deadline deadline = Deadline::max(),
                        std::uint32_t validator_timeout_ms = 5000);

    // done: the bytes on disk changed (the engine reloads on_change services only
    // then). unchanged: same bytes; a wrong mode or owner is repaired in place and
    // named in `message`. failed: the old file is left byte for byte; `message` says
    // why (the validator's output, a foreign file, an unknown owner).
    // `file.content` must itself start with the marker line.
    ActionResult ensure(const FileObject& file);

    // Removes the file only if it carries the marker. done: removed. unchanged:
    // absent, or taken over by the user (marker line removed; it is left in place).
    ActionResult remove(const FileObject& file);

private:
    // Temp file beside the file, owner and mode on its descriptor, content, fsync,
    // validator, rename. false: `message` says why, nothing replaced.
    bool replace(const FileObject& file, const Owner& owner, std::string& message);
    bool validate(const FileObject& file, const std::string& temp, std::string& message);

    ProcessRunner& runner_;
    Deadline deadline_;
    std::uint32_t validator_timeout_ms_;
};

}  // namespace hookctl
