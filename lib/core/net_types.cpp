// Parsing, printing and arithmetic for the typed network values of net_types.hpp.
// Parsers are deliberately narrower than libc: inet_pton only ever sees a string
// that already consists of address characters, so "1.2.3.4\0junk", " ::1" or a
// zone id "fe80::1%eth0" are rejected here, not silently truncated or accepted.
#include "net_types.hpp"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace hookctl {

namespace {

std::string quoted(std::string_view text) {
    return "\"" + escape_for_display(std::string(text)) + "\"";
}

[[noreturn]] void fail(std::string_view what, std::string_view message, std::string_view text) {
    throw InputError(std::string(what), fmt::format("{}: {}", message, quoted(text)));
}

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
bool is_alnum(char c) {
    return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

// Only characters that can appear in inet_ntop output (and dotted quads): anything
// else (spaces, '%', NUL, letters beyond f) is rejected before libc sees it.
bool address_chars_only(std::string_view text) {
    return std::all_of(text.begin(), text.end(), [](char c) {
        return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' ||
               c == '.';
    });
}

std::optional<IpAddress> try_parse(std::string_view text, Family family) {
    // INET6_ADDRSTRLEN includes the NUL; longer input cannot be a valid address.
    if (text.empty() || text.size() >= INET6_ADDRSTRLEN || !address_chars_only(text))
        return std::nullopt;
    char buf[INET6_ADDRSTRLEN] = {};
    std::memcpy(buf, text.data(), text.size());
    IpAddress a;
    a.family = family;
    const int af = family == Family::v4 ? AF_INET : AF_INET6;
    if (inet_pton(af, buf, a.bytes.data()) != 1) return std::nullopt;
    return a;
}

const char* family_noun(Family f) {
    return f == Family::v4 ? "IPv4" : "IPv6";
}

// Prefix length: 1..3 decimal digits, at most `max`.
std::uint8_t parse_length(std::string_view text, int max, std::string_view what,
                          std::string_view whole) {
    if (text.empty() || text.size() > 3 || !std::all_of(text.begin(), text.end(), is_digit))
        fail(what, "bad prefix length", whole);
    int n = 0;
    for (char c : text) n = n * 10 + (c - '0');
    if (n > max) fail(what, fmt::format("prefix length above {}", max), whole);
    return static_cast<std::uint8_t>(n);
}

// `a` with every bit from `length` on cleared; callers check length first.
IpAddress masked(const IpAddress& a, int length) {
    IpAddress out = a;
    for (int byte = 0; byte < 16; ++byte) {
        const int kept = length - byte * 8;  // bits of this byte before `length`
        if (kept >= 8) continue;
        out.bytes[byte] &= kept <= 0 ? 0 : static_cast<std::uint8_t>(0xffu << (8 - kept));
    }
    return out;
}

bool host_bits_zero(const IpAddress& a, std::uint8_t length) {
    return masked(a, length) == a;
}

bool get_bit(const IpAddress& a, int i) {
    return (a.bytes[i / 8] >> (7 - i % 8)) & 1;
}
void set_bit(IpAddress& a, int i) {
    a.bytes[i / 8] |= static_cast<std::uint8_t>(0x80u >> (i % 8));
}

}  // namespace

// ---- IpAddress and friends -------------------------------------------------

IpAddress IpAddress::v4(std::uint32_t host_order) {
    IpAddress a;
    a.family = Family::v4;
    a.bytes[0] = static_cast<std::uint8_t>(host_order >> 24);
    a.bytes[1] = static_cast<std::uint8_t>(host_order >> 16);
    a.bytes[2] = static_cast<std::uint8_t>(host_order >> 8);
    a.bytes[3] = static_cast<std::uint8_t>(host_order);
    return a;
}

bool IpAddress::is_unspecified() const {
    const auto n = static_cast<std::size_t>(bit_length() / 8);
    return std::all_of(bytes.begin(), bytes.begin() + n, [](std::uint8_t b) { return b == 0; });
}

bool IpAddress::is_link_local() const {
    if (is_v4()) return bytes[0] == 169 && bytes[1] == 254;
    return bytes[0] == 0xfe && (bytes[1] & 0xc0) == 0x80;
}

std::string_view IpAddress::special_class() const {
    if (is_unspecified()) return "unspecified";
    if (is_link_local()) return "link-local";
    if (is_v4()) {
        if (bytes[0] == 127) return "loopback";
        if (bytes[0] >= 224 && bytes[0] <= 239) return "multicast";
        if (std::all_of(bytes.begin(), bytes.begin() + 4, [](std::uint8_t b) { return b == 0xff; }))
            return "broadcast";
        if (bytes[0] >= 240) return "reserved (240.0.0.0/4)";
        if (bytes[0] == 0) return "in 0.0.0.0/8 (this network)";
        return {};
    }
    const bool first_80_zero =
        std::all_of(bytes.begin(), bytes.begin() + 10, [](std::uint8_t b) { return b == 0; });
    if (first_80_zero && bytes[10] == 0xff && bytes[11] == 0xff) return "IPv4-mapped";
    if (first_80_zero && bytes[10] == 0 && bytes[11] == 0) {
        const bool loopback = std::all_of(bytes.begin() + 12, bytes.begin() + 15,
                                          [](std::uint8_t b) { return b == 0; }) &&
                              bytes[15] == 1;
        return loopback ? "loopback" : "IPv4-compatible";
    }
    if (bytes[0] == 0xff) return "multicast";
    if ((bytes[0] & 0xe0) == 0x20) return {};  // 2000::/3, global unicast
    if ((bytes[0] & 0xfe) == 0xfc) return {};  // fc00::/7, unique local
    return "not global unicast (2000::/3) or ULA (fc00::/7)";
}

std::string prefix_problem(const IpPrefix& prefix, int min_length, int max_length) {
    if (const auto c = prefix.network.special_class(); !c.empty())
        return fmt::format("{} is {}", prefix.to_string(), c);
    if (prefix.length < min_length)
        return fmt::format("{} is shorter than /{}", prefix.to_string(), min_length);
    if (prefix.length > max_length)
        return fmt::format("{} is longer than /{}", prefix.to_string(), max_length);
    return {};
}

namespace {

char* dotted_quad(char* out, const std::uint8_t* b) {
    for (int i = 0; i < 4; ++i) {
        if (i) *out++ = '.';
        const unsigned v = b[i];
        if (v >= 100) *out++ = static_cast<char>('0' + v / 100);
        if (v >= 10) *out++ = static_cast<char>('0' + v / 10 % 10);
        *out++ = static_cast<char>('0' + v % 10);
    }
    return out;
}

}  // namespace

// The text inet_ntop writes, made here: glibc's formats every IPv6 group through
// sprintf, and addresses are turned into text many times per hook run (facts compared,
// state and journal written). IPv6 as glibc's inet_ntop6: lower-case hex without
// leading zeros, the longest run of two or more zero groups (the first on a tie) as
// "::", and the last 32 bits dotted when the address is IPv4-compatible (::a.b.c.d) or
// IPv4-mapped (::ffff:a.b.c.d). net_types_test compares it with inet_ntop.
std::string IpAddress::to_string() const {
    char buf[INET6_ADDRSTRLEN];
    char* out = buf;
    if (is_v4()) return std::string(buf, dotted_quad(out, bytes.data()));
    std::uint16_t words[8];
    for (std::size_t i = 0; i < 8; ++i)
        words[i] = static_cast<std::uint16_t>(bytes[2 * i] << 8 | bytes[2 * i + 1]);
    int best = -1, best_len = 0;
    for (int i = 0; i < 8;) {
        if (words[i] != 0) {
            ++i;
            continue;
        }
        int run = i;
        while (run < 8 && words[run] == 0) ++run;
        if (run - i > best_len) best = i, best_len = run - i;
        i = run;
    }
    if (best_len < 2) best = -1;
    static constexpr char hex[] = "0123456789abcdef";
    for (int i = 0; i < 8; ++i) {
        if (best >= 0 && i >= best && i < best + best_len) {
            if (i == best) *out++ = ':';
            continue;
        }
        if (i) *out++ = ':';
        if (i == 6 && best == 0 && (best_len == 6 || (best_len == 5 && words[5] == 0xffff))) {
            out = dotted_quad(out, bytes.data() + 12);
            return std::string(buf, out);
        }
        bool started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            const unsigned nibble = (words[i] >> shift) & 0xfu;
            if (nibble || started || shift == 0) {
                *out++ = hex[nibble];
                started = true;
            }
        }
    }
    if (best >= 0 && best + best_len == 8) *out++ = ':';
    return std::string(buf, out);
}

bool IpPrefix::contains(const IpAddress& a) const {
    return a.family == network.family && length <= a.bit_length() &&
           masked(a, length) == masked(network, length);
}

std::string IpPrefix::to_string() const {
    // Appended, not formatted: keys, state.json and the journal spell prefixes often.
    std::string s = network.to_string();
    s += '/';
    s += std::to_string(length);
    return s;
}

IpPrefix InterfaceAddress::subnet() const {
    return mask(address, length);
}

std::string InterfaceAddress::to_string() const {
    return fmt::format("{}/{}", address.to_string(), length);
}

// ---- parsers ----------------------------------------------------------------

IpAddress parse_address(std::string_view text, std::string_view what) {
    const Family family = text.find(':') != std::string_view::npos ? Family::v6 : Family::v4;
    if (auto a = try_parse(text, family)) return *a;
    fail(what, "not an IP address", text);
}

IpAddress parse_address(std::string_view text, Family family, std::string_view what) {
    if (auto a = try_parse(text, family)) return *a;
    fail(what, fmt::format("not an {} address", family_noun(family)), text);
}

IpPrefix parse_prefix(std::string_view text, std::string_view what, bool strict) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) fail(what, "not a prefix (addr/len)", text);
    const auto addr_text = text.substr(0, slash);
    const Family family = addr_text.find(':') != std::string_view::npos ? Family::v6 : Family::v4;
    const auto a = try_parse(addr_text, family);
    if (!a) fail(what, "not a prefix (addr/len)", text);
    const auto length = parse_length(text.substr(slash + 1), a->bit_length(), what, text);
    if (strict && !host_bits_zero(*a, length)) fail(what, "host bits set in prefix", text);
    return IpPrefix{masked(*a, length), length};
}

InterfaceAddress parse_interface_address(std::string_view text, std::string_view what) {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos)
        fail(what, "not an address with prefix length (addr/len)", text);
    const auto addr_text = text.substr(0, slash);
    const Family family = addr_text.find(':') != std::string_view::npos ? Family::v6 : Family::v4;
    const auto a = try_parse(addr_text, family);
    if (!a) fail(what, "not an address with prefix length (addr/len)", text);
    return InterfaceAddress{*a, parse_length(text.substr(slash + 1), a->bit_length(), what, text)};
}

InterfaceName parse_interface_name(std::string_view text, std::string_view what) {
    if (text.empty()) fail(what, "empty interface name", text);
    if (text.size() > 15) fail(what, "interface name longer than 15 bytes", text);
    if (text == "." || text == "..") fail(what, "not an interface name", text);
    // The kernel (dev_valid_name) only forbids '/', ':' and whitespace. We accept a
    // strict subset: every name systemd, ifupdown, pppd and dhcpcd create fits, and
    // the name can then go into paths, radvd.conf and log lines without quoting.
    // '%' is also how dhcpcd appends a zone, and the kernel treats it as a template.
    for (char c : text) {
        if (!(is_alnum(c) || c == '-' || c == '_' || c == '.' || c == '+'))
            fail(what, "invalid character in interface name", text);
    }
    return InterfaceName(std::string(text));
}

std::uint32_t parse_u32(std::string_view text, std::string_view what) {
    if (text.empty() || text.size() > 10 || !std::all_of(text.begin(), text.end(), is_digit))
        fail(what, "not an unsigned decimal number", text);
    std::uint64_t n = 0;
    for (char c : text) n = n * 10 + static_cast<std::uint64_t>(c - '0');
    if (n > 0xffffffffull) fail(what, "number does not fit in 32 bits", text);
    return static_cast<std::uint32_t>(n);
}

Lifetime parse_lifetime(std::string_view text, std::string_view what) {
    return Lifetime{parse_u32(text, what)};
}

DomainName parse_domain_name(std::string_view text, std::string_view what) {
    std::string_view name = text;
    if (!name.empty() && name.back() == '.') name.remove_suffix(1);  // FQDN form
    if (name.empty()) fail(what, "empty domain name", text);
    if (name.size() > 253) fail(what, "domain name longer than 253 characters", text);
    std::size_t start = 0;
    while (start <= name.size()) {
        auto end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        const auto label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63) fail(what, "bad label length in domain name", text);
        // RFC 1123 host-name labels plus '_' (service labels such as _dns-sd).
        for (char c : label)
            if (!(is_alnum(c) || c == '-' || c == '_'))
                fail(what, "invalid character in domain name", text);
        if (label.front() == '-' || label.back() == '-')
            fail(what, "domain label starts or ends with '-'", text);
        start = end + 1;
    }
    return DomainName(std::string(name));
}

// ---- prefix arithmetic -------------------------------------------------------

IpPrefix mask(const IpAddress& a, std::uint8_t length) {
    if (length > a.bit_length())
        throw Error(fmt::format("prefix length {} too long for {}", length, a.to_string()));
    return IpPrefix{masked(a, length), length};
}

IpPrefix host_prefix(const IpAddress& a) {
    return IpPrefix{a, static_cast<std::uint8_t>(a.bit_length())};
}

IpPrefix subnet_of(const IpPrefix& prefix, std::uint32_t subnet_id, std::uint8_t new_length) {
    const int bits = prefix.network.bit_length();
    if (new_length < prefix.length || new_length > bits)
        throw Error(fmt::format("cannot take a /{} out of {}", new_length, prefix.to_string()));
    const int extra = new_length - prefix.length;
    if (extra < 32 && (subnet_id >> extra) != 0)
        throw Error(fmt::format("subnet id {} does not fit in a /{} of {}", subnet_id, new_length,
                                prefix.to_string()));
    IpAddress net = masked(prefix.network, prefix.length);
    // Bit k of the id (counting from its least significant bit) lands just before
    // the new prefix end; ids never exceed 32 bits, so only the last 32 extra bits
    // can be non-zero.
    for (int k = 0; k < extra && k < 32; ++k)
        if ((subnet_id >> k) & 1u) set_bit(net, new_length - 1 - k);
    return IpPrefix{net, new_length};
}

IpAddress with_token(const IpPrefix& prefix, const IpAddress& token) {
    if (token.family != prefix.network.family)
        throw Error(fmt::format("token {} and prefix {} differ in family", token.to_string(),
                                prefix.to_string()));
    for (int i = 0; i < prefix.length; ++i)
        if (get_bit(token, i))
            throw Error(fmt::format("token {} has bits inside prefix {}", token.to_string(),
                                    prefix.to_string()));
    IpAddress out = masked(prefix.network, prefix.length);
    for (std::size_t i = 0; i < out.bytes.size(); ++i) out.bytes[i] |= token.bytes[i];
    return out;
}

}  // namespace hookctl
