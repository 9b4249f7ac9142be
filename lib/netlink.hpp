// Policy rules and routes over rtnetlink (libmnl), restricted to hookctl's own:
// every rule and route it installs carries `protocol` = the configured tag
// (settings.route_protocol, 211 by default; `ip rule`/`ip route` show "proto 211").
// Deletes name the tag too, so the kernel never matches a foreign rule or route.
#pragma once

#include "executor.hpp"
#include "objects.hpp"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct mnl_socket;

namespace hookctl {

namespace detail {
struct NetlinkReply;  // defined in netlink.cpp
}

// Does a rule/route read back from the kernel stand for the object hookctl asked
// for? Plain == is too strict because the kernel fills in what was left out:
//   rules:  a fwmark without a mask gets mask 0xffffffff; "from 0/0" is "from all";
//   routes: a route given only a gateway gets the dev the gateway resolves to;
//           an IPv6 route with metric 0 gets metric 1024 (IP6_RT_PRIO_USER).
// Use these (not ==) when comparing desired objects with list_owned() for drift.
bool kernel_rule_matches(const RuleObject& wanted, const RuleObject& present);
bool kernel_route_matches(const RouteObject& wanted, const RouteObject& present);

class NetlinkRoutes {
public:
    // The socket is opened on first use (a hook that only writes sysctls never opens one).
    explicit NetlinkRoutes(std::uint8_t protocol);
    ~NetlinkRoutes();
    NetlinkRoutes(const NetlinkRoutes&) = delete;
    NetlinkRoutes& operator=(const NetlinkRoutes&) = delete;

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
    // route is there (kernel_route_matches); failed when the destination/table/metric is taken
    // by a route that is not ours or differs.
    ActionResult add_route(const RouteObject& route);
    // RTM_DELROUTE with destination, table, metric, type, gateway, dev and protocol.
    // Not present → "unchanged".
    ActionResult remove_route(const RouteObject& route);

    // Kernel dumps of both families, only entries with our tag, in kernel order.
    // Throw Error when the kernel cannot be asked (socket or dump failure).
    std::vector<RuleObject> list_owned_rules();
    std::vector<RouteObject> list_owned_routes();

    std::uint8_t protocol() const { return protocol_; }

    // What the kernel holds, with the fields hookctl does not model reduced to
    // what it needs to decide ownership and delete ambiguity. Public for tests.
    struct KernelRule {
        RuleObject rule;
        std::uint8_t protocol = 0;
    };
    struct KernelRoute {
        RouteObject route;
        std::uint8_t protocol = 0;
    };

private:
    // Sends one request and reads until its ACK/ERROR or NLMSG_DONE. Returns 0 or
    // the errno; `reply` collects dump entries and the kernel's extended-ack text.
    int transact(void* message, detail::NetlinkReply& reply);
    int open_socket();
    int dump_rules(std::uint8_t family, std::vector<KernelRule>& out, std::string& error);
    int dump_routes(std::uint8_t family, std::vector<KernelRoute>& out, std::string& error);
    ActionResult kernel_error(const char* verb, const Object& object, int err,
                              const detail::NetlinkReply& reply) const;
    void close_socket();

    std::uint8_t protocol_;
    mnl_socket* socket_ = nullptr;
    unsigned int portid_ = 0;
    std::uint32_t seq_ = 0;
    std::vector<char> buffer_;
};

}  // namespace hookctl
