// The test side of fault.hpp: HOOKCTL_FAULT=N kills the process with SIGKILL at the
// Nth fault point it passes; HOOKCTL_FAULT_LOG=FILE appends each point's name, so a
// test can see how many there are and where a run died.
#include "fault.hpp"

#include <unistd.h>
#include <csignal>
#include <cstdio>
#include <cstdlib>

namespace hookctl {

void fault_point(const char* where) {
    static long passed = 0;
    static const long kill_at = [] {
        const char* n = std::getenv("HOOKCTL_FAULT");
        return n ? std::atol(n) : 0L;
    }();
    ++passed;
    if (const char* log = std::getenv("HOOKCTL_FAULT_LOG")) {
        if (FILE* f = std::fopen(log, "a")) {
            std::fprintf(f, "%ld %s\n", passed, where);
            std::fclose(f);
        }
    }
    if (passed == kill_at) ::kill(::getpid(), SIGKILL);
}

}  // namespace hookctl
