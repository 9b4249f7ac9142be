// What hookctl knows about each interface, and how one event changes it.
//
// Facts are level-triggered: every event reports the *complete* current value of
// the sections its source owns (pppd ip-up owns `ppp4`, a dhcpcd DHCPv6 event owns
// `dhcp6`, ...). merge() replaces those sections wholesale, and diff() of the old
// and new facts gives the transitions. The reason word is never trusted to say
// what changed: dhcpcd repeats DELEGATED6 on every renew, pppd has no "old" values,
// and a downstream interface gets no event when its delegated prefix goes away.
#pragma once

#include "net_types.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

// Seconds since the Unix epoch; passed in, never read from a clock here.
using Timestamp = std::int64_t;

struct AddressLease {
    IpAddress address;
    Lifetime preferred;
    Lifetime valid;
    auto operator<=>(const AddressLease&) const = default;
};

struct PrefixLease {
    IpPrefix prefix;
    std::uint32_t iaid = 0;  // DHCPv6 IAID of the IA_PD it came in
    Lifetime preferred;
    Lifetime valid;
    auto operator<=>(const PrefixLease&) const = default;
};

// pppd ip-up: IPCP is up. Cleared by ip-down.
struct Ppp4Facts {
    IpAddress local;
    std::optional<IpAddress> remote;  // absent with noremoteip (0.0.0.0)
    std::vector<IpAddress> dns;       // DNS1, DNS2 (usepeerdns)
    std::string ipparam;
    auto operator<=>(const Ppp4Facts&) const = default;
};

// pppd ipv6-up: IPV6CP is up (link-local addresses only). Cleared by ipv6-down.
struct Ppp6Facts {
    IpAddress link_local;
    std::optional<IpAddress> peer_link_local;
    std::string ipparam;
    auto operator<=>(const Ppp6Facts&) const = default;
};

// dhcpcd DHCPv4 lease (BOUND, RENEW, REBIND, REBOOT, STATIC, ...).
struct Dhcp4Facts {
    InterfaceAddress address;
    std::vector<IpAddress> routers;
    std::vector<IpAddress> dns;
    std::vector<DomainName> domain_search;
    std::uint32_t lease_seconds = 0;
    Timestamp reported = 0;  // when dhcpcd last reported it (see merge: lifetimes count from here)
    auto operator<=>(const Dhcp4Facts&) const = default;
};

// dhcpcd DHCPv6 lease on the requesting (upstream) interface. Entries whose valid
// lifetime is 0 (a server withdrawing an old prefix) are dropped by the parser.
struct Dhcp6Facts {
    std::vector<AddressLease> addresses;  // IA_NA
    std::vector<PrefixLease> prefixes;    // IA_PD
    std::vector<IpAddress> dns;
    std::vector<DomainName> domain_search;
    Timestamp reported = 0;
    auto operator<=>(const Dhcp6Facts&) const = default;
};

struct RaPrefix {
    IpPrefix prefix;
    bool on_link = false;
    bool autonomous = false;
    Lifetime preferred;
    Lifetime valid;
    auto operator<=>(const RaPrefix&) const = default;
};

struct RaRouter {
    IpAddress from;  // link-local of the router
    std::uint32_t router_lifetime = 0;
    std::string flags;  // dhcpcd's letters, e.g. "MO"
    std::vector<RaPrefix> prefixes;
    std::vector<IpAddress> rdnss;
    std::vector<DomainName> dnssl;
    std::vector<InterfaceAddress> addresses;  // SLAAC addresses dhcpcd formed
    auto operator<=>(const RaRouter&) const = default;
};

// dhcpcd ROUTERADVERT: all routers currently known on the interface.
struct RaFacts {
    std::vector<RaRouter> routers;
    Timestamp reported = 0;
    auto operator<=>(const RaFacts&) const = default;
};

// dhcpcd DELEGATED6 on a downstream interface: the addresses dhcpcd put there.
struct DelegatedFacts {
    std::vector<InterfaceAddress> addresses;
    auto operator<=>(const DelegatedFacts&) const = default;
};

// An address the kernel holds on an uplink that no hook reports (rtnetlink
// RTM_NEWADDR; flags from <linux/if_addr.h>, see docs/daemons.md, kernel). Only
// global-scope addresses are kept. Lifetimes are what was left at the dump.
struct KernelAddress {
    InterfaceAddress address;  // with the prefix length the kernel holds
    bool tentative = false;    // duplicate address detection still running
    bool deprecated = false;   // preferred lifetime over: kept for old connections only
    bool dadfailed = false;    // another host has it
    bool temporary = false;    // a privacy address (RFC 8981): never the uplink's address
    bool mngtmpaddr = false;   // the stable SLAAC address temporary ones are made from
    bool permanent = false;    // configured by hand or by a network manager, no lifetime
    Lifetime preferred;
    Lifetime valid;
    // Counts as the uplink's address: not tentative, deprecated, failed or temporary.
    bool usable() const { return !tentative && !deprecated && !dadfailed && !temporary; }
    // "preferred", "temporary", "deprecated", "tentative" or "dadfailed": its state
    // as the transitions report it.
    std::string state() const;
    auto operator<=>(const KernelAddress&) const = default;
};
// The flags that are set, by the names `ip address` prints them ("tentative",
// "mngtmpaddr", ...): the one spelling for the journal's kernel lines and state.json.
std::vector<std::string> flag_names(const KernelAddress& a);
// Sets the flag spelt `name`; false when there is no such flag.
bool set_flag(KernelAddress& a, std::string_view name);

// The kernel's view of an uplink (source = "kernel"): link state and addresses, from
// a dump taken by `hookctl watch` or a dispatcher hook. Absent: the interface does
// not exist (or was never read).
struct KernelLinkFacts {
    bool up = false;        // IFF_UP: set up administratively
    bool lower_up = false;  // IFF_LOWER_UP: carrier
    std::vector<KernelAddress> addresses;
    Timestamp reported = 0;
    auto operator<=>(const KernelLinkFacts&) const = default;
};

// Everything known about one interface. An absent section means "not known /
// not up"; sections are independent because different daemons own them.
struct InterfaceFacts {
    std::optional<bool> carrier;  // dhcpcd link events
    std::optional<Ppp4Facts> ppp4;
    std::optional<Ppp6Facts> ppp6;
    std::optional<Dhcp4Facts> dhcp4;
    std::optional<Dhcp6Facts> dhcp6;
    std::optional<RaFacts> ra;
    std::optional<DelegatedFacts> delegated;
    std::optional<KernelLinkFacts> kernel;
    Timestamp updated = 0;  // time of the last event that changed it
    auto operator<=>(const InterfaceFacts&) const = default;
};

// A LAN prefix that was current and is not any more: radvd keeps announcing it
// as deprecated for a window (radvd.interface.<lan>.deprecate-old) so hosts drop
// their addresses from it quickly instead of waiting for its old valid lifetime.
struct RetiredPrefix {
    IpPrefix prefix;
    Timestamp since = 0;
    auto operator<=>(const RetiredPrefix&) const = default;
};

struct Facts {
    // The kernel's boot id (/proc/sys/kernel/random/boot_id) when the facts were
    // last saved: facts from before a reboot describe links and leases that are gone.
    std::string boot_id;
    std::map<InterfaceName, InterfaceFacts> interfaces;
    std::map<std::string, std::vector<RetiredPrefix>> retired;  // lan name → prefixes
    auto operator<=>(const Facts&) const = default;
};

// One section of one interface as an event reports it. `std::nullopt` in the
// optional value means "the source says this is gone" (ip-down, EXPIRE6, STOPPED).
struct FactsUpdate {
    InterfaceName interface;
    std::optional<std::optional<bool>> carrier;
    std::optional<std::optional<Ppp4Facts>> ppp4;
    std::optional<std::optional<Ppp6Facts>> ppp6;
    std::optional<std::optional<Dhcp4Facts>> dhcp4;
    std::optional<std::optional<Dhcp6Facts>> dhcp6;
    std::optional<std::optional<RaFacts>> ra;
    std::optional<std::optional<DelegatedFacts>> delegated;
    std::optional<std::optional<KernelLinkFacts>> kernel;
    bool forget_interface = false;  // dhcpcd STOPPED/DEPARTED: drop every dhcpcd section
};

// Applies one event's sections. A lease section gets `reported = now`, except that
// an unchanged renew keeps the old time until half of the lease's shortest valid
// lifetime has passed: so most renews change nothing and write no state, and the
// stored time is never more than half a lifetime behind. A kernel section whose
// link state and addresses are unchanged (lifetimes count down in every dump) is
// kept as it was.
Facts merge(Facts facts, const FactsUpdate& update, Timestamp now);

// What is no longer true by itself: with another `boot_id` than the stored one,
// every section a daemon reported (links and leases died with the reboot; the
// daemons report again); otherwise DHCPv6 addresses and prefixes, RA prefixes and
// DHCPv4 leases whose valid lifetime has run out since they were reported (dhcpcd
// would have said EXPIRE6, had it been running). `notes` says what went, for the
// report. An empty `boot_id` (unknown) skips the reboot check.
Facts expire(Facts facts, Timestamp now, const std::string& boot_id,
             std::vector<std::string>& notes);

// A change in what is known, for logs, the journal and `why` in the plan.
struct Transition {
    enum class Kind { added, removed, changed };
    Kind kind;
    InterfaceName interface;
    std::string subject;  // "ipv4 address", "delegated prefix iaid 2", "ipv6 link"
    std::string before;   // empty when added
    std::string after;    // empty when removed
    std::string to_string()
        const;  // "ppp0: delegated prefix iaid 2 changed 2001:db8:1::/56 -> 2001:db8:2::/56"
    auto operator<=>(const Transition&) const = default;
};

// Pure diff of two fact sets; an unchanged renew gives an empty list.
// Lifetimes alone changing is not a transition (dhcpcd reports raw values).
std::vector<Transition> diff(const Facts& before, const Facts& after);

}  // namespace hookctl
