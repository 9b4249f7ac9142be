// The rtnetlink codec without a socket: requests byte for byte, kernel replies
// (well-formed and damaged) read back into objects, the kernel's normal forms, and
// which rule a delete would hit. tests/netns/rules_routes.sh checks the same
// requests against the real kernel.
#include "netlink_codec.hpp"

#include <fmt/format.h>
#include <catch2/catch.hpp>

#include <linux/fib_rules.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <cstring>
#include <functional>

using namespace hookctl;
using namespace hookctl::netlink;

namespace {

IpPrefix pfx(const char* s) {
    return parse_prefix(s, "test");
}
IpAddress addr(const char* s) {
    return parse_address(s, "test");
}
InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}

std::string hex(const Message& m) {
    std::string out;
    const auto* p = static_cast<const std::uint8_t*>(m.data());
    for (std::size_t i = 0; i < m.size(); ++i) out += fmt::format("{:02x}", p[i]);
    return out;
}

RuleObject v6_rule() {
    RuleObject r;
    r.family = Family::v6;
    r.priority = 10000;
    r.from = pfx("2001:db8:1::/64");
    r.table = 199;
    return r;
}

// A request turned into what a dump returns: same body, the kernel's message type.
const nlmsghdr* as_reply(Message& m, std::uint16_t type) {
    m.header()->nlmsg_type = type;
    m.header()->nlmsg_flags = NLM_F_MULTI;
    return m.header();
}

std::optional<InterfaceName> no_names(unsigned) {
    return std::nullopt;
}

}  // namespace

TEST_CASE(
    "rule_request: the bytes of `ip -6 rule add from 2001:db8:1::/64 pref 10000 lookup 199 proto 211`",
    "[netlink]") {
    Message m = rule_request(RTM_NEWRULE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, v6_rule(), 211);
    CHECK(m.size() == 72);
    CHECK(
        hex(m) ==
        // nlmsghdr: len 72, RTM_NEWRULE, REQUEST|ACK|EXCL|CREATE, seq 0, pid 0
        "48000000"
        "2000"
        "0506"
        "00000000"
        "00000000"
        // fib_rule_hdr: AF_INET6, dst_len 0, src_len 64, tos 0, table 199, res, action TO_TBL, flags 0
        "0a"
        "00"
        "40"
        "00"
        "c7"
        "00"
        "00"
        "01"
        "00000000"
        // FRA_SRC 2001:db8:1::
        "1400"
        "0200"
        "20010db8000100000000000000000000"
        // FRA_PRIORITY 10000, FRA_TABLE 199
        "0800"
        "0600"
        "10270000"
        "0800"
        "0f00"
        "c7000000"
        // FRA_PROTOCOL 211, padded to 4 bytes
        "0500"
        "1500"
        "d3000000");
}

TEST_CASE("rule_request: a table above 255 travels only as FRA_TABLE; /0 selectors are left out",
          "[netlink]") {
    RuleObject r;
    r.family = Family::v4;
    r.priority = 100;
    r.to = pfx("0.0.0.0/0");
    r.table = 1000;
    Message m = rule_request(RTM_NEWRULE, 0, r, 211);
    const auto* frh = reinterpret_cast<const fib_rule_hdr*>(
        static_cast<const std::uint8_t*>(m.data()) + NLMSG_HDRLEN);
    CHECK(frh->table == RT_TABLE_UNSPEC);
    CHECK(frh->dst_len == 0);
    const auto attrs = parse_attributes(m.header(), sizeof(fib_rule_hdr), FRA_MAX);
    REQUIRE(attrs);
    CHECK(attrs->u32(FRA_TABLE) == 1000u);
    CHECK(attrs->get(FRA_DST) == nullptr);
}

TEST_CASE("a rule read back from a dump equals the object that made it", "[netlink]") {
    RuleObject r = v6_rule();
    r.iif = ifn("int0");
    r.oif = ifn("ppp0");
    r.fwmark = 0x10;
    r.fwmask = 0xff;
    Message m = rule_request(RTM_NEWRULE, 0, r, 211);
    const auto k = parse_rule(as_reply(m, RTM_NEWRULE));
    REQUIRE(k);
    CHECK(k->protocol == 211);
    CHECK(k->rule == r);
}

TEST_CASE("parse_rule: what hookctl cannot represent or read is not a rule of ours", "[netlink]") {
    SECTION("a goto rule") {
        RuleObject r = v6_rule();
        Message m = rule_request(RTM_NEWRULE, 0, r, 211);
        auto* frh = reinterpret_cast<fib_rule_hdr*>(reinterpret_cast<std::uint8_t*>(m.header()) +
                                                    NLMSG_HDRLEN);
        frh->action = FR_ACT_GOTO;
        CHECK_FALSE(parse_rule(as_reply(m, RTM_NEWRULE)));
    }
    SECTION("a source length without the address is not \"from all\"") {
        RuleObject r = v6_rule();
        r.from.reset();
        Message m = rule_request(RTM_NEWRULE, 0, r, 211);
        auto* frh = reinterpret_cast<fib_rule_hdr*>(reinterpret_cast<std::uint8_t*>(m.header()) +
                                                    NLMSG_HDRLEN);
        frh->src_len = 64;
        CHECK_FALSE(parse_rule(as_reply(m, RTM_NEWRULE)));
    }
    SECTION("an attribute longer than the message") {
        Message m = rule_request(RTM_NEWRULE, 0, v6_rule(), 211);
        auto* first = reinterpret_cast<nlattr*>(reinterpret_cast<std::uint8_t*>(m.header()) +
                                                NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(fib_rule_hdr)));
        first->nla_len = 200;
        CHECK_FALSE(parse_rule(as_reply(m, RTM_NEWRULE)));
    }
    SECTION("another message type") {
        Message m = rule_request(RTM_NEWRULE, 0, v6_rule(), 211);
        CHECK_FALSE(parse_rule(as_reply(m, RTM_NEWROUTE)));
    }
    SECTION("a hostile interface name") {
        Message m(RTM_NEWRULE, 0);
        fib_rule_hdr frh{};
        frh.family = AF_INET6;
        frh.action = FR_ACT_TO_TBL;
        m.put_header(frh);
        m.put_string(FRA_IIFNAME, "../etc");
        m.put_u32(FRA_PRIORITY, 5);
        CHECK_FALSE(parse_rule(as_reply(m, RTM_NEWRULE)));
    }
}

TEST_CASE("parse_rule: selectors RuleObject cannot say mark the rule as not plain", "[netlink]") {
    // `ip rule` dumps of the builtin `from all lookup main`: FRA_SUPPRESS_PREFIXLEN is
    // always there, -1 when unset.
    auto main_rule = [](auto&& extra) {
        Message m(RTM_NEWRULE, 0);
        fib_rule_hdr frh{};
        frh.family = AF_INET;
        frh.action = FR_ACT_TO_TBL;
        frh.table = RT_TABLE_MAIN;
        extra(frh);
        m.put_header(frh);
        m.put_u32(FRA_PRIORITY, 32766);
        m.put_u32(FRA_TABLE, RT_TABLE_MAIN);
        m.put_u32(FRA_SUPPRESS_PREFIXLEN, 0xffffffffu);
        return m;
    };
    struct Case {
        const char* what;
        bool other;
        std::function<void(Message&)> attrs;
        std::function<void(fib_rule_hdr&)> header;
    };
    const auto none = [](Message&) {};
    const auto plain = [](fib_rule_hdr&) {};
    const Case cases[] = {
        {"from all lookup main", false, none, plain},
        {"suppress_prefixlength 0", true, [](Message& m) { m.put_u32(FRA_SUPPRESS_PREFIXLEN, 0); },
         plain},
        {"uidrange", true, [](Message& m) { m.put_attr(FRA_UID_RANGE, "\0\0\0\0\1\0\0\0", 8); },
         plain},
        {"ipproto udp", true, [](Message& m) { m.put_u8(FRA_IP_PROTO, 17); }, plain},
        {"tos 0x10", true, none, [](fib_rule_hdr& h) { h.tos = 0x10; }},
        {"not (FIB_RULE_INVERT)", true, none, [](fib_rule_hdr& h) { h.flags |= FIB_RULE_INVERT; }},
    };
    for (const auto& c : cases) {
        Message m = main_rule(c.header);
        c.attrs(m);
        const auto k = parse_rule(as_reply(m, RTM_NEWRULE));
        INFO(c.what);
        REQUIRE(k);
        CHECK(k->rule.table == 254);
        CHECK(k->other_selectors == c.other);
    }
}

TEST_CASE("parse_link: the bridge an interface is a port of, and the link kind", "[netlink]") {
    Message m(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_family = AF_UNSPEC;
    ifi.ifi_index = 7;
    m.put_header(ifi);
    m.put_string(IFLA_IFNAME, "wan0");
    m.put_u32(IFLA_MASTER, 3);
    // IFLA_LINKINFO { IFLA_INFO_KIND "veth" }: a nested attribute, 4 + 5 bytes + padding.
    const std::uint8_t linkinfo[] = {9, 0, IFLA_INFO_KIND, 0, 'v', 'e', 't', 'h', 0, 0, 0, 0};
    m.put_attr(IFLA_LINKINFO, linkinfo, sizeof linkinfo);
    const auto l = parse_link(as_reply(m, RTM_NEWLINK));
    REQUIRE(l);
    CHECK(l->index == 7);
    CHECK(l->name == "wan0");
    CHECK(l->master == 3);
    CHECK(l->kind == "veth");

    Message bare(RTM_NEWLINK, 0);
    ifi.ifi_index = 2;
    bare.put_header(ifi);
    bare.put_string(IFLA_IFNAME, "eth0");
    const auto b = parse_link(as_reply(bare, RTM_NEWLINK));
    REQUIRE(b);
    CHECK(b->master == 0);
    CHECK(b->kind.empty());
}

TEST_CASE("route_request and parse_route round-trip; the device comes from the index",
          "[netlink]") {
    RouteObject r;
    r.destination = pfx("2001:db8:ff::/48");
    r.via = addr("2001:db8::1");
    r.dev = ifn("wan0");
    r.table = 199;
    r.metric = 4096;
    Message m = route_request(RTM_NEWROUTE, NLM_F_CREATE, r, 211, 7, false);
    const auto attrs = parse_attributes(m.header(), sizeof(rtmsg), RTA_MAX);
    REQUIRE(attrs);
    CHECK(attrs->u32(RTA_OIF) == 7u);
    CHECK(attrs->u32(RTA_PRIORITY) == 4096u);
    const auto k =
        parse_route(as_reply(m, RTM_NEWROUTE), [](unsigned index) -> std::optional<InterfaceName> {
            if (index == 7) return ifn("wan0");
            return std::nullopt;
        });
    REQUIRE(k);
    CHECK(k->protocol == 211);
    CHECK(k->route == r);
}

TEST_CASE("route_request: scope link for an on-link IPv4 route, NOWHERE for a delete",
          "[netlink]") {
    RouteObject r;
    r.destination = pfx("192.0.2.0/24");
    r.dev = ifn("lan0");
    auto scope = [](const Message& m) {
        return reinterpret_cast<const rtmsg*>(static_cast<const std::uint8_t*>(m.data()) +
                                              NLMSG_HDRLEN)
            ->rtm_scope;
    };
    CHECK(scope(route_request(RTM_NEWROUTE, 0, r, 211, 3, false)) == RT_SCOPE_LINK);
    CHECK(scope(route_request(RTM_DELROUTE, 0, r, 211, 3, true)) == RT_SCOPE_NOWHERE);
    r.via = addr("192.0.2.1");
    CHECK(scope(route_request(RTM_NEWROUTE, 0, r, 211, 3, false)) == RT_SCOPE_UNIVERSE);
}

TEST_CASE("parse_route skips cached clones, source routes and local routes", "[netlink]") {
    RouteObject r;
    r.destination = pfx("2001:db8::/32");
    r.type = RouteType::blackhole;
    auto edit = [&](auto change) {
        Message m = route_request(RTM_NEWROUTE, 0, r, 211, 0, false);
        change(
            *reinterpret_cast<rtmsg*>(reinterpret_cast<std::uint8_t*>(m.header()) + NLMSG_HDRLEN));
        return parse_route(as_reply(m, RTM_NEWROUTE), no_names);
    };
    CHECK(edit([](rtmsg&) {}));
    CHECK_FALSE(edit([](rtmsg& h) { h.rtm_flags |= RTM_F_CLONED; }));
    CHECK_FALSE(edit([](rtmsg& h) { h.rtm_src_len = 64; }));
    CHECK_FALSE(edit([](rtmsg& h) { h.rtm_type = RTN_LOCAL; }));
}

TEST_CASE("parse_error: the ACK, an errno, and the kernel's words", "[netlink]") {
    auto error_message = [](int error, const char* extack, bool capped) {
        Message request = rule_request(RTM_NEWRULE, 0, v6_rule(), 211);
        Message m(NLMSG_ERROR, 0);
        nlmsgerr err{};
        err.error = -error;
        std::memcpy(&err.msg, request.header(), sizeof(nlmsghdr));
        m.put_header(err);
        if (!capped) {
            // the rest of the request follows nlmsgerr's copy of its header
            const std::size_t body = request.size() - NLMSG_HDRLEN;
            std::memcpy(m.append(body),
                        static_cast<const std::uint8_t*>(request.data()) + NLMSG_HDRLEN, body);
        }
        if (extack) {
            m.header()->nlmsg_flags |= NLM_F_ACK_TLVS;
            m.put_string(NLMSGERR_ATTR_MSG, extack);
        }
        if (capped) m.header()->nlmsg_flags |= NLM_F_CAPPED;
        return m;
    };
    SECTION("error 0 is the ACK") {
        Message m = error_message(0, nullptr, true);
        const auto r = parse_error(m.header());
        REQUIRE(r);
        CHECK(r->error == 0);
    }
    SECTION("capped, with the kernel's reason") {
        Message m = error_message(EINVAL, "Invalid table", true);
        const auto r = parse_error(m.header());
        REQUIRE(r);
        CHECK(r->error == EINVAL);
        CHECK(r->extack == "Invalid table");
    }
    SECTION("uncapped: the reason follows the whole request") {
        Message m = error_message(EEXIST, "Rule exists", false);
        const auto r = parse_error(m.header());
        REQUIRE(r);
        CHECK(r->error == EEXIST);
        CHECK(r->extack == "Rule exists");
    }
    SECTION("too short to be an error") {
        Message m(NLMSG_ERROR, 0);
        CHECK_FALSE(parse_error(m.header()));
    }
}

TEST_CASE("kernel_rule_matches: a mark without a mask reads back with mask 0xffffffff",
          "[netlink]") {
    RuleObject wanted = v6_rule();
    wanted.fwmark = 0x10;
    RuleObject present = wanted;
    present.fwmask = 0xffffffffu;
    CHECK(kernel_rule_matches(wanted, present));
    present.fwmask = 0xff;
    CHECK_FALSE(kernel_rule_matches(wanted, present));
    RuleObject other_table = v6_rule();
    other_table.table = 200;
    CHECK_FALSE(kernel_rule_matches(v6_rule(), other_table));
}

TEST_CASE(
    "kernel_route_matches: metric 0 reads back as 1024 on IPv6, the gateway's device is filled in",
    "[netlink]") {
    RouteObject wanted;
    wanted.destination = pfx("2001:db8:ff::/48");
    wanted.via = addr("2001:db8::1");
    wanted.table = 199;
    RouteObject present = wanted;
    present.metric = 1024;
    present.dev = ifn("wan0");
    CHECK(kernel_route_matches(wanted, present));
    present.metric = 1025;
    CHECK_FALSE(kernel_route_matches(wanted, present));
    RouteObject v4;
    v4.destination = pfx("198.51.100.0/24");
    v4.dev = ifn("wan0");
    RouteObject v4_present = v4;
    v4_present.metric = 1024;  // IPv4 keeps metric 0
    CHECK_FALSE(kernel_route_matches(v4, v4_present));
}

TEST_CASE("delete_would_match: unset fields are wildcards, like the kernel's rule_find",
          "[netlink]") {
    const RuleObject want = v6_rule();
    KernelRule same{want, 211};
    CHECK(delete_would_match(same, want, 211));
    KernelRule foreign{want, 4};
    CHECK_FALSE(delete_would_match(foreign, want, 211));
    RuleObject narrower = want;
    narrower.iif = ifn("int0");
    // Our delete without iif would remove the rule with iif: the wildcard case the
    // executor refuses (it checks the first match is exactly the wanted rule).
    KernelRule with_iif{narrower, 211};
    CHECK(delete_would_match(with_iif, want, 211));
    CHECK_FALSE(kernel_rule_matches(want, with_iif.rule));
    RuleObject other_from = want;
    other_from.from = pfx("2001:db8:2::/64");
    CHECK_FALSE(delete_would_match(KernelRule{other_from, 211}, want, 211));
    RuleObject other_priority = want;
    other_priority.priority = 10001;
    CHECK_FALSE(delete_would_match(KernelRule{other_priority, 211}, want, 211));
}
