// rtnetlink encoding and decoding; see netlink_codec.hpp. Only the kernel's UAPI
// headers: the layout rules (4-byte alignment of messages and attributes, nla_len
// covering header and payload but not padding) are those of netlink(7).
#include "netlink_codec.hpp"

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <algorithm>
#include <cstring>
#include <initializer_list>

namespace hookctl::netlink {

namespace {

constexpr std::size_t align4(std::size_t n) {
    return (n + 3) & ~std::size_t{3};
}

std::uint8_t af_of(Family f) {
    return f == Family::v4 ? AF_INET : AF_INET6;
}
std::size_t address_length(Family f) {
    return f == Family::v4 ? 4 : 16;
}

std::optional<Family> family_of(std::uint8_t af) {
    if (af == AF_INET) return Family::v4;
    if (af == AF_INET6) return Family::v6;
    return std::nullopt;
}

// The header's one-byte table field; tables >= 256 travel only as an attribute.
std::uint8_t header_table(std::uint32_t table) {
    return table < 256 ? static_cast<std::uint8_t>(table) : std::uint8_t{RT_TABLE_UNSPEC};
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

template <class E, std::size_t N>
std::optional<E> from_kernel_number(const std::pair<E, std::uint8_t> (&table)[N],
                                    std::uint8_t number) {
    for (const auto& [e, n] : table)
        if (n == number) return e;
    return std::nullopt;
}

std::optional<IpPrefix> prefix_of(const Attributes& a, std::uint16_t type, Family family,
                                  std::uint8_t length) {
    if (length == 0) return std::nullopt;
    auto address = a.address(type, family);
    if (!address || length > address->bit_length()) return std::nullopt;
    return IpPrefix{*address, length};
}

// The fixed header of a message of one of `types`, copied out (the message buffer
// need not be aligned for T); nullopt for another type or a message too short.
template <class T>
std::optional<T> fixed_header(const nlmsghdr* message, std::initializer_list<std::uint16_t> types) {
    if (std::find(types.begin(), types.end(), message->nlmsg_type) == types.end() ||
        message->nlmsg_len < NLMSG_HDRLEN + sizeof(T))
        return std::nullopt;
    T fixed;
    std::memcpy(&fixed, reinterpret_cast<const std::uint8_t*>(message) + NLMSG_HDRLEN,
                sizeof fixed);
    return fixed;
}

// How the kernel stores what we asked for: a mask of all ones with a mark is the
// default. Lets a dumped rule be compared with an object.
RuleObject as_kernel_stores(RuleObject r) {
    if (r.fwmark && *r.fwmark != 0 && r.fwmask == 0xffffffffu) r.fwmask.reset();
    if (r.from && r.from->length == 0) r.from.reset();
    if (r.to && r.to->length == 0) r.to.reset();
    return r;
}

RouteObject as_kernel_stores(RouteObject r, const RouteObject& present) {
    if (!r.dev) r.dev = present.dev;  // resolved from the gateway
    if (r.destination.family() == Family::v6 && r.metric == 0) r.metric = 1024;
    return r;
}

// Selectors of a rule that RuleObject cannot express. The kernel dumps
// FRA_SUPPRESS_PREFIXLEN always (-1 when unset) and FRA_SUPPRESS_IFGROUP only when
// set (upstream net/core/fib_rules.c fib_nl_fill_rule).
bool has_other_selectors(const fib_rule_hdr& frh, const Attributes& a) {
    constexpr std::uint32_t unset = 0xffffffffu;
    if ((frh.flags & FIB_RULE_INVERT) || frh.tos != 0) return true;
    if (a.u32(FRA_SUPPRESS_PREFIXLEN).value_or(unset) != unset) return true;
    if (a.u32(FRA_SUPPRESS_IFGROUP).value_or(unset) != unset) return true;
    if (a.u8(FRA_L3MDEV).value_or(0) != 0) return true;
    for (const std::uint16_t type :
         {std::uint16_t{FRA_UID_RANGE}, std::uint16_t{FRA_IP_PROTO}, std::uint16_t{FRA_SPORT_RANGE},
          std::uint16_t{FRA_DPORT_RANGE}, std::uint16_t{FRA_TUN_ID}})
        if (a.get(type)) return true;
    return false;
}

}  // namespace

// ---- building -----------------------------------------------------------------

Message::Message(std::uint16_t type, std::uint16_t flags) : buffer_(sizeof(nlmsghdr) / 4, 0) {
    nlmsghdr* h = header();
    h->nlmsg_len = sizeof(nlmsghdr);
    h->nlmsg_type = type;
    h->nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | flags);
}

nlmsghdr* Message::header() {
    return reinterpret_cast<nlmsghdr*>(buffer_.data());
}

std::size_t Message::size() const {
    return reinterpret_cast<const nlmsghdr*>(buffer_.data())->nlmsg_len;
}

void* Message::append(std::size_t length) {
    const std::size_t offset = header()->nlmsg_len;
    const std::size_t end = offset + align4(length);
    buffer_.resize(end / 4, 0);
    header()->nlmsg_len = static_cast<std::uint32_t>(end);
    return reinterpret_cast<std::uint8_t*>(buffer_.data()) + offset;
}

void Message::put_attr(std::uint16_t type, const void* data, std::size_t length) {
    auto* at = static_cast<std::uint8_t*>(append(sizeof(nlattr) + length));
    nlattr a{};
    a.nla_len = static_cast<std::uint16_t>(sizeof(nlattr) + length);
    a.nla_type = type;
    std::memcpy(at, &a, sizeof a);
    if (length) std::memcpy(at + sizeof(nlattr), data, length);
}

void Message::put_address(std::uint16_t type, const IpAddress& a) {
    put_attr(type, a.bytes.data(), address_length(a.family));
}

Message rule_request(std::uint16_t type, std::uint16_t flags, const RuleObject& rule,
                     std::uint8_t protocol) {
    Message m(type, flags);
    fib_rule_hdr frh{};
    frh.family = af_of(rule.family);
    frh.action = kernel_number(rule_actions, rule.action);
    frh.table = header_table(rule.table);
    if (rule.from && rule.from->length > 0) frh.src_len = rule.from->length;
    if (rule.to && rule.to->length > 0) frh.dst_len = rule.to->length;
    m.put_header(frh);
    if (frh.src_len) m.put_address(FRA_SRC, rule.from->network);
    if (frh.dst_len) m.put_address(FRA_DST, rule.to->network);
    if (rule.iif) m.put_string(FRA_IIFNAME, rule.iif->str());
    if (rule.oif) m.put_string(FRA_OIFNAME, rule.oif->str());
    if (rule.fwmark) m.put_u32(FRA_FWMARK, *rule.fwmark);
    if (rule.fwmask) m.put_u32(FRA_FWMASK, *rule.fwmask);
    // Always explicit: without it the kernel picks "one below the first rule"
    // and every reconnect would add another copy (the bug of plain `ip rule add`).
    m.put_u32(FRA_PRIORITY, rule.priority);
    if (rule.table != 0) m.put_u32(FRA_TABLE, rule.table);
    m.put_u8(FRA_PROTOCOL, protocol);
    return m;
}

Message route_request(std::uint16_t type, std::uint16_t flags, const RouteObject& route,
                      std::uint8_t protocol, unsigned ifindex, bool for_delete) {
    Message m(type, flags);
    rtmsg rtm{};
    rtm.rtm_family = af_of(route.destination.family());
    rtm.rtm_dst_len = route.destination.length;
    rtm.rtm_table = header_table(route.table);
    rtm.rtm_protocol = protocol;
    rtm.rtm_type = kernel_number(route_types, route.type);
    if (for_delete)
        rtm.rtm_scope = RT_SCOPE_NOWHERE;
    else if (route.type == RouteType::unicast && !route.via &&
             route.destination.family() == Family::v4)
        rtm.rtm_scope = RT_SCOPE_LINK;  // on-link: no gateway to resolve through
    else
        rtm.rtm_scope = RT_SCOPE_UNIVERSE;
    m.put_header(rtm);
    m.put_u32(RTA_TABLE, route.table);
    if (route.destination.length > 0) m.put_address(RTA_DST, route.destination.network);
    if (route.via) m.put_address(RTA_GATEWAY, *route.via);
    if (ifindex != 0) m.put_u32(RTA_OIF, ifindex);
    m.put_u32(RTA_PRIORITY, route.metric);
    return m;
}

Message dump_request(std::uint16_t type, std::optional<Family> family,
                     std::uint8_t route_protocol) {
    Message m(type, NLM_F_DUMP);
    // fib_rule_hdr and rtmsg both start with the family byte and have the same size.
    static_assert(sizeof(fib_rule_hdr) == sizeof(rtmsg));
    rtmsg rtm{};
    rtm.rtm_family = family ? af_of(*family) : AF_UNSPEC;
    // fib_rule_hdr has a reserved byte there, which a strict kernel wants zero.
    if (type == RTM_GETROUTE) rtm.rtm_protocol = route_protocol;
    m.put_header(rtm);
    return m;
}

// ---- reading -------------------------------------------------------------------

const Attributes::View* Attributes::get(std::uint16_t type) const {
    if (type >= by_type.size() || !by_type[type].data) return nullptr;
    return &by_type[type];
}

std::optional<std::uint8_t> Attributes::u8(std::uint16_t type) const {
    const View* v = get(type);
    if (!v || v->length < 1) return std::nullopt;
    return v->data[0];
}

std::optional<std::uint32_t> Attributes::u32(std::uint16_t type) const {
    const View* v = get(type);
    if (!v || v->length < 4) return std::nullopt;
    std::uint32_t x;
    std::memcpy(&x, v->data, 4);
    return x;
}

std::optional<std::string> Attributes::string(std::uint16_t type) const {
    const View* v = get(type);
    if (!v || v->length == 0 || v->data[v->length - 1] != '\0') return std::nullopt;
    return std::string(reinterpret_cast<const char*>(v->data), v->length - 1);
}

std::optional<IpAddress> Attributes::address(std::uint16_t type, Family family) const {
    const View* v = get(type);
    if (!v || v->length != address_length(family)) return std::nullopt;
    IpAddress a;
    a.family = family;
    std::memcpy(a.bytes.data(), v->data, v->length);
    return a;
}

std::optional<Attributes> parse_attributes(const nlmsghdr* message, std::size_t fixed_header,
                                           std::uint16_t max_type) {
    const std::size_t total = message->nlmsg_len;
    std::size_t offset = NLMSG_HDRLEN + align4(fixed_header);
    if (total < offset) return std::nullopt;
    const auto* base = reinterpret_cast<const std::uint8_t*>(message);
    Attributes out;
    out.by_type.resize(std::size_t{max_type} + 1);
    while (offset + sizeof(nlattr) <= total) {
        nlattr a;
        std::memcpy(&a, base + offset, sizeof a);
        if (a.nla_len < sizeof(nlattr) || offset + a.nla_len > total) return std::nullopt;
        const std::uint16_t type = a.nla_type & NLA_TYPE_MASK;
        if (type <= max_type)
            out.by_type[type] = {base + offset + sizeof(nlattr), a.nla_len - sizeof(nlattr)};
        offset += align4(a.nla_len);
    }
    return out;
}

std::optional<Reply> parse_error(const nlmsghdr* message) {
    if (message->nlmsg_type != NLMSG_ERROR || message->nlmsg_len < NLMSG_HDRLEN + sizeof(nlmsgerr))
        return std::nullopt;
    nlmsgerr err;
    std::memcpy(&err, reinterpret_cast<const std::uint8_t*>(message) + NLMSG_HDRLEN, sizeof err);
    Reply r;
    r.error = -err.error;
    if (r.error != 0 && (message->nlmsg_flags & NLM_F_ACK_TLVS)) {
        // The extended-ack attributes follow the copy of our request: its header
        // only (NLM_F_CAPPED) or the whole of it.
        std::size_t fixed = sizeof(nlmsgerr);
        if (!(message->nlmsg_flags & NLM_F_CAPPED)) fixed += err.msg.nlmsg_len - NLMSG_HDRLEN;
        if (auto attrs = parse_attributes(message, fixed, NLMSGERR_ATTR_MAX))
            if (auto text = attrs->string(NLMSGERR_ATTR_MSG)) r.extack = *text;
    }
    return r;
}

std::optional<KernelRule> parse_rule(const nlmsghdr* message) {
    const auto header = fixed_header<fib_rule_hdr>(message, {RTM_NEWRULE});
    if (!header) return std::nullopt;
    const fib_rule_hdr& frh = *header;
    const auto attrs = parse_attributes(message, sizeof frh, FRA_MAX);
    const auto family = family_of(frh.family);
    const auto action = from_kernel_number(rule_actions, frh.action);
    if (!attrs || !family || !action) return std::nullopt;

    KernelRule k;
    k.protocol = attrs->u8(FRA_PROTOCOL).value_or(0);
    RuleObject& r = k.rule;
    r.family = *family;
    r.action = *action;
    r.priority = attrs->u32(FRA_PRIORITY).value_or(0);
    r.table = attrs->u32(FRA_TABLE).value_or(frh.table);
    r.from = prefix_of(*attrs, FRA_SRC, *family, frh.src_len);
    r.to = prefix_of(*attrs, FRA_DST, *family, frh.dst_len);
    // A selector the kernel has but we cannot read is not "all": not one of ours.
    if ((frh.src_len && !r.from) || (frh.dst_len && !r.to)) return std::nullopt;
    try {
        if (auto name = attrs->string(FRA_IIFNAME))
            r.iif = parse_interface_name(*name, "kernel iif");
        if (auto name = attrs->string(FRA_OIFNAME))
            r.oif = parse_interface_name(*name, "kernel oif");
    } catch (const Error&) {
        return std::nullopt;
    }
    r.fwmark = attrs->u32(FRA_FWMARK);
    k.other_selectors = has_other_selectors(frh, *attrs);
    // A mark given without a mask gets mask 0xffffffff in the kernel; report that
    // as "no mask" so a rule read back equals the object that created it.
    const auto mask = attrs->u32(FRA_FWMASK);
    if (mask && !(r.fwmark && *mask == 0xffffffffu)) r.fwmask = mask;
    return k;
}

std::optional<KernelRoute> parse_route(
    const nlmsghdr* message,
    const std::function<std::optional<InterfaceName>(unsigned)>& interface_name) {
    const auto header = fixed_header<rtmsg>(message, {RTM_NEWROUTE});
    if (!header) return std::nullopt;
    const rtmsg& rtm = *header;
    // Cached clones are not routes anyone added; source-specific routes are not
    // something hookctl creates (RouteObject has no source).
    if ((rtm.rtm_flags & RTM_F_CLONED) || rtm.rtm_src_len != 0) return std::nullopt;
    const auto attrs = parse_attributes(message, sizeof rtm, RTA_MAX);
    const auto family = family_of(rtm.rtm_family);
    const auto type = from_kernel_number(route_types, rtm.rtm_type);
    if (!attrs || !family || !type) return std::nullopt;

    KernelRoute k;
    k.protocol = rtm.rtm_protocol;
    RouteObject& r = k.route;
    r.destination.network.family = *family;
    r.destination.length = rtm.rtm_dst_len;
    if (rtm.rtm_dst_len > 0) {
        auto dst = prefix_of(*attrs, RTA_DST, *family, rtm.rtm_dst_len);
        if (!dst) return std::nullopt;
        r.destination = *dst;
    }
    r.via = attrs->address(RTA_GATEWAY, *family);
    if (auto oif = attrs->u32(RTA_OIF); oif && *oif != 0) r.dev = interface_name(*oif);
    r.table = attrs->u32(RTA_TABLE).value_or(rtm.rtm_table);
    r.metric = attrs->u32(RTA_PRIORITY).value_or(0);
    r.type = *type;
    return k;
}

Message link_dump_request() {
    Message m(RTM_GETLINK, NLM_F_DUMP);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    m.put_header(ifi);
    return m;
}

Message address_dump_request() {
    Message m(RTM_GETADDR, NLM_F_DUMP);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_UNSPEC;
    m.put_header(ifa);
    return m;
}

std::optional<KernelLink> parse_link(const nlmsghdr* message) {
    const auto header = fixed_header<ifinfomsg>(message, {RTM_NEWLINK, RTM_DELLINK});
    if (!header) return std::nullopt;
    const ifinfomsg& ifi = *header;
    const auto attrs = parse_attributes(message, sizeof ifi, IFLA_MAX);
    if (!attrs || ifi.ifi_index <= 0) return std::nullopt;
    KernelLink l;
    l.index = static_cast<unsigned>(ifi.ifi_index);
    l.name = attrs->string(IFLA_IFNAME).value_or("");
    l.up = (ifi.ifi_flags & IFF_UP) != 0;
    l.lower_up = (ifi.ifi_flags & IFF_LOWER_UP) != 0;
    l.master = attrs->u32(IFLA_MASTER).value_or(0);
    if (const auto* info = attrs->get(IFLA_LINKINFO)) {
        // A nested attribute: its payload is attributes again.
        std::size_t offset = 0;
        while (offset + sizeof(nlattr) <= info->length) {
            nlattr a;
            std::memcpy(&a, info->data + offset, sizeof a);
            if (a.nla_len < sizeof(nlattr) || offset + a.nla_len > info->length) break;
            if ((a.nla_type & NLA_TYPE_MASK) == IFLA_INFO_KIND) {
                const auto* text = reinterpret_cast<const char*>(info->data + offset + sizeof a);
                l.kind.assign(text, strnlen(text, a.nla_len - sizeof a));
            }
            offset += align4(a.nla_len);
        }
    }
    return l;
}

std::optional<KernelAddressMessage> parse_address(const nlmsghdr* message) {
    const auto header = fixed_header<ifaddrmsg>(message, {RTM_NEWADDR, RTM_DELADDR});
    if (!header) return std::nullopt;
    const ifaddrmsg& ifa = *header;
    const auto attrs = parse_attributes(message, sizeof ifa, IFA_MAX);
    const auto family = family_of(ifa.ifa_family);
    if (!attrs || !family || ifa.ifa_index == 0) return std::nullopt;
    // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer's on a
    // point-to-point link and the same as IFA_LOCAL elsewhere (IPv6 sends only it).
    auto address = attrs->address(IFA_LOCAL, *family);
    if (!address) address = attrs->address(IFA_ADDRESS, *family);
    if (!address || ifa.ifa_prefixlen > address->bit_length()) return std::nullopt;
    KernelAddressMessage m;
    m.index = ifa.ifa_index;
    m.scope = ifa.ifa_scope;
    KernelAddress& a = m.address;
    a.address = InterfaceAddress{*address, ifa.ifa_prefixlen};
    const std::uint32_t flags = attrs->u32(IFA_FLAGS).value_or(ifa.ifa_flags);
    a.tentative = (flags & IFA_F_TENTATIVE) != 0;
    a.deprecated = (flags & IFA_F_DEPRECATED) != 0;
    a.dadfailed = (flags & IFA_F_DADFAILED) != 0;
    a.temporary = (flags & IFA_F_TEMPORARY) != 0;
    a.mngtmpaddr = (flags & IFA_F_MANAGETEMPADDR) != 0;
    a.permanent = (flags & IFA_F_PERMANENT) != 0;
    a.preferred = a.valid = Lifetime{Lifetime::infinite};
    if (const auto* v = attrs->get(IFA_CACHEINFO); v && v->length >= sizeof(ifa_cacheinfo)) {
        ifa_cacheinfo ci;
        std::memcpy(&ci, v->data, sizeof ci);
        a.preferred = Lifetime{ci.ifa_prefered};  // INFINITY_LIFE_TIME = 0xffffffff
        a.valid = Lifetime{ci.ifa_valid};
    }
    return m;
}

// ---- matching ------------------------------------------------------------------

bool kernel_rule_matches(const RuleObject& wanted, const RuleObject& present) {
    return as_kernel_stores(wanted) == as_kernel_stores(present);
}

bool kernel_route_matches(const RouteObject& wanted, const RouteObject& present) {
    return as_kernel_stores(wanted, present) == present;
}

bool delete_would_match(const KernelRule& k, const RuleObject& want_in, std::uint8_t protocol) {
    const RuleObject want = as_kernel_stores(want_in);
    const RuleObject& r = k.rule;
    auto effective_mask = [](const RuleObject& o) -> std::uint32_t {
        if (o.fwmask) return *o.fwmask;
        return o.fwmark && *o.fwmark != 0 ? 0xffffffffu : 0;
    };
    auto prefix_matches = [](const std::optional<IpPrefix>& have,
                             const std::optional<IpPrefix>& w) {
        if (!w || w->length == 0) return true;
        return have && *have == *w;
    };
    if (k.protocol != protocol || r.family != want.family || r.action != want.action ||
        r.priority != want.priority)
        return false;
    if (want.table != 0 && r.table != want.table) return false;
    if (want.iif && r.iif != want.iif) return false;
    if (want.oif && r.oif != want.oif) return false;
    if (want.fwmark && *want.fwmark != 0 && r.fwmark != want.fwmark) return false;
    if (effective_mask(want) != 0 && effective_mask(r) != effective_mask(want)) return false;
    return prefix_matches(r.from, want.from) && prefix_matches(r.to, want.to);
}

}  // namespace hookctl::netlink
