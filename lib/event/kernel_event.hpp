// The kernel as an event source, for uplinks with source = "kernel" (run by
// systemd-networkd, NetworkManager, ifupdown or plain SLAAC). What rtnetlink said
// about some interfaces travels as text lines in RawEvent::kernel, so the journal
// records exactly what was seen and `replay` parses it again, like a daemon's
// environment. Three triggers make one: `hookctl watch` (its own rtnetlink
// subscription), networkd-dispatcher and NetworkManager's dispatcher; their
// argv and environment are parsed as hostile as dhcpcd's. See docs/daemons.md.
#pragma once

#include "event.hpp"

#include <string>
#include <vector>

namespace hookctl {

// One interface as a dump found it.
struct KernelLinkSnapshot {
    InterfaceName name;
    bool present = false;  // false: no such interface (deleted, renamed, not yet created)
    bool up = false;
    bool lower_up = false;
    std::vector<KernelAddress> addresses;  // global scope only
    auto operator<=>(const KernelLinkSnapshot&) const = default;
};

// The lines of RawEvent::kernel, one link line per interface, then its addresses:
//   link ext up lower-up            link ext up no-carrier     link ext down     link ext absent
//   addr ext 2001:db8:a::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200
//   addr ext 192.0.2.7/24 permanent preferred forever valid forever
std::vector<std::string> kernel_lines(const std::vector<KernelLinkSnapshot>& links);
// The inverse; throws InputError naming "kernel line N" and what is wrong.
std::vector<KernelLinkSnapshot> parse_kernel_lines(const std::vector<std::string>& lines);

// The triggers (RawEvent::script of a Source::kernel event).
inline constexpr const char* kernel_trigger_watch = "watch";
inline constexpr const char* kernel_trigger_networkd = "networkd";
inline constexpr const char* kernel_trigger_nm = "nm";

// The dispatcher that runs hookctl as a script, from where the script lives:
// /etc/networkd-dispatcher/<state>.d/ (or /usr/lib/...) → "networkd";
// .../NetworkManager/dispatcher.d/ and its pre-up.d, pre-down.d, no-wait.d → "nm";
// anything else → "".
std::string dispatcher_from_argv0(std::string_view argv0);

// networkd-dispatcher's STATE values (its ADMIN_STATES and OPER_STATES) and the
// directories it runs scripts from, /etc/networkd-dispatcher/<state>.d.
const std::vector<std::string>& networkd_state_names();
// NetworkManager dispatcher actions (NetworkManager-dispatcher(8)).
const std::vector<std::string>& nm_action_names();
// The actions after which an interface's addresses may have changed; the others
// (hostname, pre-up, connectivity-change, ...) are no event for hookctl.
bool nm_action_reads_kernel(std::string_view action);

// The dispatcher's interface, checked: networkd: IFACE (with STATE); nm: argv[1]
// (with argv[2] the action). Throws InputError naming the variable or argument.
// For nm, nullopt when the action concerns no interface (see nm_action_reads_kernel).
std::optional<InterfaceName> dispatcher_interface(const RawEvent& raw);

// A Source::kernel event: one FactsUpdate per link line replacing its `kernel`
// section (absent → the section goes). Addresses no uplink can own (special
// classes: loopback, multicast, ...) are left out with a warning.
Event parse_kernel_event(const RawEvent& raw);

}  // namespace hookctl
