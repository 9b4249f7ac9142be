// The subcommand table of the hookctl binary. main() only turns argv/environ into a
// Invocation and calls run_cli(); everything else lives here.
#pragma once

#include "event.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace hookctl::cli {

struct Invocation {
    std::string argv0;
    std::vector<std::string> args;        // argv[1..]
    Environment env;                      // the whole process environment, copied once (first wins)
    std::vector<std::string> duplicated;  // names the environment holds more than once
    Timestamp now = 0;
    // When the process started: the hook's budget counts from here.
    std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

int run_cli(const Invocation& inv);

}  // namespace hookctl::cli
