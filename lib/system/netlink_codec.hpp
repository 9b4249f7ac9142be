// rtnetlink messages for policy rules and routes, built and read as bytes: no
// socket and no system call here, so every request and every reading of a kernel
// reply is unit-tested. netlink_routes.hpp sends them. Formats: rtnetlink(7),
// <linux/fib_rules.h>, <linux/rtnetlink.h>; see docs/daemons.md (kernel).
#pragma once

#include "facts.hpp"
#include "objects.hpp"

#include <cstdint>
#include <cstring>
#include <functional>
#include <optional>
#include <string>
#include <vector>

struct nlmsghdr;

namespace hookctl::netlink {

// One netlink message: nlmsghdr, its fixed header (fib_rule_hdr, rtmsg, ...) and
// attributes, each padded to 4 bytes. nlmsg_seq is set by whoever sends it.
class Message {
public:
    Message(std::uint16_t type, std::uint16_t flags);
    // Appends the fixed header (fib_rule_hdr, rtmsg, ...) that follows nlmsghdr.
    template <class T>
    void put_header(const T& fixed) {
        std::memcpy(append(sizeof(T)), &fixed, sizeof(T));
    }
    // Appends `length` zeroed bytes, padded to 4, and returns them. The pointer, like
    // header(), is valid only until the next append.
    void* append(std::size_t length);
    void put_attr(std::uint16_t type, const void* data, std::size_t length);
    void put_u8(std::uint16_t type, std::uint8_t v) { put_attr(type, &v, 1); }
    void put_u32(std::uint16_t type, std::uint32_t v) { put_attr(type, &v, 4); }
    void put_string(std::uint16_t type, const std::string& s) {
        put_attr(type, s.c_str(), s.size() + 1);
    }
    void put_address(std::uint16_t type, const IpAddress& a);

    nlmsghdr* header();
    const std::vector<std::uint32_t>& words() const { return buffer_; }
    const void* data() const { return buffer_.data(); }
    std::size_t size() const;

private:
    std::vector<std::uint32_t> buffer_;  // 4-byte words: NLMSG_ALIGNTO for free
};

// The attributes of one message after its fixed header, by type; a type seen
// twice keeps the last. Lengths are checked against the message: a short or
// overlong attribute makes the whole message unreadable (nullopt).
struct Attributes {
    struct View {
        const std::uint8_t* data = nullptr;
        std::size_t length = 0;
    };
    std::vector<View> by_type;  // indexed by attribute type, up to max_type
    const View* get(std::uint16_t type) const;
    std::optional<std::uint8_t> u8(std::uint16_t type) const;
    std::optional<std::uint32_t> u32(std::uint16_t type) const;
    std::optional<std::string> string(std::uint16_t type) const;  // NUL-terminated
    std::optional<IpAddress> address(std::uint16_t type, Family family) const;
};
std::optional<Attributes> parse_attributes(const nlmsghdr* message, std::size_t fixed_header,
                                           std::uint16_t max_type);

// What a dump or a reply holds beside data messages.
struct Reply {
    int error = 0;       // errno from NLMSG_ERROR (0 = ACK)
    std::string extack;  // the kernel's reason in words (NLMSGERR_ATTR_MSG), if any
};
// Reads an NLMSG_ERROR message (an ACK when error is 0); nullopt if malformed.
std::optional<Reply> parse_error(const nlmsghdr* message);

// A rule or route as the kernel holds it, with its `protocol` (who added it).
struct KernelRule {
    RuleObject rule;
    std::uint8_t protocol = 0;
    // The rule has a selector RuleObject has no field for (`not`, tos, uidrange,
    // ipproto, sport/dport, suppress_prefixlength, suppress_ifgroup, l3mdev, tun_id):
    // it does not match every packet its RuleObject fields would. hookctl never makes
    // such rules; `hookctl doctor` must not take one for the plain `from all lookup main`.
    bool other_selectors = false;
};
struct KernelRoute {
    RouteObject route;
    std::uint8_t protocol = 0;
};

// Requests. The selector is the same for add and delete: the kernel matches a delete
// on the fields present (absent ones are wildcards), plus FRA_PROTOCOL.
Message rule_request(std::uint16_t type, std::uint16_t flags, const RuleObject& rule,
                     std::uint8_t protocol);
// `ifindex` 0: no RTA_OIF. `for_delete`: scope NOWHERE ("any", what `ip route del` sends).
Message route_request(std::uint16_t type, std::uint16_t flags, const RouteObject& route,
                      std::uint8_t protocol, unsigned ifindex, bool for_delete);
// RTM_GETRULE / RTM_GETROUTE with NLM_F_DUMP: `family`'s rules or routes; nullopt:
// every family's in one dump (AF_UNSPEC), one round trip instead of one per family.
// route_protocol (RTM_GETROUTE only): on a strict socket the kernel sends only the
// routes with that protocol.
Message dump_request(std::uint16_t type, std::optional<Family> family,
                     std::uint8_t route_protocol = 0);

// Replies. nullopt for what hookctl cannot represent or never creates (other
// families, goto/nop rules, local/broadcast routes, cached clones, source routes).
std::optional<KernelRule> parse_rule(const nlmsghdr* message);
// `interface_name` turns RTA_OIF's index into a name (if_indextoname for real).
std::optional<KernelRoute> parse_route(
    const nlmsghdr* message,
    const std::function<std::optional<InterfaceName>(unsigned)>& interface_name);

// Links and addresses (the kernel source of uplinks with source = "kernel").
struct KernelLink {
    unsigned index = 0;
    std::string name;       // IFLA_IFNAME as the kernel has it (not yet checked)
    bool up = false;        // IFF_UP
    bool lower_up = false;  // IFF_LOWER_UP
    unsigned master = 0;    // IFLA_MASTER: the bridge (or bond, VRF) it is a port of; 0 none
    std::string kind;       // IFLA_LINKINFO's IFLA_INFO_KIND: "bridge", "veth", ...; "" physical
};
struct KernelAddressMessage {
    unsigned index = 0;
    std::uint8_t scope = 0;  // RT_SCOPE_*: 0 universe (global), 253 link, 254 host
    KernelAddress address;
};
// RTM_GETLINK / RTM_GETADDR dumps of every interface (AF_UNSPEC: both families).
Message link_dump_request();
Message address_dump_request();
// RTM_NEWLINK / RTM_DELLINK and RTM_NEWADDR / RTM_DELADDR, from a dump or a
// notification; nullopt when malformed or of another family.
std::optional<KernelLink> parse_link(const nlmsghdr* message);
std::optional<KernelAddressMessage> parse_address(const nlmsghdr* message);

// Does a rule/route read back from the kernel stand for the object hookctl asked
// for? Plain == is too strict because the kernel fills in what was left out:
//   rules:  a fwmark without a mask gets mask 0xffffffff;
//   routes: a route given only a gateway gets the dev the gateway resolves to;
//           an IPv6 route with metric 0 gets metric 1024 (IP6_RT_PRIO_USER).
bool kernel_rule_matches(const RuleObject& wanted, const RuleObject& present);
bool kernel_route_matches(const RouteObject& wanted, const RouteObject& present);

// The kernel's rule_find(): would a delete with `want`'s selector and our
// `protocol` remove `present`? Absent fields are wildcards, so it may match another
// of our rules with the same priority; the caller refuses such a delete.
bool delete_would_match(const KernelRule& present, const RuleObject& want, std::uint8_t protocol);

}  // namespace hookctl::netlink
