// Sysctls through /proc/sys: read the current value, write only when it differs.
// No forks, no sysctl(8). The root directory is a parameter so unit tests point it
// at a temporary tree instead of the real /proc/sys.
#pragma once

#include "executor.hpp"
#include "fd.hpp"
#include "objects.hpp"

#include <optional>
#include <string>

namespace hookctl {

// Where a dotted key lives below the root, or why it cannot be a path.
struct SysctlPath {
    std::string relative;   // "net/ipv6/conf/ppp0/accept_ra"
    std::string interface;  // "ppp0" for net.ipv{4,6}.conf.<if>.<leaf>, else empty
    std::string leaf;       // "accept_ra"
    std::string error;      // non-empty: the key is not acceptable, nothing else is set
};

// Pure. "net.ipv6.conf.<IF>.<leaf>": IF is everything between "conf." and the last
// dot, so VLAN names like "eth0.100" work (sysctl(8) would want "eth0/100"). Other
// keys map every dot to a directory ("net.ipv4.ip_forward"). Every component is
// checked again here even though the config validated interface names: the key
// becomes a path written as root, so no '/', no "." or "..", no control bytes.
SysctlPath sysctl_path(const std::string& key);

class SysctlWriter {
public:
    explicit SysctlWriter(std::string root = "/proc/sys");

    // done: written (message "was '<old>'"); unchanged: value already equal after
    // trimming and collapsing whitespace; failed: message names the key, e.g.
    // "no such interface 'ppp0' (net.ipv6.conf.ppp0.accept_ra)".
    ActionResult ensure(const SysctlObject& sysctl);

    // The current value, trimmed; nullopt when the file cannot be read.
    std::optional<std::string> read(const std::string& key) const;

private:
    std::string root_;
    // The directory of the last key written ("net/ipv6/conf/ppp0") and a descriptor
    // of it: an uplink's sysctls are opened from there, not each through the whole
    // /proc/sys path (procfs looks every component up again; 5 µs per key here).
    std::string dir_;
    UniqueFd dir_fd_;
};

}  // namespace hookctl
