// Router solicitation and advertisement (RFC 4861 4.1, 4.2, 4.6.2, RFC 8106 5.1):
// what a host on a LAN receives from the router, for `hookctl doctor --live`. The
// message parser is pure (unit-tested byte for byte); solicit_router_adverts() sends
// one solicitation from a raw ICMPv6 socket (root: CAP_NET_RAW) and collects the
// advertisements that arrive on the interface, the way a LAN host's kernel would.
#pragma once

#include "net_types.hpp"

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

struct AdvertisedPrefix {
    IpPrefix prefix;
    bool on_link = false;     // L
    bool autonomous = false;  // A
    Lifetime valid;
    Lifetime preferred;
};

struct RouterAdvert {
    IpAddress source;  // the router's link-local address
    unsigned interface = 0;
    bool managed = false;  // M: addresses from DHCPv6
    bool other = false;    // O: other configuration from DHCPv6
    std::uint16_t router_lifetime = 0;
    std::vector<AdvertisedPrefix> prefixes;  // in the order of the message
    std::vector<IpAddress> rdnss;
};

// The ICMPv6 part of a router solicitation: type 133, code 0, checksum 0 (the kernel
// fills it in for ICMPv6 raw sockets, RFC 3542 3.1), reserved. No options.
std::vector<std::uint8_t> router_solicitation();

// An ICMPv6 router advertisement as a raw ICMPv6 socket returns it (no IPv6 header);
// nullopt when it is not one or it is malformed (short, option length 0 or past the
// end, a prefix option of the wrong size).
std::optional<RouterAdvert> parse_router_advert(const std::uint8_t* data, std::size_t length,
                                                const IpAddress& source, unsigned interface);

struct SolicitResult {
    std::vector<RouterAdvert> adverts;  // every advertisement that arrived on the interface
    std::string error;                  // could not ask at all (no such interface, not root)
};

// Sends router solicitations to ff02::2 on `interface` (hop limit 255, as RFC 4861
// 6.1.1 requires) every `resend`, and returns once an advertisement from one of
// `from` (the router's own link-local addresses) arrived, or at `wait`. radvd
// answers a solicitation after up to 0.5 s, and not sooner than MinDelayBetweenRAs
// (3 s) after its previous advertisement (radvd.conf(5)), so `wait` should exceed 3.5 s.
SolicitResult solicit_router_adverts(const std::string& interface,
                                     const std::vector<IpAddress>& from,
                                     std::chrono::milliseconds wait,
                                     std::chrono::milliseconds resend);

}  // namespace hookctl
