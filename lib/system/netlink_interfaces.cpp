// NetlinkInterfaces: two dumps (links, then addresses) matched by interface index.
// A dump interrupted by a change is asked again by netlink::Socket (NLM_F_DUMP_INTR).
#include "netlink_interfaces.hpp"

#include "error.hpp"

#include <fmt/format.h>

#include <linux/rtnetlink.h>
#include <cstring>
#include <map>

namespace hookctl {

std::vector<KernelLinkSnapshot> NetlinkInterfaces::read(const std::vector<InterfaceName>& names) {
    std::map<std::string, netlink::KernelLink> links;  // by name, only those asked for
    netlink::Reply reply;
    netlink::Message link_request = netlink::link_dump_request();
    if (const int e = socket_.transact(
            link_request,
            [&](const nlmsghdr* m) {
                if (auto l = netlink::parse_link(m)) links[l->name] = *l;
            },
            reply, [&] { links.clear(); });
        e != 0)
        throw Error(fmt::format("rtnetlink: dump links: {}", std::strerror(e)));

    std::map<unsigned, std::vector<KernelAddress>> addresses;  // by index
    netlink::Message address_request = netlink::address_dump_request();
    if (const int e = socket_.transact(
            address_request,
            [&](const nlmsghdr* m) {
                if (auto a = netlink::parse_address(m); a && a->scope == RT_SCOPE_UNIVERSE)
                    addresses[a->index].push_back(a->address);
            },
            reply, [&] { addresses.clear(); });
        e != 0)
        throw Error(fmt::format("rtnetlink: dump addresses: {}", std::strerror(e)));

    std::vector<KernelLinkSnapshot> out;
    indexes_.clear();
    for (const auto& name : names) {
        KernelLinkSnapshot s;
        s.name = name;
        if (const auto it = links.find(name.str()); it != links.end()) {
            s.present = true;
            s.up = it->second.up;
            s.lower_up = it->second.lower_up;
            s.addresses = addresses[it->second.index];
            indexes_[name.str()] = it->second.index;
        }
        out.push_back(std::move(s));
    }
    return out;
}

}  // namespace hookctl
