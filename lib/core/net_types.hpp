// Typed network values: every address, prefix, interface name and lifetime that a
// daemon passes is parsed into one of these before anything else looks at it.
// All parse_* functions are pure and throw InputError naming `what` on bad input.
#pragma once

#include "error.hpp"

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace hookctl {

enum class Family : std::uint8_t { v4 = 4, v6 = 6 };

struct IpAddress {
    Family family = Family::v4;
    std::array<std::uint8_t, 16> bytes{};  // v4 uses the first 4 bytes

    static IpAddress v4(std::uint32_t host_order);
    bool is_v4() const { return family == Family::v4; }
    bool is_v6() const { return family == Family::v6; }
    int bit_length() const { return is_v4() ? 32 : 128; }
    bool is_unspecified() const;
    bool is_link_local() const;  // fe80::/10 or 169.254/16
    // Why this is not an address a host on the internet can have, or empty:
    // "unspecified", "loopback", "multicast", "link-local", "broadcast",
    // "reserved (240.0.0.0/4)", "IPv4-mapped", "IPv4-compatible", "not global
    // unicast (2000::/3) or ULA (fc00::/7)". Daemons and peers hand us these;
    // every address or prefix that stands for the uplink is checked with it.
    std::string_view special_class() const;
    std::string to_string() const;
    auto operator<=>(const IpAddress&) const = default;
};

// A network prefix; the host bits are always zero (parse_prefix masks them only
// when asked, see below).
struct IpPrefix {
    IpAddress network;
    std::uint8_t length = 0;

    Family family() const { return network.family; }
    bool contains(const IpAddress& a) const;
    std::string to_string() const;  // "2001:db8:1::/64"
    auto operator<=>(const IpPrefix&) const = default;
};

// An address together with the prefix length of its subnet ("192.0.2.7/24",
// dhcpcd's new_delegated_dhcp6_prefix "2001:db8:1::321/64").
struct InterfaceAddress {
    IpAddress address;
    std::uint8_t length = 0;

    IpPrefix subnet() const;
    std::string to_string() const;
    auto operator<=>(const InterfaceAddress&) const = default;
};

// A kernel network interface name: 1..15 bytes, not "." or "..", no '/', ':'
// whitespace or control characters (dev_valid_name() in net/core/dev.c, plus ':'
// which would confuse /proc/sys paths with aliases). Safe as a path component.
class InterfaceName {
public:
    InterfaceName() = default;
    const std::string& str() const { return name_; }
    bool empty() const { return name_.empty(); }
    auto operator<=>(const InterfaceName&) const = default;
    friend InterfaceName parse_interface_name(std::string_view, std::string_view);

private:
    explicit InterfaceName(std::string n) : name_(std::move(n)) {}
    std::string name_;
};

// DHCPv6/RA lifetimes in seconds; 0xffffffff means infinity (RFC 8415 7.7).
struct Lifetime {
    static constexpr std::uint32_t infinite = 0xffffffffu;
    std::uint32_t seconds = 0;
    bool is_infinite() const { return seconds == infinite; }
    auto operator<=>(const Lifetime&) const = default;
};

// A DNS name (RFC 1035 letters-digits-hyphen labels plus '_' for service labels),
// at most 253 characters, stored without a trailing dot.
class DomainName {
public:
    DomainName() = default;
    const std::string& str() const { return name_; }
    auto operator<=>(const DomainName&) const = default;
    friend DomainName parse_domain_name(std::string_view, std::string_view);

private:
    explicit DomainName(std::string n) : name_(std::move(n)) {}
    std::string name_;
};

// A prefix that can be delegated to us or announced on a link: its network is no
// special address (special_class) and its length is in min..max. Returns why not,
// or empty; e.g. "::/0 is unspecified" or "2001:db8::/72 is longer than /64".
std::string prefix_problem(const IpPrefix& prefix, int min_length, int max_length);

// `what` names the source of the value for the error message.
IpAddress parse_address(std::string_view text, std::string_view what);
IpAddress parse_address(std::string_view text, Family family, std::string_view what);
// "addr/len". With `strict`, host bits must be zero; otherwise they are masked off.
IpPrefix parse_prefix(std::string_view text, std::string_view what, bool strict = true);
// "addr/len" where addr keeps its host bits.
InterfaceAddress parse_interface_address(std::string_view text, std::string_view what);
InterfaceName parse_interface_name(std::string_view text, std::string_view what);
Lifetime parse_lifetime(std::string_view text, std::string_view what);
DomainName parse_domain_name(std::string_view text, std::string_view what);
// Unsigned decimal that fits in 32 bits (no sign, no spaces, no leading '+').
std::uint32_t parse_u32(std::string_view text, std::string_view what);

// Prefix arithmetic used to derive LAN prefixes and host addresses.
// subnet(2001:db8:1200::/56, 1, 64) = 2001:db8:1200:1::/64; throws Error when
// the subnet id does not fit in the extra bits or new_length < prefix.length.
IpPrefix subnet_of(const IpPrefix& prefix, std::uint32_t subnet_id, std::uint8_t new_length);
// The prefix's network with the token's bits ORed into the host part:
// 2001:db8:1:2::/64 + ::321 = 2001:db8:1:2::321. Throws Error if the token has
// bits inside the prefix part or the families differ.
IpAddress with_token(const IpPrefix& prefix, const IpAddress& token);
IpPrefix host_prefix(const IpAddress& a);  // /32 or /128
IpPrefix mask(const IpAddress& a, std::uint8_t length);

}  // namespace hookctl
