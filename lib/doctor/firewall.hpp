// Would the firewall let one given packet in? The input path of the nftables ruleset
// (`nft -j list ruleset`) and of legacy ip6tables (`ip6tables-legacy-save`), walked
// rule by rule for a described packet: base chains in priority order, jumps, gotos,
// returns, verdict maps and the chain policy. A match the walker cannot evaluate for
// the packet (a named set, a mark, a rate limit, an extension it does not know) is
// "maybe": both ways are followed, and the answer is certain only when every way
// ends the same. So `dropped` is said only when the packet is dropped however those
// matches turn out: no false alarm from a rule that is merely not understood.
#pragma once

#include "net_types.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace hookctl {

// An IPv6 UDP packet arriving on `interface` for this host.
struct InboundPacket {
    std::string interface;
    std::uint16_t source_port = 547;
    std::uint16_t destination_port = 546;
    // The sender's and the receiver's address: some address in these ranges.
    IpPrefix source_range;
    IpPrefix destination_range;
    std::string ct_state = "new";
    std::string describe() const;
};

// The reply of a DHCPv6 server or relay to the client on `interface`: from a
// link-local address, port 547 to port 546, and conntrack state "new", because the
// client's Solicit went to the multicast address ff02::1:2 and conntrack does not
// pair a unicast reply with it (docs/doctor.md, lab).
InboundPacket dhcpv6_reply(const std::string& interface);

struct FirewallVerdict {
    enum class Result { accepted, dropped, unknown };
    Result result = Result::accepted;
    std::vector<std::string> evidence;  // the chain and the rule or policy that decides
    std::string reason;                 // unknown: what could not be evaluated; else empty
};

// `json`: nft's JSON output. A text that is not nft's JSON is `unknown`.
FirewallVerdict nft_input_verdict(const std::string& json, const InboundPacket& packet);
// `save`: ip6tables-legacy-save's output; only the filter table's INPUT chain decides.
FirewallVerdict ip6tables_input_verdict(const std::string& save, const InboundPacket& packet);

}  // namespace hookctl
