// Desired state: the objects hookctl should own, as a pure function of the config
// and the facts. Also the event's imperative triggers (on.<event> commands).
#pragma once

#include "config.hpp"
#include "event.hpp"
#include "facts.hpp"
#include "plan.hpp"
#include "resolve.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hookctl {

// Pure bookkeeping of renumbering: a LAN prefix current in `before` and not in
// `after` is remembered in after.retired with `now`; a prefix current again is
// forgotten; entries older than their window are dropped.
Facts retire_prefixes(const Config& config, const Facts& before, Facts after, Timestamp now);

struct DesiredState {
    std::vector<OwnedObject> objects;
    // Keys of files and DNS records whose value cannot be computed now (a fact they
    // use is unknown). They keep their last applied value instead of being removed:
    // a forwarder's env file or a DNS name is better stale than gone.
    std::vector<std::string> held_keys;
    std::vector<std::string> warnings;  // e.g. "hookctl.toml:40:1: table 'kd' unknown"
    // Objects left out because their value cannot be derived from the facts (a subnet
    // that does not fit the delegated prefix, a token that does not fit an RA prefix,
    // a selector that would be /0): "<origin>: left out: <why>". The rest stands; a
    // run with problems ends "partial" (exit 1).
    std::vector<std::string> problems;
};

// `now` is used only to expire retired prefixes.
DesiredState desired(const Config& config, const Facts& facts, const TableNames& tables,
                     Timestamp now);

// on.<event.name> commands of the uplink/lan whose interface the event is for.
std::vector<Action> event_triggers(const Config& config, const Event& event);

}  // namespace hookctl
