// Typed network values: strict parsing (what libc would accept but we must not),
// printing, and the prefix arithmetic used to carve LAN prefixes.
#include "net_types.hpp"

#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <random>

#include <string>
#include <vector>

using namespace hookctl;

namespace {

// The message of the InputError `f` throws, or "" when it does not throw one.
template <typename F>
std::string error_of(F f) {
    try {
        f();
    } catch (const InputError& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("escape_for_display keeps printable ASCII and escapes the rest", "[net_types]") {
    CHECK(escape_for_display("eth0") == "eth0");
    CHECK(escape_for_display("a\nb") == "a\\x0ab");
    CHECK(escape_for_display("q\"b\\") == "q\\\"b\\\\");
    CHECK(escape_for_display("\xff") == "\\xff");
    CHECK(escape_for_display(std::string(100, 'x'), 4) == "xxxx... (100 bytes)");
}

TEST_CASE("parse_address accepts canonical addresses of either family", "[net_types]") {
    struct Case {
        const char* text;
        Family family;
        const char* printed;
    };
    const std::vector<Case> cases = {
        {"192.0.2.1", Family::v4, "192.0.2.1"},
        {"0.0.0.0", Family::v4, "0.0.0.0"},
        {"2001:db8::1", Family::v6, "2001:db8::1"},
        {"2001:DB8:0:0::1", Family::v6, "2001:db8::1"},
        {"fe80::0000:0000:0000:0000", Family::v6, "fe80::"},
        {"::ffff:192.0.2.1", Family::v6, "::ffff:192.0.2.1"},
    };
    for (const auto& c : cases) {
        INFO(c.text);
        const IpAddress a = parse_address(c.text, "x");
        CHECK(a.family == c.family);
        CHECK(a.to_string() == c.printed);
        CHECK(parse_address(c.text, c.family, "x") == a);
    }
}

TEST_CASE("parse_address rejects anything that is not exactly an address", "[net_types]") {
    const std::vector<std::string> bad = {
        "",
        " 192.0.2.1",
        "192.0.2.1 ",
        "192.0.2",
        "192.0.2.256",
        "192.0.2.01",
        "1.2.3.4.5",
        "fe80::1%eth0",
        "2001:db8::zz",
        "2001:db8:::1",
        "localhost",
        "$(reboot)",
        std::string("1.2.3.4\0junk", 12),
        "1.2.3.4\n",
        std::string(10240, '1'),
    };
    for (const auto& text : bad) {
        INFO(escape_for_display(text));
        CHECK_THROWS_AS(parse_address(text, "var"), InputError);
    }
    CHECK_THROWS_AS(parse_address("2001:db8::1", Family::v4, "x"), InputError);
    CHECK_THROWS_AS(parse_address("192.0.2.1", Family::v6, "x"), InputError);
    CHECK(error_of([] { parse_address("2001:db8::zz", Family::v6, "new_dhcp6_ia_pd1_prefix1"); }) ==
          "new_dhcp6_ia_pd1_prefix1: not an IPv6 address: \"2001:db8::zz\"");
    CHECK(error_of([] { parse_address("a\nb", "IPLOCAL"); }) ==
          "IPLOCAL: not an IP address: \"a\\x0ab\"");
}

TEST_CASE("address predicates", "[net_types]") {
    CHECK(parse_address("fe80::1", "x").is_link_local());
    CHECK(parse_address("febf::1", "x").is_link_local());
    CHECK_FALSE(parse_address("fec0::1", "x").is_link_local());
    CHECK(parse_address("169.254.1.1", "x").is_link_local());
    CHECK_FALSE(parse_address("192.0.2.1", "x").is_link_local());
    CHECK(parse_address("::", "x").is_unspecified());
    CHECK(parse_address("0.0.0.0", "x").is_unspecified());
    CHECK_FALSE(parse_address("::1", "x").is_unspecified());
    CHECK(IpAddress::v4(0xc0000201u).to_string() == "192.0.2.1");
}

TEST_CASE("parse_prefix and parse_interface_address", "[net_types]") {
    CHECK(parse_prefix("2001:db8:100::/56", "x").to_string() == "2001:db8:100::/56");
    CHECK(parse_prefix("192.0.2.0/24", "x").to_string() == "192.0.2.0/24");
    CHECK(parse_prefix("::/0", "x").to_string() == "::/0");
    CHECK_THROWS_AS(parse_prefix("2001:db8::1/64", "x"), InputError);
    CHECK(parse_prefix("2001:db8::1/64", "x", false).to_string() == "2001:db8::/64");
    for (const char* bad :
         {"2001:db8::/129", "192.0.2.0/33", "2001:db8::", "2001:db8::/", "2001:db8::/-1",
          "2001:db8::/064x", "2001:db8::/ 64", "/64", "2001:db8::/64/64"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_prefix(bad, "x"), InputError);
    }
    const InterfaceAddress ia = parse_interface_address("2001:db8:100::321/64", "x");
    CHECK(ia.to_string() == "2001:db8:100::321/64");
    CHECK(ia.subnet().to_string() == "2001:db8:100::/64");
    CHECK_THROWS_AS(parse_interface_address("2001:db8:100::321", "x"), InputError);
    CHECK(
        parse_prefix("2001:db8:100::/56", "x").contains(parse_address("2001:db8:100:ff::1", "x")));
    CHECK_FALSE(
        parse_prefix("2001:db8:100::/56", "x").contains(parse_address("2001:db8:101::1", "x")));
    CHECK_FALSE(parse_prefix("::/0", "x").contains(parse_address("192.0.2.1", "x")));
}

TEST_CASE("parse_interface_name follows the kernel's rules, strictly", "[net_types]") {
    for (const char* good :
         {"eth0", "ppp0", "wan0", "enp3s0", "br-lan", "eth0.100", "wg_0", "abcdefghijklmno"}) {
        INFO(good);
        CHECK(parse_interface_name(good, "x").str() == good);
    }
    const std::vector<std::string> bad = {
        "",
        ".",
        "..",
        "../x",
        "a/b",
        "eth0:1",
        "eth 0",
        "eth0\n",
        "abcdefghijklmnop",
        "$(reboot)",
        "eth0%1",
        "e\xc3\xa9",
        std::string("e\0", 2),
        "a;b",
        "`x`",
    };
    for (const auto& text : bad) {
        INFO(escape_for_display(text));
        CHECK_THROWS_AS(parse_interface_name(text, "interface"), InputError);
    }
    CHECK(error_of([] { parse_interface_name("../x", "interface"); }).rfind("interface: ", 0) == 0);
}

TEST_CASE("parse_domain_name", "[net_types]") {
    CHECK(parse_domain_name("lab.example", "x").str() == "lab.example");
    CHECK(parse_domain_name("Lab.Example.", "x").str() == "Lab.Example");
    CHECK(parse_domain_name("_dns-sd._udp.example", "x").str() == "_dns-sd._udp.example");
    const std::string label63(63, 'a');
    CHECK(parse_domain_name(label63 + ".example", "x").str() == label63 + ".example");
    std::string long_name;
    while (long_name.size() < 250) long_name += "abcdefghi.";
    long_name += "abcd";  // 254 characters
    const std::vector<std::string> bad = {
        "",
        ".",
        "a..b",
        ".a",
        "-a.example",
        "a-.example",
        std::string(64, 'a') + ".example",
        long_name,
        "a b",
        "$(reboot)",
        "a\nb",
        "ex*mple.com",
        "caf\xc3\xa9.example",
    };
    for (const auto& text : bad) {
        INFO(escape_for_display(text));
        CHECK_THROWS_AS(parse_domain_name(text, "x"), InputError);
    }
}

TEST_CASE("parse_u32 and parse_lifetime", "[net_types]") {
    CHECK(parse_u32("0", "x") == 0);
    CHECK(parse_u32("3600", "x") == 3600);
    CHECK(parse_u32("4294967295", "x") == 4294967295u);
    CHECK(parse_lifetime("4294967295", "x").is_infinite());
    for (const char* bad :
         {"", "-1", "+1", " 1", "1 ", "4294967296", "99999999999", "0x10", "1e3", "12a"}) {
        INFO(bad);
        CHECK_THROWS_AS(parse_u32(bad, "x"), InputError);
    }
}

TEST_CASE("prefix arithmetic", "[net_types]") {
    const IpPrefix pd = parse_prefix("2001:db8:1200::/56", "x");
    CHECK(subnet_of(pd, 1, 64).to_string() == "2001:db8:1200:1::/64");
    CHECK(subnet_of(pd, 255, 64).to_string() == "2001:db8:1200:ff::/64");
    CHECK(subnet_of(pd, 0, 56).to_string() == "2001:db8:1200::/56");
    CHECK_THROWS_AS(subnet_of(pd, 256, 64), Error);
    CHECK_THROWS_AS(subnet_of(pd, 1, 56), Error);
    CHECK_THROWS_AS(subnet_of(pd, 0, 48), Error);
    CHECK(subnet_of(parse_prefix("10.0.0.0/8", "x"), 3, 16).to_string() == "10.3.0.0/16");

    const IpPrefix lan = parse_prefix("2001:db8:1:2::/64", "x");
    CHECK(with_token(lan, parse_address("::321", "x")).to_string() == "2001:db8:1:2::321");
    CHECK_THROWS_AS(with_token(lan, parse_address("1::1", "x")), Error);
    CHECK_THROWS_AS(with_token(lan, parse_address("0.0.0.1", "x")), Error);

    CHECK(host_prefix(parse_address("2001:db8::1", "x")).to_string() == "2001:db8::1/128");
    CHECK(host_prefix(parse_address("192.0.2.1", "x")).to_string() == "192.0.2.1/32");
    CHECK(mask(parse_address("192.0.2.77", "x"), 24).to_string() == "192.0.2.0/24");
    CHECK_THROWS_AS(mask(parse_address("192.0.2.77", "x"), 33), Error);
}

TEST_CASE("IpAddress::to_string writes what inet_ntop writes", "[net_types]") {
    auto ntop = [](const IpAddress& a) {
        char buf[INET6_ADDRSTRLEN] = {};
        REQUIRE(inet_ntop(a.is_v4() ? AF_INET : AF_INET6, a.bytes.data(), buf, sizeof buf));
        return std::string(buf);
    };
    IpAddress v6;
    v6.family = Family::v6;
    // Every pattern of zero and non-zero groups (runs, ties, both ends), with group
    // values of 1 to 4 hex digits, and the IPv4-compatible and -mapped forms.
    const std::uint16_t values[] = {0x1, 0xa, 0x10, 0xff, 0x100, 0xabc, 0x1000, 0xffff};
    for (unsigned mask = 0; mask < 256; ++mask)
        for (std::size_t v = 0; v < std::size(values); ++v) {
            for (int i = 0; i < 8; ++i) {
                const std::uint16_t w = (mask >> i & 1) ? values[(v + i) % std::size(values)] : 0;
                v6.bytes[2 * i] = static_cast<std::uint8_t>(w >> 8);
                v6.bytes[2 * i + 1] = static_cast<std::uint8_t>(w);
            }
            INFO(ntop(v6));
            CHECK(v6.to_string() == ntop(v6));
        }
    // Random addresses of both families, and bytes that make IPv4 digits of every width.
    std::mt19937 random(20261130);
    for (int n = 0; n < 20000; ++n) {
        IpAddress a;
        a.family = n % 2 ? Family::v6 : Family::v4;
        for (auto& b : a.bytes) b = static_cast<std::uint8_t>(random());
        if (a.is_v6() && n % 4 == 1)  // a mapped or compatible address now and then
            for (int i = 0; i < 10; ++i) a.bytes[i] = 0;
        if (a.is_v6() && n % 8 == 1) a.bytes[10] = a.bytes[11] = 0xff;
        if (a.is_v4())
            for (int i = 4; i < 16; ++i) a.bytes[i] = 0;
        INFO(ntop(a));
        CHECK(a.to_string() == ntop(a));
    }
    CHECK(parse_address("::", "t").to_string() == "::");
    CHECK(parse_address("::1", "t").to_string() == "::1");
    CHECK(parse_address("::ffff:192.0.2.1", "t").to_string() == "::ffff:192.0.2.1");
    CHECK(parse_address("2001:db8:0:0:1:0:0:1", "t").to_string() == "2001:db8::1:0:0:1");
    CHECK(parse_address("0.0.0.0", "t").to_string() == "0.0.0.0");
    CHECK(parse_address("203.0.113.255", "t").to_string() == "203.0.113.255");
}

TEST_CASE("mask clears exactly the bits from the prefix length on", "[net]") {
    // Against the definition, bit by bit, for every length of both families.
    std::mt19937 random(20261201);
    for (int n = 0; n < 200; ++n) {
        IpAddress a;
        a.family = n % 2 ? Family::v6 : Family::v4;
        for (int i = 0; i < (a.is_v6() ? 16 : 4); ++i)
            a.bytes[i] = static_cast<std::uint8_t>(random());
        for (int length = 0; length <= a.bit_length(); ++length) {
            IpAddress expected = a;
            for (int bit = length; bit < 128; ++bit)
                expected.bytes[bit / 8] &= static_cast<std::uint8_t>(~(0x80u >> (bit % 8)));
            const IpPrefix p = mask(a, static_cast<std::uint8_t>(length));
            INFO(a.to_string() << "/" << length);
            CHECK(p.network == expected);
            CHECK(p.length == length);
            CHECK(p.contains(a));
        }
    }
}
