// Policy rules and routes over rtnetlink, restricted to hookctl's own: every rule
// and route it installs carries `protocol` = the configured tag (settings.route-
// protocol, 211 by default; `ip rule`/`ip route` show "proto 211"). Deletes name
// the tag too, so the kernel never matches a foreign rule or route.
#pragma once

#include "executor.hpp"
#include "netlink_socket.hpp"
#include "objects.hpp"

#include <cstdint>
#include <vector>

namespace hookctl {

class NetlinkRoutes {
public:
    // The socket is opened on first use (a hook that only writes sysctls never opens one).
    explicit NetlinkRoutes(std::uint8_t protocol) : protocol_(protocol) {}

    // RTM_NEWRULE with NLM_F_CREATE|NLM_F_EXCL. The kernel's EEXIST check compares
    // every field including the protocol, so EEXIST means our identical rule is
    // there: "unchanged". A foreign rule with the same selector does not block it.
    ActionResult add_rule(const RuleObject& rule);
    // RTM_DELRULE with the full selector and FRA_PROTOCOL. Before deleting, the
    // rules are dumped: the kernel treats fields we leave out (no iif, no from, ...)
    // as wildcards and deletes the first match, which could be another of our rules
    // with the same priority; then this fails instead of deleting the wrong one.
    // Not present → "unchanged".
    ActionResult remove_rule(const RuleObject& rule);
    // RTM_NEWROUTE with NLM_F_CREATE|NLM_F_EXCL. EEXIST → "unchanged" when our
    // route is there (kernel_route_matches); failed when the destination/table/metric
    // is taken by a route that is not ours or differs.
    ActionResult add_route(const RouteObject& route);
    // RTM_DELROUTE with destination, table, metric, type, gateway, dev and protocol.
    // Not present → "unchanged".
    ActionResult remove_route(const RouteObject& route);

    // Kernel dumps of both families, only entries with our tag, in kernel order.
    // Throw Error when the kernel cannot be asked: an empty list must mean "none",
    // not "could not look".
    std::vector<RuleObject> list_owned_rules();
    std::vector<RouteObject> list_owned_routes();

    std::uint8_t protocol() const { return protocol_; }

private:
    // nullopt: both families (and the kernel's others, which parsing skips) in one dump.
    int dump_rules(std::optional<Family> family, std::vector<netlink::KernelRule>& out,
                   std::string& error);
    // only_ours: asks the kernel for our protocol's routes only (a router with a full
    // table would otherwise copy every route out at every event); still filtered here.
    int dump_routes(std::optional<Family> family, std::vector<netlink::KernelRoute>& out,
                    std::string& error, bool only_ours = false);

    std::uint8_t protocol_;
    netlink::Socket socket_{true};
};

}  // namespace hookctl
