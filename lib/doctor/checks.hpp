// The checks of `hookctl doctor`: each a small pure function of what was read of
// the system (SystemSnapshot) and of hookctl's config, returning one Finding per
// problem. docs/doctor.md describes each: what, evidence, why, fix, source.
#pragma once

#include "config.hpp"
#include "finding.hpp"
#include "system_snapshot.hpp"

#include <string>
#include <vector>

namespace hookctl {

struct DoctorInput {
    const SystemSnapshot* system = nullptr;
    const Config* config = nullptr;  // nullptr: none could be loaded
    std::string config_path;
    std::string config_error;  // why it could not be loaded ("" when absent or loaded)
    bool config_absent = false;
};

// Which interfaces are uplinks and which are LANs, and why doctor thinks so.
struct InterfaceRole {
    std::string interface;
    std::string why;    // "uplink 'isp' (hookctl.toml:3)", "holds the IPv4 default route"
    bool ipv6 = false;  // uplink: IPv6 is expected from it (a LAN prefix comes from it, ...)
    bool from_config = false;
};
struct Roles {
    std::vector<InterfaceRole> uplinks;
    std::vector<InterfaceRole> lans;
    const InterfaceRole* uplink(const std::string& name) const;
    const InterfaceRole* lan(const std::string& name) const;
};
// Uplinks: the config's uplinks, pppd's ifname and PPPoE devices from its peers
// files, and, when the config names no uplink, the interfaces that hold a default
// route. LANs: the config's lans and radvd.conf's interfaces.
Roles roles_of(const DoctorInput& in);

using CheckFunction = std::vector<Finding> (*)(const DoctorInput&, const Roles&);
struct CheckEntry {
    const char* id;
    const char* summary;
    CheckFunction run;
};
// Every check, in the order their findings are printed.
const std::vector<CheckEntry>& doctor_checks();

// All checks; findings sorted errors first, then warnings, then infos (stable).
std::vector<Finding> run_checks(const DoctorInput& in);

// The checks one by one (also reached through doctor_checks()).
std::vector<Finding> check_config(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_probes(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_uplink_ra(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_dhcpv6_reply(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_default_rules(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_radvd_managed(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_uplink_bridge(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_ipv6_default_route(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_forwarding(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_dhcpcd_suffix(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_rt_tables(const DoctorInput& in, const Roles& roles);
std::vector<Finding> check_tsig_keys(const DoctorInput& in, const Roles& roles);

}  // namespace hookctl
