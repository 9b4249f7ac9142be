// JSON (de)serialisation; see json_io.hpp. Field names are kebab-case like the config.
#include "json_io.hpp"

#include "overloaded.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <limits>
#include <stdexcept>

namespace hookctl {

namespace {

// hookctl writes only integers; a float parsed from state.json or the journal is
// damage (or an attack) and is refused before anything converts it.
// Iterative: a damaged file may nest deeper than the stack would.
void refuse_floats(const Json& root) {
    std::vector<const Json*> pending{&root};
    while (!pending.empty()) {
        const Json& j = *pending.back();
        pending.pop_back();
        if (j.is_number_float())
            throw std::invalid_argument(
                "a number hookctl would not write (a fraction, an exponent, or beyond 64 bits): " +
                j.dump());
        if (j.is_structured())
            for (const auto& child : j) pending.push_back(&child);
    }
}

}  // namespace

// Parsed without a per-value callback, which would route every value through a
// std::function and nlohmann's slower callback parser; the walk after costs less.
Json parse_state_json(const char* first, const char* last) {
    Json j = Json::parse(first, last);
    refuse_floats(j);
    return j;
}

namespace {

// A member by reference, or `empty` when it is absent (value() would return a copy
// of it, subtree and all).
template <class J>
const J& member_or(const J& j, const char* name, const J& empty) {
    if (!j.is_object()) throw Error(fmt::format("state: not an object where '{}' belongs", name));
    if (const auto it = j.find(name); it != j.end()) return *it;
    return empty;
}
template <class J>
const J& array_member(const J& j, const char* name) {
    static const J empty = J::array();
    return member_or(j, name, empty);
}
template <class J>
const J& object_member(const J& j, const char* name) {
    static const J empty = J::object();
    return member_or(j, name, empty);
}

// Reads a required field, with the field path in the error.
template <class J>
const J& field(const J& j, const char* name) {
    if (!j.is_object() || !j.contains(name))
        throw Error(fmt::format("state: missing field '{}'", name));
    return j.at(name);
}

template <class J>
std::string str(const J& j, const char* name) {
    const J& v = field(j, name);
    if (!v.is_string()) throw Error(fmt::format("state: field '{}' is not a string", name));
    return v.template get<std::string>();
}

template <class J>
std::vector<IpAddress> addresses(const J& j, const char* name) {
    std::vector<IpAddress> out;
    if (j.contains(name))
        for (const auto& x : j.at(name))
            out.push_back(parse_address(x.template get<std::string>(), name));
    return out;
}

template <class J>
std::vector<DomainName> domains(const J& j, const char* name) {
    std::vector<DomainName> out;
    if (j.contains(name))
        for (const auto& x : j.at(name))
            out.push_back(parse_domain_name(x.template get<std::string>(), name));
    return out;
}

template <class J>
Lifetime lifetime(const J& j, const char* name) {
    return Lifetime{j.contains(name) ? j.at(name).template get<std::uint32_t>() : 0};
}

template <class J>
Ppp4Facts ppp4_from_json(const J& p) {
    Ppp4Facts x;
    x.local = parse_address(str(p, "local"), Family::v4, "ppp4.local");
    if (p.contains("remote")) x.remote = parse_address(str(p, "remote"), Family::v4, "ppp4.remote");
    x.dns = addresses(p, "dns");
    x.ipparam = p.value("ipparam", "");
    return x;
}

template <class J>
Ppp6Facts ppp6_from_json(const J& p) {
    Ppp6Facts x;
    x.link_local = parse_address(str(p, "link-local"), Family::v6, "ppp6.link-local");
    if (p.contains("peer-link-local"))
        x.peer_link_local =
            parse_address(str(p, "peer-link-local"), Family::v6, "ppp6.peer-link-local");
    x.ipparam = p.value("ipparam", "");
    return x;
}

template <class J>
Dhcp4Facts dhcp4_from_json(const J& p, Timestamp reported) {
    Dhcp4Facts x;
    x.address = parse_interface_address(str(p, "address"), "dhcp4.address");
    x.routers = addresses(p, "routers");
    x.dns = addresses(p, "dns");
    x.domain_search = domains(p, "domain-search");
    x.lease_seconds = p.value("lease-seconds", 0u);
    x.reported = p.value("reported", reported);
    return x;
}

template <class J>
Dhcp6Facts dhcp6_from_json(const J& p, Timestamp reported) {
    Dhcp6Facts x;
    for (const auto& a : array_member(p, "addresses"))
        x.addresses.push_back(
            AddressLease{parse_address(str(a, "address"), Family::v6, "dhcp6.address"),
                         lifetime(a, "preferred"), lifetime(a, "valid")});
    for (const auto& a : array_member(p, "prefixes"))
        x.prefixes.push_back(PrefixLease{parse_prefix(str(a, "prefix"), "dhcp6.prefix"),
                                         a.value("iaid", 0u), lifetime(a, "preferred"),
                                         lifetime(a, "valid")});
    x.dns = addresses(p, "dns");
    x.domain_search = domains(p, "domain-search");
    x.reported = p.value("reported", reported);
    return x;
}

template <class J>
RaFacts ra_from_json(const J& j, Timestamp reported) {
    RaFacts x;
    x.reported = j.value("reported", reported);
    for (const auto& r : array_member(j, "routers")) {
        RaRouter rr;
        rr.from = parse_address(str(r, "from"), Family::v6, "ra.from");
        rr.router_lifetime = r.value("router-lifetime", 0u);
        rr.flags = r.value("flags", "");
        for (const auto& p : array_member(r, "prefixes"))
            rr.prefixes.push_back(RaPrefix{parse_prefix(str(p, "prefix"), "ra.prefix"),
                                           p.value("on-link", false), p.value("autonomous", false),
                                           lifetime(p, "preferred"), lifetime(p, "valid")});
        rr.rdnss = addresses(r, "rdnss");
        rr.dnssl = domains(r, "dnssl");
        for (const auto& a : array_member(r, "addresses"))
            rr.addresses.push_back(
                parse_interface_address(a.template get<std::string>(), "ra.addresses"));
        x.routers.push_back(rr);
    }
    return x;
}

template <class J>
KernelLinkFacts kernel_from_json(const J& j) {
    KernelLinkFacts x;
    x.up = j.value("up", false);
    x.lower_up = j.value("lower-up", false);
    x.reported = j.value("reported", Timestamp{0});
    for (const auto& a : array_member(j, "addresses")) {
        KernelAddress k;
        k.address = parse_interface_address(str(a, "address"), "kernel.address");
        for (const auto& flag : array_member(a, "flags"))
            if (!set_flag(k, flag.template get<std::string>()))
                throw Error(fmt::format("state: kernel.flags: unknown flag '{}'",
                                        flag.template get<std::string>()));
        k.preferred = lifetime(a, "preferred");
        k.valid = lifetime(a, "valid");
        x.addresses.push_back(k);
    }
    return x;
}

template <class J>
InterfaceFacts interface_facts_from_json(const J& j) {
    InterfaceFacts f;
    f.updated = j.value("updated", Timestamp{0});
    // State written before lease times were kept: the last change stands in.
    const Timestamp reported = f.updated;
    if (j.contains("carrier")) f.carrier = j.at("carrier").template get<bool>();
    if (j.contains("ppp4")) f.ppp4 = ppp4_from_json(j.at("ppp4"));
    if (j.contains("ppp6")) f.ppp6 = ppp6_from_json(j.at("ppp6"));
    if (j.contains("dhcp4")) f.dhcp4 = dhcp4_from_json(j.at("dhcp4"), reported);
    if (j.contains("dhcp6")) f.dhcp6 = dhcp6_from_json(j.at("dhcp6"), reported);
    if (j.contains("ra")) f.ra = ra_from_json(j.at("ra"), reported);
    if (j.contains("delegated")) {
        DelegatedFacts x;
        for (const auto& a : array_member(j.at("delegated"), "addresses"))
            x.addresses.push_back(
                parse_interface_address(a.template get<std::string>(), "delegated.addresses"));
        f.delegated = x;
    }
    if (j.contains("kernel")) f.kernel = kernel_from_json(j.at("kernel"));
    return f;
}

template <class J>
Facts facts_from_tree(const J& j) {
    Facts f;
    f.boot_id = j.value("boot-id", "");
    if (f.boot_id.size() > 64 || !std::all_of(f.boot_id.begin(), f.boot_id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
        }))
        throw Error("facts: boot-id is not a boot id");
    const J& interfaces = object_member(j, "interfaces");
    const J& retired = object_member(j, "retired-prefixes");
    for (const auto& [name, v] : interfaces.items())
        f.interfaces[parse_interface_name(name, "facts.interfaces")] = interface_facts_from_json(v);
    for (const auto& [lan, list] : retired.items())
        for (const auto& r : list)
            f.retired[lan].push_back(
                RetiredPrefix{parse_prefix(str(r, "prefix"), "retired-prefixes"),
                              r.value("since", Timestamp{0})});
    return f;
}

template <class J>
Command command_from_tree(const J& j) {
    return Command{j.at("argv").template get<std::vector<std::string>>(),
                   j.value("timeout-ms", 5000u)};
}

template <class J>
ServiceAction service_from_tree(const J& j) {
    ServiceAction s;
    const std::string k = str(j, "kind");
    if (k == "reload")
        s.kind = ServiceAction::Kind::reload;
    else if (k == "restart")
        s.kind = ServiceAction::Kind::restart;
    else if (k == "try-restart")
        s.kind = ServiceAction::Kind::try_restart;
    else if (k == "signal-pidfile")
        s.kind = ServiceAction::Kind::signal_pidfile;
    else if (k == "command")
        s.kind = ServiceAction::Kind::command;
    else
        throw Error("state: unknown service action kind '" + k + "'");
    s.unit = j.value("unit", "");
    s.pidfile = j.value("pidfile", "");
    s.program = j.value("program", "");
    if (s.kind == ServiceAction::Kind::signal_pidfile && s.program.empty())
        s.program = program_of_pidfile(s.pidfile);
    if (j.contains("command")) s.command = command_from_tree(j.at("command"));
    return s;
}

template <class E>
E enum_from(const std::string& text, std::initializer_list<E> values, const char* what) {
    for (E v : values)
        if (to_string(v) == text) return v;
    throw Error(fmt::format("state: unknown {} '{}'", what, text));
}

template <class J>
Object object_from_tree(const J& j) {
    const std::string kind = str(j, "kind");
    if (kind == "sysctl") return SysctlObject{str(j, "key"), str(j, "value")};
    if (kind == "rule") {
        RuleObject r;
        r.family = str(j, "family") == "ipv4" ? Family::v4 : Family::v6;
        r.priority = j.value("priority", 0u);
        if (j.contains("from")) r.from = parse_prefix(str(j, "from"), "rule.from");
        if (j.contains("to")) r.to = parse_prefix(str(j, "to"), "rule.to");
        if (j.contains("iif")) r.iif = parse_interface_name(str(j, "iif"), "rule.iif");
        if (j.contains("oif")) r.oif = parse_interface_name(str(j, "oif"), "rule.oif");
        if (j.contains("fwmark")) r.fwmark = j.at("fwmark").template get<std::uint32_t>();
        if (j.contains("fwmask")) r.fwmask = j.at("fwmask").template get<std::uint32_t>();
        r.action = enum_from(str(j, "action"),
                             {RuleAction::lookup, RuleAction::unreachable, RuleAction::blackhole,
                              RuleAction::prohibit},
                             "rule action");
        r.table = j.value("table", 0u);
        return r;
    }
    if (kind == "route") {
        RouteObject r;
        r.destination = parse_prefix(str(j, "to"), "route.to");
        if (j.contains("via")) r.via = parse_address(str(j, "via"), "route.via");
        if (j.contains("dev")) r.dev = parse_interface_name(str(j, "dev"), "route.dev");
        r.table = j.value("table", 254u);
        r.metric = j.value("metric", 0u);
        r.type = enum_from(
            str(j, "type"),
            {RouteType::unicast, RouteType::unreachable, RouteType::blackhole, RouteType::prohibit},
            "route type");
        return r;
    }
    if (kind == "file") {
        FileObject f;
        f.path = str(j, "path");
        f.content = str(j, "content");
        f.mode = j.value("mode", 0644u);
        f.owner = j.value("owner", "");
        f.group = j.value("group", "");
        f.validate = j.value("validate", std::vector<std::string>{});
        for (const auto& s : array_member(j, "on-change"))
            f.on_change.push_back(service_from_tree(s));
        return f;
    }
    if (kind == "dns") {
        DnsRecordObject d;
        d.server = str(j, "server");
        d.port = j.value("port", std::uint16_t{53});
        d.key_file = j.value("key-file", "");
        d.zone = str(j, "zone");
        d.name = str(j, "name");
        d.type = enum_from(str(j, "type"), {DnsType::a, DnsType::aaaa}, "dns type");
        d.value = parse_address(str(j, "value"), "dns.value");
        d.ttl = j.value("ttl", 300u);
        return d;
    }
    throw Error("state: unknown object kind '" + kind + "'");
}

template <class J>
OwnedObject owned_from_tree(const J& j) {
    return OwnedObject{object_from_tree(j), j.value("origin", ""),
                       j.value("depends-on", std::vector<std::string>{})};
}

}  // namespace

// state.json's parts, read from its tree; an action's object, read from a journal line
// (the readers are templates on the tree type for that one).
Facts facts_from_json(const StateTree& j) {
    return facts_from_tree(j);
}
ServiceAction service_from_json(const StateTree& j) {
    return service_from_tree(j);
}
OwnedObject owned_from_json(const StateTree& j) {
    return owned_from_tree(j);
}
Object object_from_json(const Json& j) {
    return object_from_tree(j);
}

namespace {

// Whether `s` is valid UTF-8 (what a JSON string can hold): no stray continuation
// bytes, no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x80) {
            ++i;
            continue;
        }
        std::size_t extra = 0;
        std::uint32_t cp = 0;
        if (c >= 0xc2 && c <= 0xdf) {
            extra = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            extra = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            extra = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + extra >= s.size()) return false;
        for (std::size_t k = 1; k <= extra; ++k) {
            const auto b = static_cast<unsigned char>(s[i + k]);
            if ((b & 0xc0) != 0x80) return false;
            cp = (cp << 6) | (b & 0x3fu);
        }
        if ((extra == 2 && cp < 0x800) || (extra == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += extra + 1;
    }
    return true;
}

// state.json's reader: JSON as RFC 8259 and nlohmann's parser take it (UTF-8 text,
// \u escapes with surrogate pairs, a leading byte order mark skipped, the last of two
// equal member names kept), into the same tree nlohmann would build, but without its
// lexer, which copies every character into a token buffer twice (callgrind, a RENEW6
// that saves: 1.78 -> 1.62 M instructions; store_test compares the two on valid, damaged
// and hostile texts). Integers only: a fraction, an exponent or a number beyond 64 bits is
// refused as refuse_floats refuses it. Nesting deeper than state.json ever does is
// refused too, so that a damaged file cannot exhaust the stack.
class StateReader {
public:
    // The text ends at its first NUL byte, as nlohmann's parser has it (a NUL after the
    // value is the end of the input there; one inside a string is refused by both).
    // So a file whose tail a crash left as zeros reads as the JSON before them.
    StateReader(const char* first, const char* last)
        : begin_(first), p_(first), end_(std::find(first, last, '\0')) {}

    StateTree read() {
        if (end_ - p_ >= 3 && std::string_view(p_, 3) == "\xef\xbb\xbf") p_ += 3;
        StateTree v = value(0);
        skip_space();
        if (p_ != end_) fail("text after the value");
        return v;
    }

private:
    static constexpr int max_depth = 64;

    [[noreturn]] void fail(const char* what) const {
        throw std::invalid_argument(fmt::format("{} at byte {}", what, p_ - begin_));
    }
    void skip_space() {
        while (p_ != end_ && (*p_ == ' ' || *p_ == '\t' || *p_ == '\n' || *p_ == '\r')) ++p_;
    }
    bool at(char c) const { return p_ != end_ && *p_ == c; }

    StateTree value(int depth) {
        if (depth > max_depth) fail("nested too deeply");
        skip_space();
        if (p_ == end_) fail("unexpected end of the text");
        switch (*p_) {
        case '{': return object(depth);
        case '[': return array(depth);
        case '"': return StateTree(string());
        case 't': return literal("true"), StateTree(true);
        case 'f': return literal("false"), StateTree(false);
        case 'n': return literal("null"), StateTree(nullptr);
        default: return number();
        }
    }

    void literal(std::string_view word) {
        if (static_cast<std::size_t>(end_ - p_) < word.size() ||
            std::string_view(p_, word.size()) != word)
            fail("invalid literal");
        p_ += word.size();
    }

    StateTree object(int depth) {
        ++p_;
        StateTree out = StateTree::object();
        skip_space();
        if (at('}')) {
            ++p_;
            return out;
        }
        for (;;) {
            skip_space();
            if (!at('"')) fail("expected a member name");
            std::string key = string();
            skip_space();
            if (!at(':')) fail("expected ':'");
            ++p_;
            out[std::move(key)] = value(depth + 1);
            skip_space();
            if (at(',')) {
                ++p_;
                continue;
            }
            if (at('}')) {
                ++p_;
                return out;
            }
            fail("expected ',' or '}'");
        }
    }

    StateTree array(int depth) {
        ++p_;
        StateTree out = StateTree::array();
        skip_space();
        if (at(']')) {
            ++p_;
            return out;
        }
        for (;;) {
            out.push_back(value(depth + 1));
            skip_space();
            if (at(',')) {
                ++p_;
                continue;
            }
            if (at(']')) {
                ++p_;
                return out;
            }
            fail("expected ',' or ']'");
        }
    }

    void append_text(std::string& out, const char* from) {
        const std::string_view text(from, static_cast<std::size_t>(p_ - from));
        if (!valid_utf8(text)) fail("a string that is not UTF-8");
        out.append(text);
    }

    unsigned hex4() {
        if (end_ - p_ < 4) fail("a \\u escape cut short");
        unsigned v = 0;
        for (int i = 0; i < 4; ++i, ++p_) {
            const char c = *p_;
            v <<= 4;
            if (c >= '0' && c <= '9')
                v |= static_cast<unsigned>(c - '0');
            else if (c >= 'a' && c <= 'f')
                v |= static_cast<unsigned>(c - 'a' + 10);
            else if (c >= 'A' && c <= 'F')
                v |= static_cast<unsigned>(c - 'A' + 10);
            else
                fail("a \\u escape that is not hex");
        }
        return v;
    }

    static void append_utf8(std::string& out, unsigned cp) {
        if (cp < 0x80) {
            out += static_cast<char>(cp);
        } else if (cp < 0x800) {
            out += static_cast<char>(0xc0 | cp >> 6);
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else if (cp < 0x10000) {
            out += static_cast<char>(0xe0 | cp >> 12);
            out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        } else {
            out += static_cast<char>(0xf0 | cp >> 18);
            out += static_cast<char>(0x80 | (cp >> 12 & 0x3f));
            out += static_cast<char>(0x80 | (cp >> 6 & 0x3f));
            out += static_cast<char>(0x80 | (cp & 0x3f));
        }
    }

    std::string string() {
        ++p_;  // the opening quote
        std::string out;
        const char* run = p_;
        for (;;) {
            if (p_ == end_) fail("a string without its closing quote");
            const auto c = static_cast<unsigned char>(*p_);
            if (c == '"') {
                append_text(out, run);
                ++p_;
                return out;
            }
            if (c < 0x20) fail("a control character in a string");
            if (c != '\\') {
                ++p_;
                continue;
            }
            append_text(out, run);
            if (++p_ == end_) fail("a string without its closing quote");
            switch (*p_++) {
            case '"': out += '"'; break;
            case '\\': out += '\\'; break;
            case '/': out += '/'; break;
            case 'b': out += '\b'; break;
            case 'f': out += '\f'; break;
            case 'n': out += '\n'; break;
            case 'r': out += '\r'; break;
            case 't': out += '\t'; break;
            case 'u': {
                unsigned cp = hex4();
                if (cp >= 0xdc00 && cp <= 0xdfff) fail("a lone low surrogate");
                if (cp >= 0xd800 && cp <= 0xdbff) {
                    if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u')
                        fail("a high surrogate without its low one");
                    p_ += 2;
                    const unsigned low = hex4();
                    if (low < 0xdc00 || low > 0xdfff) fail("a high surrogate without its low one");
                    cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
                }
                append_utf8(out, cp);
                break;
            }
            default: --p_, fail("an invalid escape");
            }
            run = p_;
        }
    }

    StateTree number() {
        const char* start = p_;
        const bool negative = at('-');
        if (negative) ++p_;
        const char* digits = p_;
        if (p_ == end_ || *p_ < '0' || *p_ > '9') fail("invalid literal");
        if (*p_ == '0')
            ++p_;
        else
            while (p_ != end_ && *p_ >= '0' && *p_ <= '9') ++p_;
        std::uint64_t v = 0;
        const bool fraction = at('.') || at('e') || at('E');
        const auto [end, ec] = std::from_chars(digits, p_, v);
        if (fraction || ec != std::errc() || end != p_ ||
            (negative && v > std::uint64_t{1} << 63)) {
            const char* stop = p_;
            while (stop != end_ && stop - start < 40 &&
                   std::string_view("0123456789.eE+-").find(*stop) != std::string_view::npos)
                ++stop;
            throw std::invalid_argument(fmt::format(
                "a number hookctl would not write (a fraction, an exponent, or "
                "beyond 64 bits): {} at byte {}",
                std::string_view(start, static_cast<std::size_t>(stop - start)), start - begin_));
        }
        if (!negative) return StateTree(v);
        return StateTree(v == std::uint64_t{1} << 63 ? std::numeric_limits<std::int64_t>::min()
                                                     : -static_cast<std::int64_t>(v));
    }

    const char* begin_;
    const char* p_;
    const char* end_;
};

std::string raw_value_from_json(const Json& j) {
    if (j.is_string()) return j.get<std::string>();
    const std::string hex = j.at("hex").get<std::string>();
    if (hex.size() % 2 != 0) throw Error("journal: odd hex value");
    std::string out;
    for (std::size_t i = 0; i < hex.size(); i += 2)
        out += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
    return out;
}

}  // namespace

namespace {

// A JSON string of valid UTF-8 `s`: quote, backslash and control characters
// escaped, everything else as is (what nlohmann's dump() writes).
void append_json_string(std::string& out, std::string_view s) {
    out += '"';
    // Runs of characters that need no escape are appended whole (a file's content is
    // most of state.json; one push_back per character was a tenth of a hook run).
    auto plain = [](unsigned char c) { return c >= 0x20 && c != '"' && c != '\\'; };
    for (std::size_t i = 0; i < s.size();) {
        std::size_t run = i;
        while (run < s.size() && plain(static_cast<unsigned char>(s[run]))) ++run;
        out.append(s.data() + i, run - i);
        if (run == s.size()) break;
        i = run + 1;
        const auto c = static_cast<unsigned char>(s[run]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:  // the other control characters
            fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
        }
    }
    out += '"';
}

// A name (an environment variable's, a script's): the parsers refuse one that is not
// UTF-8, and the journal keeps it with U+FFFD for the bad bytes (nlohmann's
// replacing dump).
void append_name(std::string& out, const std::string& s) {
    if (valid_utf8(s)) return append_json_string(out, s);
    out += Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A value as the daemon passed it: a JSON string when it is text, else {"hex": ...}
// so that replay feeds the parser exactly the bytes it got the first time.
void append_raw_value(std::string& out, const std::string& v) {
    if (valid_utf8(v)) return append_json_string(out, v);
    out += "{\"hex\":\"";
    for (unsigned char c : v) fmt::format_to(std::back_inserter(out), "{:02x}", c);
    out += "\"}";
}

template <class Range, class Write>
void append_array(std::string& out, const Range& items, Write write) {
    out += '[';
    bool first = true;
    for (const auto& x : items) {
        if (!first) out += ',';
        first = false;
        write(x);
    }
    out += ']';
}

void write_lease(JsonWriter& w, const Lifetime& preferred, const Lifetime& valid) {
    w.member("preferred", preferred.seconds);
    w.member("valid", valid.seconds);
}

std::string domain_text(const DomainName& d) {
    return d.str();
}

void write_ra(JsonWriter& w, const RaFacts& ra) {
    w.begin_object();
    w.member("reported", ra.reported);
    w.key("routers");
    w.begin_array();
    for (const auto& r : ra.routers) {
        w.begin_object();
        w.member("from", r.from.to_string());
        w.member("router-lifetime", r.router_lifetime);
        w.member("flags", r.flags);
        w.key("prefixes");
        w.begin_array();
        for (const auto& p : r.prefixes) {
            w.begin_object();
            write_lease(w, p.preferred, p.valid);
            w.member("prefix", p.prefix.to_string());
            w.member("on-link", p.on_link);
            w.member("autonomous", p.autonomous);
            w.end_object();
        }
        w.end_array();
        w.strings("rdnss", r.rdnss);
        w.strings("dnssl", r.dnssl, domain_text);
        w.strings("addresses", r.addresses);
        w.end_object();
    }
    w.end_array();
    w.end_object();
}

void write_kernel(JsonWriter& w, const KernelLinkFacts& k) {
    w.begin_object();
    w.member("up", k.up);
    w.member("lower-up", k.lower_up);
    w.key("addresses");
    w.begin_array();
    for (const auto& a : k.addresses) {
        w.begin_object();
        write_lease(w, a.preferred, a.valid);
        w.member("address", a.address.to_string());
        w.strings("flags", flag_names(a), [](const std::string& f) { return f; });
        w.end_object();
    }
    w.end_array();
    w.member("reported", k.reported);
    w.end_object();
}

void write_interface(JsonWriter& w, const InterfaceFacts& f) {
    w.begin_object();
    if (f.carrier) w.member("carrier", *f.carrier);
    if (f.ppp4) {
        w.key("ppp4");
        w.begin_object();
        w.member("local", f.ppp4->local.to_string());
        if (f.ppp4->remote) w.member("remote", f.ppp4->remote->to_string());
        w.strings("dns", f.ppp4->dns);
        w.member("ipparam", f.ppp4->ipparam);
        w.end_object();
    }
    if (f.ppp6) {
        w.key("ppp6");
        w.begin_object();
        w.member("link-local", f.ppp6->link_local.to_string());
        if (f.ppp6->peer_link_local)
            w.member("peer-link-local", f.ppp6->peer_link_local->to_string());
        w.member("ipparam", f.ppp6->ipparam);
        w.end_object();
    }
    if (f.dhcp4) {
        w.key("dhcp4");
        w.begin_object();
        w.member("address", f.dhcp4->address.to_string());
        w.strings("routers", f.dhcp4->routers);
        w.strings("dns", f.dhcp4->dns);
        w.strings("domain-search", f.dhcp4->domain_search, domain_text);
        w.member("lease-seconds", f.dhcp4->lease_seconds);
        w.member("reported", f.dhcp4->reported);
        w.end_object();
    }
    if (f.dhcp6) {
        w.key("dhcp6");
        w.begin_object();
        w.member("reported", f.dhcp6->reported);
        w.key("addresses");
        w.begin_array();
        for (const auto& a : f.dhcp6->addresses) {
            w.begin_object();
            write_lease(w, a.preferred, a.valid);
            w.member("address", a.address.to_string());
            w.end_object();
        }
        w.end_array();
        w.key("prefixes");
        w.begin_array();
        for (const auto& p : f.dhcp6->prefixes) {
            w.begin_object();
            write_lease(w, p.preferred, p.valid);
            w.member("prefix", p.prefix.to_string());
            w.member("iaid", p.iaid);
            w.end_object();
        }
        w.end_array();
        w.strings("dns", f.dhcp6->dns);
        w.strings("domain-search", f.dhcp6->domain_search, domain_text);
        w.end_object();
    }
    if (f.ra) {
        w.key("ra");
        write_ra(w, *f.ra);
    }
    if (f.delegated) {
        w.key("delegated");
        w.begin_object();
        w.strings("addresses", f.delegated->addresses);
        w.end_object();
    }
    if (f.kernel) {
        w.key("kernel");
        write_kernel(w, *f.kernel);
    }
    w.member("updated", f.updated);
    w.end_object();
}

void write_facts(JsonWriter& w, const Facts& f) {
    w.begin_object();
    w.key("interfaces");
    w.begin_object();
    for (const auto& [name, facts] : f.interfaces) {
        w.key(name.str());
        write_interface(w, facts);
    }
    w.end_object();
    w.key("retired-prefixes");
    w.begin_object();
    for (const auto& [lan, list] : f.retired) {
        w.key(lan);
        w.begin_array();
        for (const auto& r : list) {
            w.begin_object();
            w.member("prefix", r.prefix.to_string());
            w.member("since", r.since);
            w.end_object();
        }
        w.end_array();
    }
    w.end_object();
    if (!f.boot_id.empty()) w.member("boot-id", f.boot_id);
    w.end_object();
}

std::string same(const std::string& s) {
    return s;
}

void write_command(JsonWriter& w, const Command& c) {
    w.begin_object();
    w.strings("argv", c.argv, same);
    w.member("timeout-ms", c.timeout_ms);
    w.end_object();
}

void write_service(JsonWriter& w, const ServiceAction& s) {
    static const char* kinds[] = {"reload", "restart", "try-restart", "signal-pidfile", "command"};
    w.begin_object();
    w.member("kind", kinds[static_cast<int>(s.kind)]);
    if (!s.unit.empty()) w.member("unit", s.unit);
    if (!s.pidfile.empty()) w.member("pidfile", s.pidfile);
    if (!s.program.empty()) w.member("program", s.program);
    if (!s.command.argv.empty()) {
        w.key("command");
        write_command(w, s.command);
    }
    w.end_object();
}

// The object's members, without the braces (an owned object adds its own after them).
void write_object_members(JsonWriter& w, const Object& o) {
    w.member("kind", kind_of(o));
    std::visit(overloaded{
                   [&](const SysctlObject& s) {
                       w.member("key", s.key);
                       w.member("value", s.value);
                   },
                   [&](const RuleObject& r) {
                       w.member("family", r.family == Family::v4 ? "ipv4" : "ipv6");
                       w.member("priority", r.priority);
                       if (r.from) w.member("from", r.from->to_string());
                       if (r.to) w.member("to", r.to->to_string());
                       if (r.iif) w.member("iif", r.iif->str());
                       if (r.oif) w.member("oif", r.oif->str());
                       if (r.fwmark) w.member("fwmark", *r.fwmark);
                       if (r.fwmask) w.member("fwmask", *r.fwmask);
                       w.member("action", to_string(r.action));
                       w.member("table", r.table);
                   },
                   [&](const RouteObject& r) {
                       w.member("to", r.destination.to_string());
                       if (r.via) w.member("via", r.via->to_string());
                       if (r.dev) w.member("dev", r.dev->str());
                       w.member("table", r.table);
                       w.member("metric", r.metric);
                       w.member("type", to_string(r.type));
                   },
                   [&](const FileObject& f) {
                       w.member("path", f.path);
                       w.member("content", f.content);
                       w.member("mode", f.mode);
                       w.member("owner", f.owner);
                       w.member("group", f.group);
                       w.strings("validate", f.validate, same);
                       w.key("on-change");
                       w.begin_array();
                       for (const auto& s : f.on_change) write_service(w, s);
                       w.end_array();
                   },
                   [&](const DnsRecordObject& d) {
                       w.member("server", d.server);
                       w.member("port", d.port);
                       w.member("key-file", d.key_file);
                       w.member("zone", d.zone);
                       w.member("name", d.name);
                       w.member("type", to_string(d.type));
                       w.member("value", d.value.to_string());
                       w.member("ttl", d.ttl);
                   },
               },
               o);
}

void write_owned(JsonWriter& w, const OwnedObject& o) {
    w.begin_object();
    write_object_members(w, o.object);
    w.member("origin", o.origin);
    w.strings("depends-on", o.depends_on, same);
    w.end_object();
}

// One serialiser per type: the trees below are the writer's text, parsed (for output
// and the journal; the hook's hot path, state.json, uses the text itself).
template <class Write>
Json parsed(Write write) {
    std::string text;
    JsonWriter w(text);
    write(w);
    return Json::parse(text);
}

}  // namespace

StateTree parse_state_tree(const char* first, const char* last) {
    return StateReader(first, last).read();
}

void JsonWriter::key(std::string_view k) {
    if (!first_) out_ += ',';
    append_json_string(out_, k);  // member names are hookctl's own, or names it checked
    out_ += ':';
    after_key_ = true;
}

void JsonWriter::string(const std::string& v) {
    start_value();
    append_name(out_, v);
    first_ = false;
}

void append_json_text(std::string& out, const RawEvent& e) {
    out += "{\"source\":";
    append_json_string(out, to_string(e.source));
    out += ",\"script\":";
    append_name(out, e.script);
    out += ",\"args\":";
    append_array(out, e.args, [&](const std::string& a) { append_raw_value(out, a); });
    out += ",\"env\":{";
    bool first = true;
    for (const auto& [k, v] : e.env) {
        if (!first) out += ',';
        first = false;
        append_name(out, k);
        out += ':';
        append_raw_value(out, v);
    }
    out += "},\"duplicated\":";
    append_array(out, e.duplicated, [&](const std::string& d) { append_name(out, d); });
    fmt::format_to(std::back_inserter(out), ",\"time\":{}", e.time);
    if (!e.kernel.empty()) {
        out += ",\"kernel\":";
        append_array(out, e.kernel, [&](const std::string& l) { append_raw_value(out, l); });
    }
    out += '}';
}

// One serialiser: the tree is the text's, parsed (not on a hook's path: output and the
// journal entry of a config that failed to load).
Json to_json(const RawEvent& e) {
    std::string text;
    append_json_text(text, e);
    return Json::parse(text);
}

RawEvent raw_event_from_json(const Json& j) {
    RawEvent e;
    const std::string source = str(j, "source");
    if (source == "dhcpcd")
        e.source = Source::dhcpcd;
    else if (source == "ppp")
        e.source = Source::ppp;
    else if (source == "kernel")
        e.source = Source::kernel;
    else
        throw Error("journal: unknown event source '" + source + "'");
    e.script = j.value("script", "");
    for (const auto& a : j.value("args", Json::array())) e.args.push_back(raw_value_from_json(a));
    const Json env = j.value("env", Json::object());
    for (const auto& [k, v] : env.items()) e.env[k] = raw_value_from_json(v);
    e.duplicated = j.value("duplicated", std::vector<std::string>{});
    for (const auto& l : j.value("kernel", Json::array()))
        e.kernel.push_back(raw_value_from_json(l));
    e.time = j.value("time", Timestamp{0});
    return e;
}

void write_json(JsonWriter& w, const Transition& t) {
    static const char* kinds[] = {"added", "removed", "changed"};
    w.begin_object();
    w.member("kind", kinds[static_cast<int>(t.kind)]);
    w.member("interface", t.interface.str());
    w.member("subject", t.subject);
    w.member("before", t.before);
    w.member("after", t.after);
    w.member("text", t.to_string());
    w.end_object();
}

void write_action_members(JsonWriter& w, const Action& a) {
    w.member("op", to_string(a.op));
    w.member("describe", a.describe());
    w.member("origin", a.origin);
    w.member("why", a.why);
    if (a.object) {
        w.key("object");
        w.begin_object();
        write_object_members(w, *a.object);
        w.end_object();
    }
    if (a.previous) {
        w.key("previous");
        w.begin_object();
        write_object_members(w, *a.previous);
        w.end_object();
    }
    if (a.op == Action::Op::run) {
        w.key("command");
        write_command(w, a.command);
    }
    if (a.op == Action::Op::reload) {
        w.key("service");
        write_service(w, a.service);
        w.key("after");
        w.begin_array();
        for (std::size_t i : a.after) w.integer(i);
        w.end_array();
    }
}

Json to_json(const Transition& t) {
    return parsed([&](JsonWriter& w) { write_json(w, t); });
}

Json to_json(const Action& a) {
    return parsed([&](JsonWriter& w) {
        w.begin_object();
        write_action_members(w, a);
        w.end_object();
    });
}

Json to_json(const InterfaceFacts& f) {
    return parsed([&](JsonWriter& w) { write_interface(w, f); });
}

Json to_json(const Facts& f) {
    return parsed([&](JsonWriter& w) { write_facts(w, f); });
}

Json to_json(const Command& c) {
    return parsed([&](JsonWriter& w) { write_command(w, c); });
}

Json to_json(const ServiceAction& s) {
    return parsed([&](JsonWriter& w) { write_service(w, s); });
}

Json to_json(const Object& o) {
    return parsed([&](JsonWriter& w) {
        w.begin_object();
        write_object_members(w, o);
        w.end_object();
    });
}

Json to_json(const OwnedObject& o) {
    return parsed([&](JsonWriter& w) { write_owned(w, o); });
}

std::string state_json_text(const Facts& facts, const std::vector<OwnedObject>& applied,
                            const std::vector<ServiceAction>& pending) {
    std::string text;
    text.reserve(4096);
    JsonWriter w(text);
    w.begin_object();
    w.key("facts");
    write_facts(w, facts);
    w.key("applied");
    w.begin_array();
    for (const auto& o : applied) write_owned(w, o);
    w.end_array();
    if (!pending.empty()) {
        w.key("pending-reloads");
        w.begin_array();
        for (const auto& x : pending) write_service(w, x);
        w.end_array();
    }
    w.end_object();
    text += '\n';
    return text;
}

}  // namespace hookctl
