// radvd.conf generated from the config and the LAN prefixes: byte-stable output
// (same inputs → same bytes, so an unchanged prefix means no write and no reload),
// and old prefixes announced as deprecated (preferred 0, valid 0) for a window
// after a renumbering, because radvd 2.19's DeprecatePrefix acts only at shutdown.
#pragma once

#include "config.hpp"
#include "net_types.hpp"

#include <string>
#include <vector>

namespace hookctl {

struct RadvdInterfaceInput {
    InterfaceName interface;
    const RadvdInterfaceConfig* config = nullptr;
    std::vector<IpPrefix> current;     // announced normally
    std::vector<IpPrefix> deprecated;  // announced with AdvPreferredLifetime 0; AdvValidLifetime 0
    std::vector<IpAddress> rdnss;      // resolved rdnss expressions
};

std::string render_radvd_conf(const std::vector<RadvdInterfaceInput>& interfaces);

}  // namespace hookctl
