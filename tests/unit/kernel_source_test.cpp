// The kernel as a source (uplinks with source = "kernel"): the dump's line format
// and its hostile cases, the dispatchers' contracts (networkd-dispatcher 2.2,
// NetworkManager 1.42), which kernel address is the uplink's, the config's rules
// for such uplinks, rtnetlink link/address messages, and watch's decisions. The
// whole pipeline runs on the engine with the recording executor; the real kernel
// and radvd are in tests/netns/kernel_watch.sh.
#include "engine.hpp"
#include "json_io.hpp"
#include "kernel_event.hpp"
#include "netlink_codec.hpp"
#include "temp_dir.hpp"
#include "watch.hpp"

#include <catch2/catch.hpp>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

using namespace hookctl;

namespace {

InterfaceName ifn(const char* s) {
    return parse_interface_name(s, "test");
}

RawEvent watch_raw(std::vector<std::string> lines) {
    RawEvent raw;
    raw.source = Source::kernel;
    raw.script = kernel_trigger_watch;
    raw.kernel = std::move(lines);
    return raw;
}

std::string refusal(const RawEvent& raw) {
    try {
        parse_event(raw);
    } catch (const InputError& e) {
        return e.what();
    }
    return "(accepted)";
}

const char* ext_config = R"(
[tables]
kd = 199

[uplink.ext]
interface = "ext"
source = "kernel"
token = "::dead:b0a1"

[[rule]]
from = "ext.prefix"
table = "kd"
)";

std::vector<std::string> described(const RunReport& r) {
    std::vector<std::string> out;
    for (const auto& a : r.plan.actions) out.push_back(a.describe());
    return out;
}

}  // namespace

TEST_CASE("kernel lines round-trip: link states, flags, lifetimes", "[kernel]") {
    const std::vector<std::string> lines{
        "link ext up lower-up",
        "addr ext 2001:db8:a::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200",
        "addr ext 2001:db8:a:0:1234:5678:9abc:def0/64 temporary preferred 600 valid 7200",
        "addr ext 192.0.2.7/24 permanent preferred forever valid forever",
        "link wan1 up no-carrier",
        "link wan2 down",
        "link wan3 absent",
    };
    const auto links = parse_kernel_lines(lines);
    REQUIRE(links.size() == 4);
    CHECK(links[0].present);
    CHECK(links[0].lower_up);
    REQUIRE(links[0].addresses.size() == 3);
    CHECK(links[0].addresses[0].mngtmpaddr);
    CHECK(links[0].addresses[0].preferred.seconds == 3600);
    CHECK(links[0].addresses[1].temporary);
    CHECK(links[0].addresses[2].valid.is_infinite());
    CHECK((links[1].up && !links[1].lower_up));
    CHECK((links[2].present && !links[2].up));
    CHECK(!links[3].present);
    CHECK(kernel_lines(links) == lines);
}

TEST_CASE("kernel lines: malformed or hostile lines are refused with the line named", "[kernel]") {
    CHECK(refusal(watch_raw({"link ext sideways"})) ==
          "kernel line 1: expected \"link IFNAME up lower-up|up no-carrier|down|absent\"");
    CHECK(refusal(watch_raw({"addr ext 2001:db8::1/64 preferred 1 valid 1"})) ==
          "kernel line 1: address of \"ext\" before its link line");
    CHECK(refusal(watch_raw(
              {"link ext up lower-up", "addr ext 2001:db8::1/64 shiny preferred 1 valid 1"})) ==
          "kernel line 2: unknown address flag \"shiny\"");
    CHECK(refusal(watch_raw({"link ext absent", "addr ext 2001:db8::1/64 preferred 1 valid 1"})) ==
          "kernel line 2: address on ext, which is absent");
    CHECK(refusal(watch_raw({"link ext down", "link ext down"})) ==
          "kernel line 2: interface ext listed twice");
    CHECK(refusal(watch_raw({"link ext\x1b[31m up lower-up"})) ==
          "kernel line 1: not printable ASCII: \"link ext\\x1b[31m up lower-up\"");
    CHECK(refusal(watch_raw({"link ../../etc up lower-up"})).rfind("kernel line 1: ", 0) == 0);
    CHECK(
        refusal(watch_raw({"link ext up lower-up", "addr ext 2001:db8::1/64 preferred -1 valid 1"}))
            .rfind("kernel line 2: ", 0) == 0);
    CHECK(refusal(watch_raw({std::string(300, 'x')})) == "kernel line 1: 300 bytes, at most 256");
    CHECK(refusal(watch_raw(std::vector<std::string>(5000, "link ext down"))) ==
          "kernel: 5000 lines, at most 4096");
}

TEST_CASE("kernel event: one update per link; special addresses left out with a warning",
          "[kernel]") {
    const Event e = parse_event(watch_raw({
        "link ext up lower-up",
        "addr ext 2001:db8:a::dead:b0a1/64 preferred 3600 valid 7200",
        "addr ext ff02::1/64 preferred 3600 valid 7200",
        "link gone absent",
    }));
    CHECK(e.source == Source::kernel);
    CHECK(e.name == "watch");
    CHECK(e.interface == ifn("ext"));
    REQUIRE(e.updates.size() == 2);
    REQUIRE(e.updates[0].kernel);
    REQUIRE(*e.updates[0].kernel);
    CHECK((*e.updates[0].kernel)->addresses.size() == 1);
    REQUIRE(e.updates[1].kernel);
    CHECK(!*e.updates[1].kernel);  // absent: the section goes
    CHECK(e.warnings ==
          std::vector<std::string>{"ext: address ff02::1/64 left out: it is multicast"});
}

TEST_CASE("networkd-dispatcher: IFACE and STATE checked, the rest not read", "[kernel]") {
    RawEvent raw;
    raw.source = Source::kernel;
    raw.script = kernel_trigger_networkd;
    raw.env = relevant_environment(Source::kernel, {{"IFACE", "ext"},
                                                    {"STATE", "routable"},
                                                    {"ADDR", "192.0.2.7"},
                                                    {"IP6_ADDRS", "2001:db8:a::dead:b0a1"},
                                                    {"json", "{\"huge\": \"and unread\"}"},
                                                    {"PATH", "/usr/bin"}});
    CHECK(raw.env.count("json") == 0);
    CHECK(raw.env.count("ADDR") == 0);
    CHECK(dispatcher_interface(raw) == ifn("ext"));
    raw.kernel = {"link ext up lower-up"};
    CHECK(parse_event(raw).name == "networkd routable");

    raw.env["STATE"] = "routable; reboot";
    CHECK(refusal(raw) == "STATE: not a networkd-dispatcher state: \"routable; reboot\"");
    raw.env["STATE"] = "off";
    raw.env["IFACE"] = "ext/../x";
    CHECK(refusal(raw).rfind("IFACE: ", 0) == 0);
    raw.env.erase("IFACE");
    CHECK(refusal(raw) == "IFACE: missing");
}

TEST_CASE(
    "NetworkManager dispatcher: argv INTERFACE ACTION; actions without an interface are "
    "no event",
    "[kernel]") {
    RawEvent raw;
    raw.source = Source::kernel;
    raw.script = kernel_trigger_nm;
    raw.args = {"ext", "dhcp6-change"};
    CHECK(dispatcher_interface(raw) == ifn("ext"));
    raw.args = {"none", "hostname"};
    CHECK(!dispatcher_interface(raw));
    raw.args = {"", "connectivity-change"};
    CHECK(!dispatcher_interface(raw));
    raw.args = {"ext", "up", "extra"};
    CHECK(refusal(raw) == "argv: NetworkManager passes 2 arguments (interface, action), got 3");
    raw.args = {"ext", "$(reboot)"};
    CHECK(refusal(raw) == "argv[2]: not a NetworkManager dispatcher action: \"$(reboot)\"");
    raw.args = {"e x t", "up"};
    CHECK(refusal(raw).rfind("argv[1]: ", 0) == 0);
}

TEST_CASE("dispatcher_from_argv0: the script's directory names the dispatcher", "[kernel]") {
    CHECK(dispatcher_from_argv0("/etc/networkd-dispatcher/routable.d/50-hookctl") == "networkd");
    CHECK(dispatcher_from_argv0("/usr/lib/networkd-dispatcher/off.d/50-hookctl") == "networkd");
    CHECK(dispatcher_from_argv0("/etc/NetworkManager/dispatcher.d/50-hookctl") == "nm");
    CHECK(dispatcher_from_argv0("/usr/lib/NetworkManager/dispatcher.d/pre-down.d/50-hookctl") ==
          "nm");
    CHECK(dispatcher_from_argv0("/etc/ppp/ip-up.d/50-hookctl").empty());
    CHECK(dispatcher_from_argv0("/usr/sbin/hookctl").empty());
    CHECK(dispatcher_from_argv0("hookctl").empty());
    CHECK(dispatcher_from_argv0("/tmp/dispatcher.d/50-hookctl").empty());
}

TEST_CASE("config: source = \"kernel\" and what such an uplink cannot have", "[kernel][config]") {
    const Config c = parse_config(ext_config, "ext.toml");
    CHECK(c.uplinks.at("ext").source == UplinkSource::kernel);
    CHECK(c.kernel_interfaces() == std::vector<InterfaceName>{ifn("ext")});
    CHECK(c.settings.watch_settle_ms == 200);

    auto error_of = [](const std::string& text) {
        try {
            parse_config(text, "x.toml");
        } catch (const ConfigError& e) {
            return std::string(e.what());
        }
        return std::string("(accepted)");
    };
    CHECK(
        error_of("[uplink.ext]\ninterface = \"ext\"\nsource = \"kernal\"\n") ==
        "x.toml:3:10: uplink.ext.source: unknown value \"kernal\"\n  hint: did you mean 'kernel'?");
    CHECK(error_of("[uplink.ext]\ninterface = \"ext\"\nsource = \"kernel\"\npd-iaid = 1\n")
              .rfind("x.toml:4:11: uplink.ext.pd-iaid: an uplink with source = \"kernel\" has no "
                     "delegated prefix",
                     0) == 0);
    CHECK(error_of("[uplink.ext]\ninterface = \"ext\"\nsource = \"kernel\"\n[[rule]]\nfrom = "
                   "\"ext.delegated\"\ntable = 5\n")
              .find("uplink 'ext' (source = \"kernel\") has no field 'delegated'") !=
          std::string::npos);
    CHECK(error_of("[uplink.ext]\ninterface = \"ext\"\nsource = \"kernel\"\n[lan.l]\ninterface = "
                   "\"int0\"\nprefix = { from = \"ext\" }\n")
              .find("uplink 'ext' has source = \"kernel\": it has no delegated prefix") !=
          std::string::npos);
    CHECK(error_of("[uplink.ext]\ninterface = \"ext\"\nsource = \"kernel\"\non.BOUND6 = "
                   "[[\"/bin/true\"]]\n")
              .find("gets no pppd or dhcpcd events") != std::string::npos);
    CHECK(error_of("[settings]\nwatch-settle = \"2m\"\n").find("a settle window over a minute") !=
          std::string::npos);
}

TEST_CASE(
    "engine: the rule follows the kernel's prefix; tentative, deprecated and temporary "
    "addresses do not count; a link that goes down takes the rule",
    "[kernel][engine]") {
    test::TempDir dir;
    const Config config = parse_config(ext_config, "ext.toml");
    StateDir state(dir.path.string());
    Journal journal(dir / "journal", 50);
    RecordingExecutor executor;
    EngineOptions options;
    options.now = 1'000'000;
    options.tables = {{"kd", 199}};
    auto run = [&](std::vector<std::string> lines) {
        options.now += 10;
        RawEvent raw = watch_raw(std::move(lines));
        raw.time = options.now;
        return run_event(config, state, &journal, executor, raw, options);
    };

    // DAD still running, and a privacy address: nothing yet.
    auto r =
        run({"link ext up lower-up",
             "addr ext 2001:db8:a::dead:b0a1/64 tentative mngtmpaddr preferred 3600 valid 7200",
             "addr ext 2001:db8:a:0:aaaa:bbbb:cccc:dddd/64 temporary preferred 600 valid 7200"});
    CHECK(r.plan.empty());

    r = run({"link ext up lower-up",
             "addr ext 2001:db8:a::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200"});
    CHECK(described(r) ==
          std::vector<std::string>{"add rule ipv6 10000: from 2001:db8:a::/64 lookup 199"});

    // The same dump with lifetimes counted down: no transition, no state write.
    const Facts facts_before = state.load_facts();
    r = run({"link ext up lower-up",
             "addr ext 2001:db8:a::dead:b0a1/64 mngtmpaddr preferred 3000 valid 6600"});
    CHECK(r.plan.empty());
    CHECK(r.transitions.empty());
    CHECK(state.load_facts() == facts_before);

    // Renumbering: B arrives, A is deprecated (announced with lifetime 0).
    r = run({"link ext up lower-up",
             "addr ext 2001:db8:b::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200",
             "addr ext 2001:db8:a::dead:b0a1/64 deprecated mngtmpaddr preferred 0 valid 7000"});
    CHECK(described(r) ==
          std::vector<std::string>{"remove rule ipv6 10000: from 2001:db8:a::/64 lookup 199",
                                   "add rule ipv6 10000: from 2001:db8:b::/64 lookup 199"});

    // Two usable prefixes: the one carrying the token wins over a longer lifetime.
    r = run({"link ext up lower-up", "addr ext 2001:db8:c::1234/64 preferred 9000 valid 9000",
             "addr ext 2001:db8:b::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200"});
    CHECK(r.plan.empty());

    r = run({"link ext up no-carrier",
             "addr ext 2001:db8:b::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200"});
    CHECK(described(r) ==
          std::vector<std::string>{"remove rule ipv6 10000: from 2001:db8:b::/64 lookup 199"});

    // Back up, then the interface deleted.
    r = run({"link ext up lower-up",
             "addr ext 2001:db8:b::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200"});
    CHECK(described(r).size() == 1);
    r = run({"link ext absent"});
    CHECK(described(r) ==
          std::vector<std::string>{"remove rule ipv6 10000: from 2001:db8:b::/64 lookup 199"});
    CHECK(state.load_facts().interfaces.count(ifn("ext")) == 0);
}

TEST_CASE("state and journal keep the kernel section and the dump", "[kernel][state]") {
    InterfaceFacts f;
    KernelLinkFacts k;
    k.up = k.lower_up = true;
    KernelAddress a;
    a.address = parse_interface_address("2001:db8:a::dead:b0a1/64", "test");
    a.mngtmpaddr = a.deprecated = true;
    a.preferred = Lifetime{0};
    a.valid = Lifetime{Lifetime::infinite};
    k.addresses = {a};
    k.reported = 42;
    f.kernel = k;
    Facts facts;
    facts.interfaces[ifn("ext")] = f;
    CHECK(facts_from_json(to_json(facts)) == facts);

    RawEvent raw = watch_raw({"link ext up lower-up", std::string("addr \xff")});
    const RawEvent back = raw_event_from_json(Json::parse(to_json(raw).dump()));
    CHECK(back.kernel == raw.kernel);
    CHECK(back.source == Source::kernel);
}

TEST_CASE("rtnetlink link and address messages", "[kernel][netlink]") {
    // RTM_NEWLINK for ext, up with carrier.
    netlink::Message link(RTM_NEWLINK, 0);
    ifinfomsg ifi{};
    ifi.ifi_index = 7;
    ifi.ifi_flags = IFF_UP | IFF_LOWER_UP | IFF_RUNNING;
    link.put_header(ifi);
    link.put_string(IFLA_IFNAME, "ext");
    const auto l = netlink::parse_link(link.header());
    REQUIRE(l);
    CHECK(l->index == 7);
    CHECK(l->name == "ext");
    CHECK((l->up && l->lower_up));

    // RTM_NEWADDR: flags in IFA_FLAGS (beyond the header's 8 bits), lifetimes in cacheinfo.
    netlink::Message addr(RTM_NEWADDR, 0);
    ifaddrmsg ifa{};
    ifa.ifa_family = AF_INET6;
    ifa.ifa_prefixlen = 64;
    ifa.ifa_index = 7;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    addr.put_header(ifa);
    addr.put_address(IFA_ADDRESS, parse_address("2001:db8:a::dead:b0a1", "test"));
    addr.put_u32(IFA_FLAGS, IFA_F_MANAGETEMPADDR | IFA_F_DEPRECATED);
    ifa_cacheinfo ci{};
    ci.ifa_prefered = 0;
    ci.ifa_valid = 7000;
    addr.put_attr(IFA_CACHEINFO, &ci, sizeof ci);
    const auto m = netlink::parse_address(addr.header());
    REQUIRE(m);
    CHECK(m->index == 7);
    CHECK(m->address.address.to_string() == "2001:db8:a::dead:b0a1/64");
    CHECK((m->address.mngtmpaddr && m->address.deprecated && !m->address.temporary));
    CHECK(m->address.valid.seconds == 7000);

    // A damaged attribute makes the message unreadable, not a wrong address.
    addr.header()->nlmsg_len -= 4;
    CHECK(!netlink::parse_address(addr.header()));
    // Another message type is not an address.
    netlink::Message rule(RTM_NEWRULE, 0);
    rule.put_header(ifa);
    CHECK(!netlink::parse_address(rule.header()));
}

TEST_CASE("watch: which notices matter, the settle window, lifetimes alone", "[kernel][watch]") {
    const std::vector<InterfaceName> watched{ifn("ext")};
    const std::map<std::string, unsigned> indexes{{"ext", 7}};
    NetlinkNotices n;
    CHECK(!notices_concern(n, watched, indexes));
    n.address_indexes = {3};
    CHECK(!notices_concern(n, watched, indexes));
    n.address_indexes = {3, 7};
    CHECK(notices_concern(n, watched, indexes));
    n = {};
    n.links = {netlink::KernelLink{9, "ext", true, true, 0, ""}};  // created (new index)
    CHECK(notices_concern(n, watched, indexes));
    n.links = {netlink::KernelLink{7, "ext-old", true, true, 0, ""}};  // renamed away
    CHECK(notices_concern(n, watched, indexes));
    n = {};
    n.overflow = true;
    CHECK(notices_concern(n, watched, indexes));

    SettleWindow w(std::chrono::milliseconds(200));
    const auto t0 = WatchClock::now();
    CHECK(w.poll_timeout_ms(t0) == -1);
    w.notice(t0);
    w.notice(t0 + std::chrono::milliseconds(150));  // the window does not move
    CHECK(!w.ready(t0 + std::chrono::milliseconds(199)));
    CHECK(w.poll_timeout_ms(t0 + std::chrono::milliseconds(150)) == 50);
    CHECK(w.ready(t0 + std::chrono::milliseconds(200)));
    w.done();
    CHECK(!w.due());

    const auto a = parse_kernel_lines(
        {"link ext up lower-up", "addr ext 2001:db8:a::1/64 preferred 100 valid 200"});
    const auto b = parse_kernel_lines(
        {"link ext up lower-up", "addr ext 2001:db8:a::1/64 preferred 90 valid 190"});
    const auto c = parse_kernel_lines(
        {"link ext up lower-up", "addr ext 2001:db8:a::1/64 deprecated preferred 0 valid 190"});
    CHECK(same_but_lifetimes(a, b));
    CHECK(!same_but_lifetimes(a, c));
}
