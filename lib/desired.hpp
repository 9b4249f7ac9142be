// Desired state: the objects hookctl should own, as a pure function of the config
// and the facts. Also the event's imperative triggers (on.<event> commands).
#pragma once

#include "config.hpp"
#include "event.hpp"
#include "facts.hpp"
#include "plan.hpp"

#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace hookctl {

// rt_tables names → numbers; read by the caller (see rt_tables.hpp), passed in.
using TableNames = std::map<std::string, std::uint32_t>;

using ResolvedValue = std::variant<IpAddress, IpPrefix>;

// What a fact reference is worth now; nullopt when the fact is not known (uplink
// down, no prefix delegated yet). Errors (e.g. a token that does not fit the
// prefix) throw Error with the expression's location.
std::optional<ResolvedValue> resolve(const ValueExpr& expr, const Config& config, const Facts& facts);
std::string to_string(const ResolvedValue& v);

// Is the uplink up: ppp link up (ppp4 or ppp6), or dhcpcd carrier up with a lease.
bool uplink_is_up(const UplinkConfig& uplink, const Facts& facts);

struct DesiredState {
    std::vector<OwnedObject> objects;
    std::vector<std::string> warnings;   // e.g. "rule at hookctl.toml:40: table 'kd' unknown"
};

// `state_extra` carries remembered deprecated prefixes for radvd (see radvd.hpp);
// `now` is used only to expire them.
DesiredState desired(const Config& config, const Facts& facts, const TableNames& tables,
                     Timestamp now);

// on.<event.name> commands of the uplink/lan whose interface the event is for.
std::vector<Action> event_triggers(const Config& config, const Event& event);

}  // namespace hookctl
