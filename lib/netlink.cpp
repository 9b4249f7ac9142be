// NetlinkRoutes: rtnetlink requests for rules and routes, built attribute by
// attribute with libmnl on one NETLINK_ROUTE socket. Each request asks for an ACK
// and is read back to its own sequence number, so errors arrive as errno plus the
// kernel's extended-ack text ("Invalid table"), never as a silent success.
#include "netlink.hpp"

#include "error.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>
#include <utility>

#include <fmt/format.h>

namespace hookctl {

namespace detail {
// What one transaction brought back besides its errno.
struct NetlinkReply {
    std::vector<NetlinkRoutes::KernelRule>* rules = nullptr;    // RTM_GETRULE dump target
    std::vector<NetlinkRoutes::KernelRoute>* routes = nullptr;  // RTM_GETROUTE dump target
    std::string extack;                                         // NLMSGERR_ATTR_MSG
    bool from_kernel = false;  // the errno came in an NLMSG_ERROR, not from libmnl's checks
};
}  // namespace detail

namespace {

using detail::NetlinkReply;
using KernelRule = NetlinkRoutes::KernelRule;
using KernelRoute = NetlinkRoutes::KernelRoute;

// The header's one-byte table field; tables >= 256 travel only as an attribute.
std::uint8_t header_table(std::uint32_t table) {
    return table < 256 ? static_cast<std::uint8_t>(table) : std::uint8_t{RT_TABLE_UNSPEC};
}

// Requests are small (a header and < 10 attributes); 1 KiB leaves ample room.
constexpr std::size_t request_size = 1024;
// Dump replies: the kernel fills up to 32 KiB per datagram when the reader offers
// that much; a larger buffer avoids MSG_TRUNC (ENOSPC from libmnl).
constexpr std::size_t receive_size = 64 * 1024;
// Attribute tables index by type; both FRA_MAX and RTA_MAX are well below this.
constexpr unsigned attr_slots = 64;
static_assert(FRA_MAX < attr_slots && RTA_MAX < attr_slots);

using AttrTable = std::array<const nlattr*, attr_slots>;

std::uint8_t af_of(Family f) { return f == Family::v4 ? AF_INET : AF_INET6; }
std::size_t addr_len(Family f) { return f == Family::v4 ? 4 : 16; }

// ---- building requests ------------------------------------------------------

nlmsghdr* start_request(char* buf, std::uint16_t type, std::uint16_t flags) {
    nlmsghdr* nlh = mnl_nlmsg_put_header(buf);
    nlh->nlmsg_type = type;
    nlh->nlmsg_flags = NLM_F_REQUEST | flags;
    return nlh;
}

void put_address(nlmsghdr* nlh, std::uint16_t type, const IpAddress& a) {
    mnl_attr_put(nlh, type, addr_len(a.family), a.bytes.data());
}

// hookctl's rule actions and route types and their kernel numbers, one table each
// way round: what hookctl sends and what it recognises as its own in a dump.
constexpr std::pair<RuleAction, std::uint8_t> rule_actions[] = {
    {RuleAction::lookup, FR_ACT_TO_TBL},
    {RuleAction::unreachable, FR_ACT_UNREACHABLE},
    {RuleAction::blackhole, FR_ACT_BLACKHOLE},
    {RuleAction::prohibit, FR_ACT_PROHIBIT},
};
constexpr std::pair<RouteType, std::uint8_t> route_types[] = {
    {RouteType::unicast, RTN_UNICAST},
    {RouteType::unreachable, RTN_UNREACHABLE},
    {RouteType::blackhole, RTN_BLACKHOLE},
    {RouteType::prohibit, RTN_PROHIBIT},
};

template <class E, std::size_t N>
std::uint8_t kernel_number(const std::pair<E, std::uint8_t> (&table)[N], E value) {
    for (const auto& [e, n] : table)
        if (e == value) return n;
    return table[0].second;
}

// nullopt for kernel values hookctl never creates (goto, nop; local, broadcast, ...).
template <class E, std::size_t N>
std::optional<E> from_kernel_number(const std::pair<E, std::uint8_t> (&table)[N], std::uint8_t number) {
    for (const auto& [e, n] : table)
        if (n == number) return e;
    return std::nullopt;
}

std::uint8_t fr_action(RuleAction a) { return kernel_number(rule_actions, a); }
std::optional<RuleAction> rule_action_of(std::uint8_t a) { return from_kernel_number(rule_actions, a); }
std::uint8_t rtn_type(RouteType t) { return kernel_number(route_types, t); }
std::optional<RouteType> route_type_of(std::uint8_t t) { return from_kernel_number(route_types, t); }

// The selector is the same for add and delete; the kernel matches a delete on the
// fields present (absent ones are wildcards), plus FRA_PROTOCOL when non-zero.
void put_rule(nlmsghdr* nlh, const RuleObject& rule, std::uint8_t protocol) {
    auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
    frh->family = af_of(rule.family);
    frh->action = fr_action(rule.action);
    frh->table = header_table(rule.table);
    if (rule.from && rule.from->length > 0) {
        frh->src_len = rule.from->length;
        put_address(nlh, FRA_SRC, rule.from->network);
    }
    if (rule.to && rule.to->length > 0) {
        frh->dst_len = rule.to->length;
        put_address(nlh, FRA_DST, rule.to->network);
    }
    if (rule.iif)
        mnl_attr_put_strz(nlh, FRA_IIFNAME, rule.iif->str().c_str());
    if (rule.oif)
        mnl_attr_put_strz(nlh, FRA_OIFNAME, rule.oif->str().c_str());
    if (rule.fwmark)
        mnl_attr_put_u32(nlh, FRA_FWMARK, *rule.fwmark);
    if (rule.fwmask)
        mnl_attr_put_u32(nlh, FRA_FWMASK, *rule.fwmask);
    // Always explicit: without it the kernel picks "one below the first rule"
    // and every reconnect would add another copy (the bug of plain `ip rule add`).
    mnl_attr_put_u32(nlh, FRA_PRIORITY, rule.priority);
    if (rule.table != 0)
        mnl_attr_put_u32(nlh, FRA_TABLE, rule.table);
    mnl_attr_put_u8(nlh, FRA_PROTOCOL, protocol);
}

// `for_delete`: scope NOWHERE tells IPv4 "any scope" (what `ip route del` sends).
void put_route(nlmsghdr* nlh, const RouteObject& route, std::uint8_t protocol, unsigned ifindex,
               bool for_delete) {
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = af_of(route.destination.family());
    rtm->rtm_dst_len = route.destination.length;
    rtm->rtm_table = header_table(route.table);
    rtm->rtm_protocol = protocol;
    rtm->rtm_type = rtn_type(route.type);
    if (for_delete)
        rtm->rtm_scope = RT_SCOPE_NOWHERE;
    else if (route.type == RouteType::unicast && !route.via && route.destination.family() == Family::v4)
        rtm->rtm_scope = RT_SCOPE_LINK;  // on-link: no gateway to resolve through
    else
        rtm->rtm_scope = RT_SCOPE_UNIVERSE;
    mnl_attr_put_u32(nlh, RTA_TABLE, route.table);
    if (route.destination.length > 0)
        put_address(nlh, RTA_DST, route.destination.network);
    if (route.via)
        put_address(nlh, RTA_GATEWAY, *route.via);
    if (ifindex != 0)
        mnl_attr_put_u32(nlh, RTA_OIF, ifindex);
    mnl_attr_put_u32(nlh, RTA_PRIORITY, route.metric);
}

// ---- reading replies --------------------------------------------------------

int collect_attr(const nlattr* attr, void* data) {
    auto* table = static_cast<AttrTable*>(data);
    unsigned type = mnl_attr_get_type(attr);
    if (type < attr_slots)
        (*table)[type] = attr;
    return MNL_CB_OK;
}

std::optional<std::uint32_t> attr_u32(const nlattr* a) {
    if (!a || mnl_attr_get_payload_len(a) < sizeof(std::uint32_t))
        return std::nullopt;
    return mnl_attr_get_u32(a);
}

std::optional<std::uint8_t> attr_u8(const nlattr* a) {
    if (!a || mnl_attr_get_payload_len(a) < 1)
        return std::nullopt;
    return mnl_attr_get_u8(a);
}

std::optional<IpAddress> attr_address(const nlattr* a, Family family) {
    if (!a || mnl_attr_get_payload_len(a) != addr_len(family))
        return std::nullopt;
    IpAddress addr;
    addr.family = family;
    std::memcpy(addr.bytes.data(), mnl_attr_get_payload(a), addr_len(family));
    return addr;
}

std::optional<IpPrefix> attr_prefix(const nlattr* a, Family family, std::uint8_t length) {
    if (length == 0)
        return std::nullopt;
    auto addr = attr_address(a, family);
    if (!addr)
        return std::nullopt;
    return IpPrefix{*addr, length};
}

// Names from the kernel pass the kernel's own rules; parse_interface_name also
// refuses ':' which dev_valid_name() refuses too, so a throw here means a broken
// message, and the entry is skipped.
std::optional<InterfaceName> attr_ifname(const nlattr* a) {
    if (!a || mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
        return std::nullopt;
    return parse_interface_name(mnl_attr_get_str(a), "kernel interface name");
}

std::optional<Family> family_of(std::uint8_t af) {
    if (af == AF_INET)
        return Family::v4;
    if (af == AF_INET6)
        return Family::v6;
    return std::nullopt;
}

std::optional<KernelRule> parse_rule(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWRULE || mnl_nlmsg_get_payload_len(nlh) < sizeof(fib_rule_hdr))
        return std::nullopt;
    const auto* frh = static_cast<const fib_rule_hdr*>(mnl_nlmsg_get_payload(nlh));
    AttrTable tb{};
    if (mnl_attr_parse(nlh, sizeof(fib_rule_hdr), collect_attr, &tb) < 0)
        return std::nullopt;
    auto family = family_of(frh->family);
    auto action = rule_action_of(frh->action);
    if (!family || !action)
        return std::nullopt;

    KernelRule k;
    k.protocol = attr_u8(tb[FRA_PROTOCOL]).value_or(0);
    RuleObject& r = k.rule;
    r.family = *family;
    r.action = *action;
    r.priority = attr_u32(tb[FRA_PRIORITY]).value_or(0);
    r.table = attr_u32(tb[FRA_TABLE]).value_or(frh->table);
    r.from = attr_prefix(tb[FRA_SRC], *family, frh->src_len);
    r.to = attr_prefix(tb[FRA_DST], *family, frh->dst_len);
    if (tb[FRA_IIFNAME])
        r.iif = attr_ifname(tb[FRA_IIFNAME]);
    if (tb[FRA_OIFNAME])
        r.oif = attr_ifname(tb[FRA_OIFNAME]);
    r.fwmark = attr_u32(tb[FRA_FWMARK]);
    // A mark given without a mask gets mask 0xffffffff in the kernel; report that
    // as "no mask" so a rule read back equals the object that created it.
    auto mask = attr_u32(tb[FRA_FWMASK]);
    if (mask && !(r.fwmark && *mask == 0xffffffffu))
        r.fwmask = mask;
    return k;
}

std::optional<KernelRoute> parse_route(const nlmsghdr* nlh) {
    if (nlh->nlmsg_type != RTM_NEWROUTE || mnl_nlmsg_get_payload_len(nlh) < sizeof(rtmsg))
        return std::nullopt;
    const auto* rtm = static_cast<const rtmsg*>(mnl_nlmsg_get_payload(nlh));
    // Cached clones are not routes anyone added; source-specific routes are not
    // something hookctl creates (RouteObject has no source).
    if ((rtm->rtm_flags & RTM_F_CLONED) || rtm->rtm_src_len != 0)
        return std::nullopt;
    AttrTable tb{};
    if (mnl_attr_parse(nlh, sizeof(rtmsg), collect_attr, &tb) < 0)
        return std::nullopt;
    auto family = family_of(rtm->rtm_family);
    auto type = route_type_of(rtm->rtm_type);
    if (!family || !type)
        return std::nullopt;

    KernelRoute k;
    k.protocol = rtm->rtm_protocol;
    RouteObject& r = k.route;
    r.destination.network.family = *family;
    r.destination.length = rtm->rtm_dst_len;
    if (rtm->rtm_dst_len > 0) {
        auto dst = attr_address(tb[RTA_DST], *family);
        if (!dst)
            return std::nullopt;
        r.destination.network = *dst;
    }
    r.via = attr_address(tb[RTA_GATEWAY], *family);
    if (auto oif = attr_u32(tb[RTA_OIF]); oif && *oif != 0) {
        char name[IF_NAMESIZE] = {};
        if (if_indextoname(*oif, name))
            r.dev = parse_interface_name(name, "kernel interface name");
    }
    r.table = attr_u32(tb[RTA_TABLE]).value_or(rtm->rtm_table);
    r.metric = attr_u32(tb[RTA_PRIORITY]).value_or(0);
    r.type = *type;
    return k;
}

// Dump callback: parse what we can, skip what we cannot. Never an error (that
// would stop reading mid-dump and leave the rest queued on the socket), never an
// exception through libmnl's C frames.
int dump_entry(const nlmsghdr* nlh, void* data) {
    auto* reply = static_cast<NetlinkReply*>(data);
    try {
        if (reply->rules) {
            if (auto k = parse_rule(nlh))
                reply->rules->push_back(std::move(*k));
        } else if (reply->routes) {
            if (auto k = parse_route(nlh))
                reply->routes->push_back(std::move(*k));
        }
    } catch (const std::exception&) {
        // an entry we cannot represent is not one of ours
    }
    return MNL_CB_OK;
}

int extack_attr(const nlattr* attr, void* data) {
    if (mnl_attr_get_type(attr) == NLMSGERR_ATTR_MSG && mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
        *static_cast<std::string*>(data) = mnl_attr_get_str(attr);
    return MNL_CB_OK;
}

// NLMSG_ERROR: error 0 is the ACK. Otherwise keep errno and the extended-ack
// message, which follows the (capped or full) copy of our request.
int error_message(const nlmsghdr* nlh, void* data) {
    auto* reply = static_cast<NetlinkReply*>(data);
    if (mnl_nlmsg_get_payload_len(nlh) < sizeof(nlmsgerr)) {
        errno = EBADMSG;
        return MNL_CB_ERROR;
    }
    const auto* err = static_cast<const nlmsgerr*>(mnl_nlmsg_get_payload(nlh));
    if (err->error == 0)
        return MNL_CB_STOP;
    reply->from_kernel = true;
    if (nlh->nlmsg_flags & NLM_F_ACK_TLVS) {
        std::size_t offset = sizeof(nlmsgerr);
        if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
            offset += err->msg.nlmsg_len - sizeof(nlmsghdr);
        if (offset < mnl_nlmsg_get_payload_len(nlh))
            mnl_attr_parse(nlh, static_cast<unsigned>(offset), extack_attr, &reply->extack);
    }
    errno = -err->error;
    return MNL_CB_ERROR;
}

// The kernel's rule_find(): which rule a delete with `want`'s selector removes.
// Absent fields are wildcards; the priority is always given; our tag always matches.
bool delete_would_match(const KernelRule& k, const RuleObject& want, std::uint8_t protocol) {
    const RuleObject& r = k.rule;
    auto effective_mask = [](const RuleObject& o) -> std::uint32_t {
        if (o.fwmask)
            return *o.fwmask;
        return o.fwmark && *o.fwmark != 0 ? 0xffffffffu : 0;
    };
    auto prefix_matches = [](const std::optional<IpPrefix>& have, const std::optional<IpPrefix>& w) {
        if (!w || w->length == 0)
            return true;
        return have && *have == *w;
    };
    if (k.protocol != protocol || r.family != want.family || r.action != want.action ||
        r.priority != want.priority)
        return false;
    if (want.table != 0 && r.table != want.table)
        return false;
    if (want.iif && r.iif != want.iif)
        return false;
    if (want.oif && r.oif != want.oif)
        return false;
    if (want.fwmark && *want.fwmark != 0 && r.fwmark != want.fwmark)
        return false;
    if (effective_mask(want) != 0 && effective_mask(r) != effective_mask(want))
        return false;
    return prefix_matches(r.from, want.from) && prefix_matches(r.to, want.to);
}

// How the kernel stores what we asked for: a mask of all ones with a mark is the
// default, a /0 prefix is "all". Lets a dumped rule be compared with an object.
RuleObject as_kernel_stores(RuleObject r) {
    if (r.fwmark && *r.fwmark != 0 && r.fwmask == 0xffffffffu)
        r.fwmask.reset();
    if (r.from && r.from->length == 0)
        r.from.reset();
    if (r.to && r.to->length == 0)
        r.to.reset();
    return r;
}

RouteObject as_kernel_stores(RouteObject r, const RouteObject& present) {
    if (!r.dev)
        r.dev = present.dev;  // resolved from the gateway
    if (r.destination.family() == Family::v6 && r.metric == 0)
        r.metric = 1024;
    return r;
}

bool is_not_found(int err) { return err == ENOENT || err == ESRCH; }

ActionResult result(ActionResult::Status status, std::string message = {}) {
    return {status, std::move(message), 0};
}

}  // namespace

bool kernel_rule_matches(const RuleObject& wanted, const RuleObject& present) {
    return as_kernel_stores(wanted) == as_kernel_stores(present);
}

bool kernel_route_matches(const RouteObject& wanted, const RouteObject& present) {
    return as_kernel_stores(wanted, present) == present;
}

NetlinkRoutes::NetlinkRoutes(std::uint8_t protocol) : protocol_(protocol) {}

NetlinkRoutes::~NetlinkRoutes() { close_socket(); }

void NetlinkRoutes::close_socket() {
    if (socket_)
        mnl_socket_close(socket_);
    socket_ = nullptr;
}

int NetlinkRoutes::open_socket() {
    if (socket_)
        return 0;
    mnl_socket* nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
    if (!nl)
        return errno;
    if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
        int e = errno;
        mnl_socket_close(nl);
        return e;
    }
    // Extended acks give the kernel's reason in words; capped acks keep the error
    // reply small. Both are optional (old kernels): failures are ignored.
    int one = 1;
    mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof one);
    mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof one);
    socket_ = nl;
    portid_ = mnl_socket_get_portid(nl);
    buffer_.resize(receive_size);
    return 0;
}

int NetlinkRoutes::transact(void* message, NetlinkReply& reply) {
    if (int e = open_socket(); e != 0)
        return e;
    auto* nlh = static_cast<nlmsghdr*>(message);
    nlh->nlmsg_seq = ++seq_;
    if (mnl_socket_sendto(socket_, nlh, nlh->nlmsg_len) < 0) {
        int e = errno;
        close_socket();
        return e;
    }
    // Only NLMSG_ERROR needs our handler; NLMSG_DONE (type 3, outside the array)
    // keeps libmnl's default, which ends the dump.
    mnl_cb_t control[NLMSG_ERROR + 1] = {};
    control[NLMSG_ERROR] = error_message;
    for (;;) {
        ssize_t n = mnl_socket_recvfrom(socket_, buffer_.data(), buffer_.size());
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            int e = errno;
            close_socket();
            return e;
        }
        errno = 0;
        int rc = mnl_cb_run2(buffer_.data(), static_cast<std::size_t>(n), nlh->nlmsg_seq, portid_,
                             dump_entry, &reply, control, NLMSG_ERROR + 1);
        if (rc == MNL_CB_ERROR) {
            int e = errno != 0 ? errno : EPROTO;
            // Not the kernel's answer (libmnl saw a foreign sequence number or port):
            // the socket may hold stale replies, so the next request opens a new one.
            if (!reply.from_kernel)
                close_socket();
            return e;
        }
        if (rc == MNL_CB_STOP)
            return 0;
    }
}

ActionResult NetlinkRoutes::kernel_error(const char* verb, const Object& object, int err,
                                         const NetlinkReply& reply) const {
    std::string text = fmt::format("{} {}: {}", verb, describe(object), std::strerror(err));
    if (!reply.extack.empty())
        text += fmt::format(" ({})", reply.extack);
    return result(ActionResult::Status::failed, std::move(text));
}

int NetlinkRoutes::dump_rules(std::uint8_t family, std::vector<KernelRule>& out, std::string& error) {
    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_GETRULE, NLM_F_DUMP);
    auto* frh = static_cast<fib_rule_hdr*>(mnl_nlmsg_put_extra_header(nlh, sizeof(fib_rule_hdr)));
    frh->family = family;
    NetlinkReply reply;
    reply.rules = &out;
    int e = transact(nlh, reply);
    if (e != 0)
        error = fmt::format("dump {} rules: {}", family == AF_INET ? "IPv4" : "IPv6", std::strerror(e));
    return e;
}

int NetlinkRoutes::dump_routes(std::uint8_t family, std::vector<KernelRoute>& out, std::string& error) {
    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_GETROUTE, NLM_F_DUMP);
    auto* rtm = static_cast<rtmsg*>(mnl_nlmsg_put_extra_header(nlh, sizeof(rtmsg)));
    rtm->rtm_family = family;
    NetlinkReply reply;
    reply.routes = &out;
    int e = transact(nlh, reply);
    if (e != 0)
        error = fmt::format("dump {} routes: {}", family == AF_INET ? "IPv4" : "IPv6", std::strerror(e));
    return e;
}

ActionResult NetlinkRoutes::add_rule(const RuleObject& rule) {
    const Object object{rule};
    if (rule.action == RuleAction::lookup && rule.table == 0)
        // Table 0 would make the kernel invent a fresh empty table.
        return result(ActionResult::Status::failed, fmt::format("add {}: lookup rule without a table", describe(object)));
    if (rule.priority == 0)
        // Priority 0 is the `lookup local` rule's; anything there breaks local delivery.
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: priority 0 is reserved for the local table rule", describe(object)));
    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    put_rule(nlh, rule, protocol_);
    NetlinkReply reply;
    int e = transact(nlh, reply);
    if (e == EEXIST)
        return result(ActionResult::Status::unchanged);  // rule_exists() compared our tag too
    if (e != 0)
        return kernel_error("add", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::remove_rule(const RuleObject& rule) {
    const Object object{rule};
    std::vector<KernelRule> present;
    std::string dump_error;
    if (int e = dump_rules(af_of(rule.family), present, dump_error); e != 0)
        return result(ActionResult::Status::failed, fmt::format("remove {}: {}", describe(object), dump_error));
    const RuleObject want = as_kernel_stores(rule);
    const KernelRule* first = nullptr;
    for (const auto& k : present)
        if (delete_would_match(k, want, protocol_)) {
            first = &k;
            break;
        }
    if (!first)
        return result(ActionResult::Status::unchanged);
    if (!kernel_rule_matches(want, first->rule))
        return result(ActionResult::Status::failed,
                      fmt::format("remove {}: the kernel would delete {} instead (it matches fields left "
                                  "unset as wildcards); give the rules distinct priorities",
                                  describe(object), describe(Object{first->rule})));

    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_DELRULE, NLM_F_ACK);
    put_rule(nlh, rule, protocol_);
    NetlinkReply reply;
    int e = transact(nlh, reply);
    if (is_not_found(e))
        return result(ActionResult::Status::unchanged);
    if (e != 0)
        return kernel_error("remove", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::add_route(const RouteObject& route) {
    const Object object{route};
    if (route.via && route.via->family != route.destination.family())
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: gateway and destination are of different families", describe(object)));
    unsigned ifindex = 0;
    if (route.dev) {
        ifindex = if_nametoindex(route.dev->str().c_str());
        if (ifindex == 0)
            return result(ActionResult::Status::failed,
                          fmt::format("add {}: no such interface '{}'", describe(object), route.dev->str()));
    }
    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
    put_route(nlh, route, protocol_, ifindex, false);
    NetlinkReply reply;
    int e = transact(nlh, reply);
    if (e == EEXIST) {
        // Same destination, table and metric (and TOS) taken: by our identical
        // route (fine) or by someone else's / a different one of ours (a conflict
        // hookctl must not overwrite).
        std::vector<KernelRoute> present;
        std::string dump_error;
        if (dump_routes(af_of(route.destination.family()), present, dump_error) == 0)
            for (const auto& k : present)
                if (k.protocol == protocol_ && kernel_route_matches(route, k.route))
                    return result(ActionResult::Status::unchanged);
        return result(ActionResult::Status::failed,
                      fmt::format("add {}: {} (a route to {} with metric {} in table {} exists and is not "
                                  "this hookctl route)",
                                  describe(object), std::strerror(e), route.destination.to_string(),
                                  route.metric, route.table));
    }
    if (e != 0)
        return kernel_error("add", object, e, reply);
    return result(ActionResult::Status::done);
}

ActionResult NetlinkRoutes::remove_route(const RouteObject& route) {
    const Object object{route};
    unsigned ifindex = 0;
    if (route.dev) {
        ifindex = if_nametoindex(route.dev->str().c_str());
        // The interface is gone, and with it every route through it.
        if (ifindex == 0)
            return result(ActionResult::Status::unchanged, fmt::format("interface '{}' is gone", route.dev->str()));
    }
    alignas(nlmsghdr) char buf[request_size] = {};
    nlmsghdr* nlh = start_request(buf, RTM_DELROUTE, NLM_F_ACK);
    put_route(nlh, route, protocol_, ifindex, true);
    NetlinkReply reply;
    int e = transact(nlh, reply);
    if (is_not_found(e))
        return result(ActionResult::Status::unchanged);
    if (e != 0)
        return kernel_error("remove", object, e, reply);
    return result(ActionResult::Status::done);
}

std::vector<RuleObject> NetlinkRoutes::list_owned_rules() {
    std::vector<RuleObject> owned;
    for (std::uint8_t family : {AF_INET, AF_INET6}) {
        std::vector<KernelRule> present;
        std::string error;
        if (dump_rules(family, present, error) != 0)
            throw Error(error);
        for (auto& k : present)
            if (k.protocol == protocol_)
                owned.push_back(std::move(k.rule));
    }
    return owned;
}

std::vector<RouteObject> NetlinkRoutes::list_owned_routes() {
    std::vector<RouteObject> owned;
    for (std::uint8_t family : {AF_INET, AF_INET6}) {
        std::vector<KernelRoute> present;
        std::string error;
        if (dump_routes(family, present, error) != 0)
            throw Error(error);
        for (auto& k : present)
            if (k.protocol == protocol_)
                owned.push_back(std::move(k.route));
    }
    return owned;
}

}  // namespace hookctl
