// `hookctl doctor --live`: does the world show what hookctl believes it applied
// (state.json's applied set)? Each owned rule and route is in the kernel, each owned
// file on disk carries the rendered bytes, each owned DNS record resolves to its
// value at its server, and on each LAN of the rendered radvd.conf a router
// solicitation is answered by this router with every prefix the file announces
// (the deprecated old one too). Only reads and asks; one Finding per mismatch.
#pragma once

#include "config.hpp"
#include "finding.hpp"
#include "system_snapshot.hpp"

#include <chrono>
#include <string>
#include <vector>

namespace hookctl {

struct LiveRequest {
    const Config* config = nullptr;
    const SystemSnapshot* system = nullptr;  // the router's link-local addresses
    std::string state_dir;
    // How long to wait for radvd's answer: it may delay up to MinDelayBetweenRAs (3 s)
    // after its last advertisement, plus 0.5 s (radvd.conf(5)).
    std::chrono::milliseconds ra_wait{5000};
};

struct LiveReport {
    std::vector<Finding> findings;
    std::size_t checks = 0;  // comparisons made (kernel, files, DNS, radvd)
};
LiveReport live_checks(const LiveRequest& request);

}  // namespace hookctl
