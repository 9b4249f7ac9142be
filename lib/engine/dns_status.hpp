// DNS record status for `hookctl status`: desired value, last confirmed value (the
// applied set) and the newest result from the journal, per record.
#pragma once

#include "json_io.hpp"
#include "objects.hpp"

#include <optional>
#include <string>
#include <vector>

namespace hookctl {

struct DnsRecordStatus {
    enum class State {
        confirmed,  // the server confirmed the desired value (in state.json's applied set)
        pending,    // desired differs from the confirmed value; not tried yet or skipped
        failed,     // the last attempt for this value failed (`message`)
        held,       // its fact is unknown now: the confirmed value is kept
    };
    std::string name;  // fully qualified, no trailing dot
    DnsType type = DnsType::aaaa;
    std::string server;                  // "::1#5300"
    std::optional<IpAddress> desired;    // nullopt: held, or no longer configured (to be removed)
    std::optional<IpAddress> confirmed;  // nullopt: never confirmed / removed
    State state = State::pending;
    std::string message;  // failed: the last error
};

std::string to_string(DnsRecordStatus::State s);

// One entry per DNS record that is desired, held or still applied, in desired
// order then applied order. `journal` is a JSON array of journal entries, oldest
// first (each with "actions": [{ "object", "result", "message" }]); the newest
// result of an action for the same record and the same desired value decides
// between pending and failed.
std::vector<DnsRecordStatus> dns_status(const std::vector<OwnedObject>& desired,
                                        const std::vector<std::string>& held_keys,
                                        const std::vector<OwnedObject>& applied,
                                        const Json& journal);

// "  router.dyn.example.org AAAA @::1#5300: desired X, confirmed Y, failed: ..." lines.
std::string format_dns_status(const std::vector<DnsRecordStatus>& records);
Json to_json(const DnsRecordStatus& s);

}  // namespace hookctl
