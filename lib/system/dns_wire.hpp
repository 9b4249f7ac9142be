// The DNS wire format (RFC 1035), just enough to ask an authoritative server for
// one A/AAAA rrset and read its answer. Pure: tested byte for byte.
#pragma once

#include "net_types.hpp"
#include "objects.hpp"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace hookctl {

// Letters, digits, '.', '-' and '_' only: a name no nsupdate line or query can be
// bent by.
bool is_plain_dns_name(std::string_view name);

// A standard query, RD clear (we ask the authoritative server we updated), one
// question: `name` (without trailing dot) IN A/AAAA. Throws Error for a name that
// is not a valid sequence of 1..63 byte labels within 255 bytes.
std::vector<std::uint8_t> build_query(std::uint16_t id, const std::string& name, DnsType type);

struct DnsAnswer {
    std::uint8_t rcode = 0;      // 0 NOERROR, 3 NXDOMAIN, 5 REFUSED, ...
    bool authoritative = false;  // AA bit
    bool truncated = false;      // TC bit
    std::vector<IpAddress>
        addresses;  // the answer section's records of the asked type at the asked name
};

// Parses the reply to build_query(id, name, type). Throws Error when it is not that
// reply (other id, not a response, other question) or is malformed (short, bad
// compression pointer, wrong rdata length). Records of other types or at other
// names (a CNAME chain) are skipped.
DnsAnswer parse_answer(const std::vector<std::uint8_t>& packet, std::uint16_t id,
                       const std::string& name, DnsType type);

// "2001:db8::1", "2001:db8::1, 2001:db8::2", "no AAAA record", "NXDOMAIN", ...
std::string describe(const DnsAnswer& a, DnsType type);

}  // namespace hookctl
