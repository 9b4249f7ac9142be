// NetlinkRoutes: requests from netlink_codec, sent over one netlink::Socket. Each
// request asks for an ACK and is read back to its own sequence number, so errors
// arrive as errno plus the kernel's extended-ack text ("Invalid table"), never as a
// silent success.
#include "netlink_routes.hpp"

#include "error.hpp"

#include <fmt/format.h>

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <cerrno>
#include <cstring>

namespace hookctl {

namespace {

using netlink::KernelRoute;
using netlink::KernelRule;

bool is_not_found(int err) {
    return err == ENOENT || err == ESRCH;
}

ActionResult result(ActionResult::Status status, std::string message = {}) {
    return {status, std::move(message), 0};
}

ActionResult kernel_error(const char* verb, const Object& object, int err,
                          const netlink::Reply& reply) {
    std::string text = fmt::format("{} {}: {}", verb, describe(object), std::strerror(err));
    if (!reply.extack.empty()) text += fmt::format(" ({})", reply.extack);
    return result(ActionResult::Status::failed, std::move(text));
}

std::optional<InterfaceName> interface_name(unsigned index) {
    char name[IF_NAMESIZE] = {};
    if (!if_indextoname(index, name)) return std::nullopt;
    try {
        return parse_interface_name(name, "kernel interface name");
    } catch (const Error&) {
        return std::nullopt;
    }
}

const char* family_word(Family f) {
    return f == Family::v4 ? "IPv4" : "IPv6";
}

const std::function<void(const nlmsghdr*)> ignore_data = [](const nlmsghdr*) {};

}  // namespace

int NetlinkRoutes::dump_rules(std::optional<Family> family, std::vector<KernelRule>& out,
                              std::string& error) {
    netlink::Message request = netlink::dump_request(RTM_GETRULE, family);
    netlink::Reply reply;
    const int e = socket_.transact(
        request,
        [&](const nlmsghdr* m) {
            if (auto k = netlink::parse_rule(m)) out.push_back(std::move(*k));
        },
        reply, [&] { out.clear(); });
    if (e != 0)
        error = fmt::format("dump {} rules: {}", family ? family_word(*family) : "all",
                            std::strerror(e));
    return e;
}

int NetlinkRoutes::dump_routes(std::optional<Family> family, std::vector<KernelRoute>& out,
                               std::string& error, bool only_ours) {
    netlink::Message request =
        netlink::dump_request(RTM_GETROUTE, family, only_ours ? protocol_ : std::uint8_t{0});
    netlink::Reply reply;
    const int e = socket_.transact(
        request,
        [&](const nlmsghdr* m) {
            if (auto k = netlink::parse_route(m, interface_name)) out.push_back(std::move(*k));
        },
        reply, [&] { out.clear(); });
    if (e != 0)
        error = fmt::format("dump {} routes: {}", family ? family_word(*family) : "all",
                            std::strerror(e));
    return e;
}

ActionResult NetlinkRoutes::add_rule(const RuleObject& rule) {
    const Object object{rule};
    if (rule.action == RuleAction::lookup && rule.table == 0)
        // Table 0 would make the kernel invent a fresh empty table.
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: lookup rule without a table", describe(object)));
    if (rule.priority == 0)
        // Priority 0 is the `lookup local` rule's; anything there breaks local delivery.
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: priority 0 is reserved for the local table rule",
                                  describe(object)));
    netlink::Message request =
        netlink::rule_request(RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, rule, protocol_);
    netlink::Reply reply;
    const int e = socket_.transact(request, ignore_data, reply);
    if (e == EEXIST)
        return result(ActionResult::Status::unchanged);  // rule_exists() compared our tag too
    if (e != 0) return kernel_error("add", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::remove_rule(const RuleObject& rule) {
    const Object object{rule};
    std::vector<KernelRule> present;
    std::string dump_error;
    if (dump_rules(rule.family, present, dump_error) != 0)
        return result(ActionResult::Status::failed,
                      fmt::format("remove {}: {}", describe(object), dump_error));
    const KernelRule* first = nullptr;
    for (const auto& k : present)
        if (netlink::delete_would_match(k, rule, protocol_)) {
            first = &k;
            break;
        }
    if (!first) return result(ActionResult::Status::unchanged);
    if (!netlink::kernel_rule_matches(rule, first->rule))
        return result(
            ActionResult::Status::failed,
            fmt::format("remove {}: the kernel would delete {} instead (it matches fields left "
                        "unset as wildcards); give the rules distinct priorities",
                        describe(object), describe(Object{first->rule})));
    netlink::Message request = netlink::rule_request(RTM_DELRULE, NLM_F_ACK, rule, protocol_);
    netlink::Reply reply;
    const int e = socket_.transact(request, ignore_data, reply);
    if (is_not_found(e)) return result(ActionResult::Status::unchanged);
    if (e != 0) return kernel_error("remove", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::add_route(const RouteObject& route) {
    const Object object{route};
    if (route.via && route.via->family != route.destination.family())
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: gateway and destination are of different families",
                                  describe(object)));
    unsigned ifindex = 0;
    if (route.dev) {
        ifindex = if_nametoindex(route.dev->str().c_str());
        if (ifindex == 0)
            return result(
                ActionResult::Status::failed,
                fmt::format("add {}: no such interface '{}'", describe(object), route.dev->str()));
    }
    netlink::Message request = netlink::route_request(
        RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, route, protocol_, ifindex, false);
    netlink::Reply reply;
    const int e = socket_.transact(request, ignore_data, reply);
    if (e == EEXIST) {
        // Same destination, table and metric (and TOS) taken: by our identical
        // route (fine) or by someone else's / a different one of ours (a conflict
        // hookctl must not overwrite).
        std::vector<KernelRoute> present;
        std::string dump_error;
        if (dump_routes(route.destination.family(), present, dump_error) == 0)
            for (const auto& k : present)
                if (k.protocol == protocol_ && netlink::kernel_route_matches(route, k.route))
                    return result(ActionResult::Status::unchanged);
        return result(
            ActionResult::Status::failed,
            fmt::format("add {}: {} (a route to {} with metric {} in table {} exists and is not "
                        "this hookctl route)",
                        describe(object), std::strerror(e), route.destination.to_string(),
                        route.metric, route.table));
    }
    if (e != 0) return kernel_error("add", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::remove_route(const RouteObject& route) {
    const Object object{route};
    unsigned ifindex = 0;
    if (route.dev) {
        ifindex = if_nametoindex(route.dev->str().c_str());
        // The interface is gone, and with it every route through it.
        if (ifindex == 0)
            return result(ActionResult::Status::unchanged,
                          fmt::format("interface '{}' is gone", route.dev->str()));
    }
    netlink::Message request =
        netlink::route_request(RTM_DELROUTE, NLM_F_ACK, route, protocol_, ifindex, true);
    netlink::Reply reply;
    const int e = socket_.transact(request, ignore_data, reply);
    if (is_not_found(e)) return result(ActionResult::Status::unchanged);
    if (e != 0) return kernel_error("remove", object, e, reply);
    return result(ActionResult::Status::done);
}

std::vector<RuleObject> NetlinkRoutes::list_owned_rules() {
    std::vector<KernelRule> present;
    std::string error;
    if (dump_rules(std::nullopt, present, error) != 0) throw Error(error);
    std::vector<RuleObject> owned;
    for (auto& k : present)
        if (k.protocol == protocol_) owned.push_back(std::move(k.rule));
    return owned;
}

std::vector<RouteObject> NetlinkRoutes::list_owned_routes() {
    std::vector<KernelRoute> present;
    std::string error;
    if (dump_routes(std::nullopt, present, error, true) != 0) throw Error(error);
    std::vector<RouteObject> owned;
    for (auto& k : present)
        if (k.protocol == protocol_) owned.push_back(std::move(k.route));
    return owned;
}

}  // namespace hookctl
