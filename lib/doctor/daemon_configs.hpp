// Just enough of the daemons' own config files for `hookctl doctor`, read the way
// each daemon reads them (sources in docs/doctor.md): radvd.conf's interface blocks
// and flags, dnsmasq's IPv6 dhcp-range lines, kea's subnet6 list, dhcpcd's ia_pd
// delegations and pppd's options. Pure: text in, facts with their file:line out.
// What a parser does not understand is skipped, never guessed: a check then finds
// nothing rather than something wrong.
#pragma once

#include "net_types.hpp"
#include "system_snapshot.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

// "path:line: text" of a line as written (trimmed), the form evidence takes.
std::string cite(const std::string& path, int line, const std::string& text);
// The line `line` (1-based) of `text`, trimmed.
std::string line_of(const std::string& text, int line);

// ---- radvd.conf ------------------------------------------------------------------

struct RadvdPrefixBlock {
    IpPrefix prefix;
    int line = 0;
    std::optional<std::uint32_t> preferred;  // AdvPreferredLifetime as written
    std::optional<std::uint32_t> valid;
};

struct RadvdInterfaceBlock {
    std::string interface;
    int line = 0;
    bool managed = false;  // AdvManagedFlag (default off)
    int managed_line = 0;  // 0: not written
    bool other = false;    // AdvOtherConfigFlag
    std::vector<RadvdPrefixBlock> prefixes;
    std::vector<std::pair<IpAddress, int>> rdnss;  // address, line
};

struct RadvdConf {
    std::string path;
    std::vector<RadvdInterfaceBlock> interfaces;
    std::string error;  // "path:line: ..." where the parser gave up (the blocks before stay)
};

RadvdConf parse_radvd_conf(const TextFile& file);

// ---- DHCPv6 servers: dnsmasq and kea ---------------------------------------------

// One place a DHCPv6 server hands out addresses (stateful DHCPv6) or only other
// configuration (stateless: dnsmasq ra-stateless).
struct Dhcpv6Service {
    std::string server;              // "dnsmasq", "kea"
    std::string where;               // "path:line: text" of the range or subnet
    bool stateful = true;            // hands out addresses (what AdvManagedFlag announces)
    std::string interface;           // named by the config (constructor:IF, "interface"); "" if not
    std::optional<IpPrefix> prefix;  // the subnet (kea) or the range's start as a /64 (dnsmasq)
};

struct DnsmasqConf {
    std::vector<Dhcpv6Service> services;  // IPv6 dhcp-range lines
    std::vector<std::string> interfaces;  // interface= (empty: all)
    std::vector<std::string> no_dhcp;     // no-dhcp-interface=, except-interface=
};

// dnsmasq.conf and its conf-dir files, in the order dnsmasq reads them. An IPv6
// dhcp-range serves addresses unless its mode is ra-only or ra-stateless (dnsmasq(8),
// --dhcp-range); "::,static" is the stateless catch-all.
DnsmasqConf parse_dnsmasq(const std::vector<TextFile>& files);

// kea-dhcp6.conf (JSON with #, // and /* */ comments): Dhcp6.subnet6 and the
// subnet6 lists of Dhcp6.shared-networks. A subnet with pools serves addresses.
// `error` is set when the file is not JSON kea would read.
struct KeaConf {
    std::vector<Dhcpv6Service> services;
    std::string error;
};
KeaConf parse_kea_dhcp6(const TextFile& file);

// ---- dhcpcd.conf -----------------------------------------------------------------

// `ia_pd IAID[/PREFIX/LEN] IF[/SLA_ID[/PREFIX_LEN[/SUFFIX]]] ...`: one per IF. The
// suffix is read with strtoul base 0 like dhcpcd does (upstream src/if-options.c):
// 801 is decimal (::321), 0x801 hex, 0801 octal; absent, 1; 0 means SLAAC.
struct DhcpcdDelegation {
    std::string uplink;     // the `interface` block it is in ("" outside one)
    std::string interface;  // where the delegated prefix is assigned
    std::optional<std::uint32_t> sla_id;
    std::optional<int> prefix_length;
    std::uint64_t suffix = 1;
    std::string suffix_text;  // as written ("" when absent)
    std::string where;        // "path:line: text"
};
std::vector<DhcpcdDelegation> parse_dhcpcd_conf(const TextFile& file);

// ---- pppd options and peers ------------------------------------------------------

struct PppPeer {
    std::string file;
    std::string ifname;  // `ifname X`, else "ppp<unit>" from `unit N`, else ""
    std::string ifname_where;
    std::string device;  // the PPPoE Ethernet device: `nic-X`, or a word naming a link
    std::string device_where;
    bool ipv6 = false;  // `+ipv6` (IPV6CP) given
};
// `link_names`: interfaces that exist, to recognise a bare device word after
// `plugin rp-pppoe.so` / `plugin pppoe.so`.
std::vector<PppPeer> parse_ppp(const std::vector<TextFile>& files,
                               const std::vector<std::string>& link_names);

}  // namespace hookctl
