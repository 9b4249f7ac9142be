// Builds the real executor from the config: netlink + /proc for rules, routes and
// sysctls, the file writer, the process runner for commands and service reloads.
// The only place that knows which concrete side-effect classes exist.
#pragma once

#include "config.hpp"
#include "executor.hpp"

#include <chrono>
#include <memory>

namespace hookctl {

std::unique_ptr<Executor> make_system_executor(const Config& config,
                                               std::chrono::steady_clock::time_point deadline);

}  // namespace hookctl
