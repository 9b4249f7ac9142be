// Config expressions against the facts: what "int.prefix", "tkom.ipv4" or
// "lan.prefix + ::8" is worth now. Pure; the one place that knows which fact each
// field of an uplink or lan reads (the table is in config.hpp, ValueExpr).
#pragma once

#include "config.hpp"
#include "facts.hpp"

#include <optional>
#include <string>
#include <variant>

namespace hookctl {

using ResolvedValue = std::variant<IpAddress, IpPrefix>;

// What a fact reference is worth now; nullopt when the fact is not known (uplink
// down, no prefix delegated yet). Errors (e.g. a token that does not fit the
// prefix) throw Error with the expression's location.
std::optional<ResolvedValue> resolve(const ValueExpr& expr, const Config& config,
                                     const Facts& facts);
std::string to_string(const ResolvedValue& v);

// Is the uplink up for `family`: IPv4 when pppd's IPCP is up or dhcpcd holds a
// DHCPv4 lease; IPv6 when IPV6CP is up or dhcpcd holds a DHCPv6 lease or RA.
// Without a family: either.
bool uplink_is_up(const UplinkConfig& uplink, const Facts& facts,
                  std::optional<Family> family = std::nullopt);

// The LAN's prefix now (nullopt while the uplink has delegated none).
std::optional<IpPrefix> lan_prefix(const LanConfig& lan, const Config& config, const Facts& facts);

// An address as a host prefix (/32, /128); a prefix as itself.
IpPrefix as_prefix(const ResolvedValue& v);
// A prefix as its network address; an address as itself.
IpAddress as_address(const ResolvedValue& v);

}  // namespace hookctl
