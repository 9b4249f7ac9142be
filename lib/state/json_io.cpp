// JSON (de)serialisation; see json_io.hpp. Field names are kebab-case like the config.
#include "json_io.hpp"

#include "overloaded.hpp"

#include <fmt/format.h>

#include <algorithm>
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

// Reads a required field, with the field path in the error.
const Json& field(const Json& j, const char* name) {
    if (!j.is_object() || !j.contains(name))
        throw Error(fmt::format("state: missing field '{}'", name));
    return j.at(name);
}

std::string str(const Json& j, const char* name) {
    const Json& v = field(j, name);
    if (!v.is_string()) throw Error(fmt::format("state: field '{}' is not a string", name));
    return v.get<std::string>();
}

template <class T>
Json list(const std::vector<T>& v) {
    Json out = Json::array();
    for (const auto& x : v) out.push_back(x.to_string());
    return out;
}

std::vector<IpAddress> addresses(const Json& j, const char* name) {
    std::vector<IpAddress> out;
    if (j.contains(name))
        for (const auto& x : j.at(name)) out.push_back(parse_address(x.get<std::string>(), name));
    return out;
}

std::vector<DomainName> domains(const Json& j, const char* name) {
    std::vector<DomainName> out;
    if (j.contains(name))
        for (const auto& x : j.at(name))
            out.push_back(parse_domain_name(x.get<std::string>(), name));
    return out;
}

Json lease_json(const Lifetime& pl, const Lifetime& vl) {
    return Json{{"preferred", pl.seconds}, {"valid", vl.seconds}};
}

Lifetime lifetime(const Json& j, const char* name) {
    return Lifetime{j.contains(name) ? j.at(name).get<std::uint32_t>() : 0};
}

Json ra_json(const RaFacts& ra) {
    Json routers = Json::array();
    for (const auto& r : ra.routers) {
        Json prefixes = Json::array(), dnssl = Json::array();
        for (const auto& p : r.prefixes) {
            Json x = lease_json(p.preferred, p.valid);
            x["prefix"] = p.prefix.to_string();
            x["on-link"] = p.on_link;
            x["autonomous"] = p.autonomous;
            prefixes.push_back(x);
        }
        for (const auto& d : r.dnssl) dnssl.push_back(d.str());
        routers.push_back(Json{{"from", r.from.to_string()},
                               {"router-lifetime", r.router_lifetime},
                               {"flags", r.flags},
                               {"prefixes", prefixes},
                               {"rdnss", list(r.rdnss)},
                               {"dnssl", dnssl},
                               {"addresses", list(r.addresses)}});
    }
    return Json{{"reported", ra.reported}, {"routers", routers}};
}

Json kernel_json(const KernelLinkFacts& k) {
    Json addrs = Json::array();
    for (const auto& a : k.addresses) {
        Json x = lease_json(a.preferred, a.valid);
        x["address"] = a.address.to_string();
        x["flags"] = flag_names(a);
        addrs.push_back(x);
    }
    return Json{
        {"up", k.up}, {"lower-up", k.lower_up}, {"addresses", addrs}, {"reported", k.reported}};
}

}  // namespace

Json to_json(const InterfaceFacts& f) {
    Json j = Json::object();
    if (f.carrier) j["carrier"] = *f.carrier;
    if (f.ppp4) {
        Json p{{"local", f.ppp4->local.to_string()}};
        if (f.ppp4->remote) p["remote"] = f.ppp4->remote->to_string();
        p["dns"] = list(f.ppp4->dns);
        p["ipparam"] = f.ppp4->ipparam;
        j["ppp4"] = p;
    }
    if (f.ppp6) {
        Json p{{"link-local", f.ppp6->link_local.to_string()}};
        if (f.ppp6->peer_link_local) p["peer-link-local"] = f.ppp6->peer_link_local->to_string();
        p["ipparam"] = f.ppp6->ipparam;
        j["ppp6"] = p;
    }
    if (f.dhcp4) {
        j["dhcp4"] = Json{{"address", f.dhcp4->address.to_string()},
                          {"routers", list(f.dhcp4->routers)},
                          {"dns", list(f.dhcp4->dns)},
                          {"domain-search",
                           [&] {
                               Json a = Json::array();
                               for (const auto& d : f.dhcp4->domain_search) a.push_back(d.str());
                               return a;
                           }()},
                          {"lease-seconds", f.dhcp4->lease_seconds},
                          {"reported", f.dhcp4->reported}};
    }
    if (f.dhcp6) {
        Json addrs = Json::array(), prefixes = Json::array(), search = Json::array();
        for (const auto& a : f.dhcp6->addresses) {
            Json x = lease_json(a.preferred, a.valid);
            x["address"] = a.address.to_string();
            addrs.push_back(x);
        }
        for (const auto& p : f.dhcp6->prefixes) {
            Json x = lease_json(p.preferred, p.valid);
            x["prefix"] = p.prefix.to_string();
            x["iaid"] = p.iaid;
            prefixes.push_back(x);
        }
        for (const auto& d : f.dhcp6->domain_search) search.push_back(d.str());
        j["dhcp6"] = Json{{"reported", f.dhcp6->reported},
                          {"addresses", addrs},
                          {"prefixes", prefixes},
                          {"dns", list(f.dhcp6->dns)},
                          {"domain-search", search}};
    }
    if (f.ra) j["ra"] = ra_json(*f.ra);
    if (f.delegated) j["delegated"] = Json{{"addresses", list(f.delegated->addresses)}};
    if (f.kernel) j["kernel"] = kernel_json(*f.kernel);
    j["updated"] = f.updated;
    return j;
}

namespace {

Ppp4Facts ppp4_from_json(const Json& p) {
    Ppp4Facts x;
    x.local = parse_address(str(p, "local"), Family::v4, "ppp4.local");
    if (p.contains("remote")) x.remote = parse_address(str(p, "remote"), Family::v4, "ppp4.remote");
    x.dns = addresses(p, "dns");
    x.ipparam = p.value("ipparam", "");
    return x;
}

Ppp6Facts ppp6_from_json(const Json& p) {
    Ppp6Facts x;
    x.link_local = parse_address(str(p, "link-local"), Family::v6, "ppp6.link-local");
    if (p.contains("peer-link-local"))
        x.peer_link_local =
            parse_address(str(p, "peer-link-local"), Family::v6, "ppp6.peer-link-local");
    x.ipparam = p.value("ipparam", "");
    return x;
}

Dhcp4Facts dhcp4_from_json(const Json& p, Timestamp reported) {
    Dhcp4Facts x;
    x.address = parse_interface_address(str(p, "address"), "dhcp4.address");
    x.routers = addresses(p, "routers");
    x.dns = addresses(p, "dns");
    x.domain_search = domains(p, "domain-search");
    x.lease_seconds = p.value("lease-seconds", 0u);
    x.reported = p.value("reported", reported);
    return x;
}

Dhcp6Facts dhcp6_from_json(const Json& p, Timestamp reported) {
    Dhcp6Facts x;
    for (const auto& a : p.value("addresses", Json::array()))
        x.addresses.push_back(
            AddressLease{parse_address(str(a, "address"), Family::v6, "dhcp6.address"),
                         lifetime(a, "preferred"), lifetime(a, "valid")});
    for (const auto& a : p.value("prefixes", Json::array()))
        x.prefixes.push_back(PrefixLease{parse_prefix(str(a, "prefix"), "dhcp6.prefix"),
                                         a.value("iaid", 0u), lifetime(a, "preferred"),
                                         lifetime(a, "valid")});
    x.dns = addresses(p, "dns");
    x.domain_search = domains(p, "domain-search");
    x.reported = p.value("reported", reported);
    return x;
}

RaFacts ra_from_json(const Json& j, Timestamp reported) {
    RaFacts x;
    x.reported = j.value("reported", reported);
    for (const auto& r : j.value("routers", Json::array())) {
        RaRouter rr;
        rr.from = parse_address(str(r, "from"), Family::v6, "ra.from");
        rr.router_lifetime = r.value("router-lifetime", 0u);
        rr.flags = r.value("flags", "");
        for (const auto& p : r.value("prefixes", Json::array()))
            rr.prefixes.push_back(RaPrefix{parse_prefix(str(p, "prefix"), "ra.prefix"),
                                           p.value("on-link", false), p.value("autonomous", false),
                                           lifetime(p, "preferred"), lifetime(p, "valid")});
        rr.rdnss = addresses(r, "rdnss");
        rr.dnssl = domains(r, "dnssl");
        for (const auto& a : r.value("addresses", Json::array()))
            rr.addresses.push_back(parse_interface_address(a.get<std::string>(), "ra.addresses"));
        x.routers.push_back(rr);
    }
    return x;
}

KernelLinkFacts kernel_from_json(const Json& j) {
    KernelLinkFacts x;
    x.up = j.value("up", false);
    x.lower_up = j.value("lower-up", false);
    x.reported = j.value("reported", Timestamp{0});
    for (const auto& a : j.value("addresses", Json::array())) {
        KernelAddress k;
        k.address = parse_interface_address(str(a, "address"), "kernel.address");
        for (const auto& flag : a.value("flags", Json::array()))
            if (!set_flag(k, flag.get<std::string>()))
                throw Error(
                    fmt::format("state: kernel.flags: unknown flag '{}'", flag.get<std::string>()));
        k.preferred = lifetime(a, "preferred");
        k.valid = lifetime(a, "valid");
        x.addresses.push_back(k);
    }
    return x;
}

InterfaceFacts interface_facts_from_json(const Json& j) {
    InterfaceFacts f;
    f.updated = j.value("updated", Timestamp{0});
    // State written before lease times were kept: the last change stands in.
    const Timestamp reported = f.updated;
    if (j.contains("carrier")) f.carrier = j.at("carrier").get<bool>();
    if (j.contains("ppp4")) f.ppp4 = ppp4_from_json(j.at("ppp4"));
    if (j.contains("ppp6")) f.ppp6 = ppp6_from_json(j.at("ppp6"));
    if (j.contains("dhcp4")) f.dhcp4 = dhcp4_from_json(j.at("dhcp4"), reported);
    if (j.contains("dhcp6")) f.dhcp6 = dhcp6_from_json(j.at("dhcp6"), reported);
    if (j.contains("ra")) f.ra = ra_from_json(j.at("ra"), reported);
    if (j.contains("delegated")) {
        DelegatedFacts x;
        for (const auto& a : j.at("delegated").value("addresses", Json::array()))
            x.addresses.push_back(
                parse_interface_address(a.get<std::string>(), "delegated.addresses"));
        f.delegated = x;
    }
    if (j.contains("kernel")) f.kernel = kernel_from_json(j.at("kernel"));
    return f;
}

}  // namespace

Json to_json(const Facts& f) {
    Json ifs = Json::object();
    for (const auto& [name, facts] : f.interfaces) ifs[name.str()] = to_json(facts);
    Json retired = Json::object();
    for (const auto& [lan, list] : f.retired) {
        Json a = Json::array();
        for (const auto& r : list)
            a.push_back(Json{{"prefix", r.prefix.to_string()}, {"since", r.since}});
        retired[lan] = a;
    }
    Json j{{"interfaces", ifs}, {"retired-prefixes", retired}};
    if (!f.boot_id.empty()) j["boot-id"] = f.boot_id;
    return j;
}

Facts facts_from_json(const Json& j) {
    Facts f;
    f.boot_id = j.value("boot-id", "");
    if (f.boot_id.size() > 64 || !std::all_of(f.boot_id.begin(), f.boot_id.end(), [](char c) {
            return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
        }))
        throw Error("facts: boot-id is not a boot id");
    // value() returns a copy: keep it alive for the loop (items() only refers to it).
    const Json interfaces = j.value("interfaces", Json::object());
    const Json retired = j.value("retired-prefixes", Json::object());
    for (const auto& [name, v] : interfaces.items())
        f.interfaces[parse_interface_name(name, "facts.interfaces")] = interface_facts_from_json(v);
    for (const auto& [lan, list] : retired.items())
        for (const auto& r : list)
            f.retired[lan].push_back(
                RetiredPrefix{parse_prefix(str(r, "prefix"), "retired-prefixes"),
                              r.value("since", Timestamp{0})});
    return f;
}

Json to_json(const Command& c) {
    return Json{{"argv", c.argv}, {"timeout-ms", c.timeout_ms}};
}

Command command_from_json(const Json& j) {
    return Command{j.at("argv").get<std::vector<std::string>>(), j.value("timeout-ms", 5000u)};
}

Json to_json(const ServiceAction& s) {
    static const char* kinds[] = {"reload", "restart", "try-restart", "signal-pidfile", "command"};
    Json j{{"kind", kinds[static_cast<int>(s.kind)]}};
    if (!s.unit.empty()) j["unit"] = s.unit;
    if (!s.pidfile.empty()) j["pidfile"] = s.pidfile;
    if (!s.program.empty()) j["program"] = s.program;
    if (!s.command.argv.empty()) j["command"] = to_json(s.command);
    return j;
}

ServiceAction service_from_json(const Json& j) {
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
    if (j.contains("command")) s.command = command_from_json(j.at("command"));
    return s;
}

Json to_json(const Object& o) {
    Json j{{"kind", kind_of(o)}};
    std::visit(overloaded{
                   [&](const SysctlObject& s) {
                       j["key"] = s.key;
                       j["value"] = s.value;
                   },
                   [&](const RuleObject& r) {
                       j["family"] = r.family == Family::v4 ? "ipv4" : "ipv6";
                       j["priority"] = r.priority;
                       if (r.from) j["from"] = r.from->to_string();
                       if (r.to) j["to"] = r.to->to_string();
                       if (r.iif) j["iif"] = r.iif->str();
                       if (r.oif) j["oif"] = r.oif->str();
                       if (r.fwmark) j["fwmark"] = *r.fwmark;
                       if (r.fwmask) j["fwmask"] = *r.fwmask;
                       j["action"] = to_string(r.action);
                       j["table"] = r.table;
                   },
                   [&](const RouteObject& r) {
                       j["to"] = r.destination.to_string();
                       if (r.via) j["via"] = r.via->to_string();
                       if (r.dev) j["dev"] = r.dev->str();
                       j["table"] = r.table;
                       j["metric"] = r.metric;
                       j["type"] = to_string(r.type);
                   },
                   [&](const FileObject& f) {
                       j["path"] = f.path;
                       j["content"] = f.content;
                       j["mode"] = f.mode;
                       j["owner"] = f.owner;
                       j["group"] = f.group;
                       j["validate"] = f.validate;
                       Json a = Json::array();
                       for (const auto& s : f.on_change) a.push_back(to_json(s));
                       j["on-change"] = a;
                   },
                   [&](const DnsRecordObject& d) {
                       j["server"] = d.server;
                       j["port"] = d.port;
                       j["key-file"] = d.key_file;
                       j["zone"] = d.zone;
                       j["name"] = d.name;
                       j["type"] = to_string(d.type);
                       j["value"] = d.value.to_string();
                       j["ttl"] = d.ttl;
                   },
               },
               o);
    return j;
}

namespace {

template <class E>
E enum_from(const std::string& text, std::initializer_list<E> values, const char* what) {
    for (E v : values)
        if (to_string(v) == text) return v;
    throw Error(fmt::format("state: unknown {} '{}'", what, text));
}

}  // namespace

Object object_from_json(const Json& j) {
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
        if (j.contains("fwmark")) r.fwmark = j.at("fwmark").get<std::uint32_t>();
        if (j.contains("fwmask")) r.fwmask = j.at("fwmask").get<std::uint32_t>();
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
        for (const auto& s : j.value("on-change", Json::array()))
            f.on_change.push_back(service_from_json(s));
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

Json to_json(const OwnedObject& o) {
    Json j = to_json(o.object);
    j["origin"] = o.origin;
    j["depends-on"] = o.depends_on;
    return j;
}

OwnedObject owned_from_json(const Json& j) {
    return OwnedObject{object_from_json(j), j.value("origin", ""),
                       j.value("depends-on", std::vector<std::string>{})};
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
    for (char ch : s) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20)
                fmt::format_to(std::back_inserter(out), "\\u{:04x}", static_cast<unsigned>(c));
            else
                out += ch;
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

}  // namespace

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

Json to_json(const Transition& t) {
    static const char* kinds[] = {"added", "removed", "changed"};
    return Json{{"kind", kinds[static_cast<int>(t.kind)]},
                {"interface", t.interface.str()},
                {"subject", t.subject},
                {"before", t.before},
                {"after", t.after},
                {"text", t.to_string()}};
}

Json to_json(const Action& a) {
    Json j{
        {"op", to_string(a.op)}, {"describe", a.describe()}, {"origin", a.origin}, {"why", a.why}};
    if (a.object) j["object"] = to_json(*a.object);
    if (a.previous) j["previous"] = to_json(*a.previous);
    if (a.op == Action::Op::run) j["command"] = to_json(a.command);
    if (a.op == Action::Op::reload) {
        j["service"] = to_json(a.service);
        j["after"] = a.after;
    }
    return j;
}

}  // namespace hookctl
