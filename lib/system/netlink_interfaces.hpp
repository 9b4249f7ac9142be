// The kernel as a source of facts (uplinks with source = "kernel"): the link state
// and global addresses of named interfaces, read over rtnetlink. `hookctl watch`
// and the dispatcher hooks turn the result into a kernel event (kernel_event.hpp).
#pragma once

#include "kernel_event.hpp"
#include "netlink_socket.hpp"

#include <map>
#include <string>
#include <vector>

namespace hookctl {

class NetlinkInterfaces {
public:
    // One link dump and one address dump. An interface that does not exist comes
    // back with present = false; addresses are global scope only, in kernel order.
    // Throws Error when the kernel cannot be asked: "absent" must mean absent.
    std::vector<KernelLinkSnapshot> read(const std::vector<InterfaceName>& names);
    // The index each present interface had at the last read(): notifications name
    // interfaces by index (and a renamed one keeps its index).
    const std::map<std::string, unsigned>& indexes() const { return indexes_; }

private:
    netlink::Socket socket_;
    std::map<std::string, unsigned> indexes_;
};

}  // namespace hookctl
