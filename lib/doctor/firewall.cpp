// The firewall walker; see firewall.hpp. Both tools' rules are first turned into
// one model (chains of rules, each rule a list of branches: a match that is yes, no
// or maybe for the packet, and what happens then), which one walker evaluates.
// nftables JSON: libnftables-json(5); ip6tables-save: iptables-save(8),
// iptables-extensions(8).
#include "firewall.hpp"

#include "json_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <optional>
#include <sstream>

namespace hookctl {

namespace {

// ---- three-valued logic ---------------------------------------------------------

enum class Tri { no, yes, maybe };

Tri tri_and(Tri a, Tri b) {
    if (a == Tri::no || b == Tri::no) return Tri::no;
    if (a == Tri::maybe || b == Tri::maybe) return Tri::maybe;
    return Tri::yes;
}
Tri tri_not(Tri a) {
    if (a == Tri::maybe) return a;
    return a == Tri::yes ? Tri::no : Tri::yes;
}
Tri tri_of(bool b) {
    return b ? Tri::yes : Tri::no;
}

// ---- the common model -----------------------------------------------------------

enum class Action { none, accept, drop, jump, go_to, back, unknown };

struct Branch {
    Tri match = Tri::yes;
    Action action = Action::none;
    std::string target;  // jump / goto
};

struct Rule {
    std::vector<Branch> branches;  // tried in order; a rule with a vmap has several
    std::string text;              // for evidence
    std::string unknown;           // what made a match "maybe" or the action unknown
};

struct Chain {
    std::string header;  // for evidence
    bool base = false;
    bool policy_drop = false;
    std::vector<Rule> rules;
};

struct Ruleset {
    std::map<std::string, Chain> chains;  // by key
    std::vector<std::string> base_order;  // input base chains, in priority order
};

struct Outcome {
    Action action = Action::accept;  // accept, drop, back (returned), unknown
    std::vector<std::string> evidence;
    std::string unknown;
};

class Walker {
public:
    explicit Walker(const Ruleset& rs) : rs_(rs) {}

    std::vector<Outcome> chain(const std::string& key, std::size_t from, int depth) {
        std::vector<Outcome> out;
        const auto it = rs_.chains.find(key);
        if (it == rs_.chains.end() || depth > 16 || ++steps_ > 20000) {
            out.push_back({Action::unknown, {}, "chain '" + key + "' not found or too deep"});
            return out;
        }
        const Chain& c = it->second;
        for (std::size_t i = from; i < c.rules.size(); ++i) {
            const Rule& r = c.rules[i];
            for (const Branch& b : r.branches) {
                if (b.match == Tri::no || b.action == Action::none) continue;
                std::vector<Outcome> taken = take(c, r, b, key, i, depth);
                out.insert(out.end(), taken.begin(), taken.end());
                if (b.match == Tri::yes) return out;
                // maybe: the packet may also go on to the next branch or rule
            }
        }
        if (c.base)
            out.push_back(
                {c.policy_drop ? Action::drop : Action::accept,
                 {c.header + (c.policy_drop ? " (its policy drops what no rule accepted)" : "")},
                 ""});
        else
            out.push_back({Action::back, {}, ""});
        return out;
    }

private:
    std::vector<Outcome> take(const Chain& c, const Rule& r, const Branch& b,
                              const std::string& key, std::size_t i, int depth) {
        const std::string cite = c.header + ", rule: " + r.text;
        switch (b.action) {
        case Action::accept: return {{Action::accept, {cite}, ""}};
        case Action::drop: return {{Action::drop, {cite}, ""}};
        case Action::back: return {{Action::back, {}, ""}};
        case Action::unknown: return {{Action::unknown, {cite}, r.unknown}};
        case Action::jump:
        case Action::go_to: {
            std::vector<Outcome> out;
            for (auto& o : chain(b.target, 0, depth + 1)) {
                if (o.action != Action::back) {
                    o.evidence.insert(o.evidence.begin(), cite);
                    out.push_back(std::move(o));
                } else if (b.action == Action::go_to) {
                    out.push_back(std::move(o));  // returns to our caller
                } else {
                    auto rest = chain(key, i + 1, depth);
                    out.insert(out.end(), rest.begin(), rest.end());
                }
            }
            return out;
        }
        case Action::none: break;
        }
        return {};
    }

    const Ruleset& rs_;
    int steps_ = 0;
};

FirewallVerdict decide(const Ruleset& rs, const std::string& tool) {
    FirewallVerdict v;
    if (rs.base_order.empty()) return v;  // no input chain: accepted
    Walker walker(rs);
    for (const auto& key : rs.base_order) {
        const auto outcomes = walker.chain(key, 0, 0);
        bool all_drop = true, all_accept = true;
        std::string unknown;
        for (const auto& o : outcomes) {
            all_drop = all_drop && o.action == Action::drop;
            all_accept = all_accept && (o.action == Action::accept || o.action == Action::back);
            if (o.action == Action::unknown && unknown.empty()) unknown = o.unknown;
        }
        if (all_drop) {
            v.result = FirewallVerdict::Result::dropped;
            for (const auto& e : outcomes.front().evidence)
                v.evidence.push_back(fmt::format("{}: {}", tool, e));
            return v;
        }
        if (!all_accept) {
            v.result = FirewallVerdict::Result::unknown;
            v.reason =
                unknown.empty() ? "it depends on a match that cannot be evaluated for it" : unknown;
            for (const auto& o : outcomes)
                if (o.action == Action::drop || o.action == Action::unknown) {
                    for (const auto& e : o.evidence)
                        v.evidence.push_back(fmt::format("{}: {}", tool, e));
                    break;
                }
            return v;
        }
    }
    return v;
}

// ---- packet fields --------------------------------------------------------------

// Does `range` (where the packet's address lies) fall in `p`: yes when all of it
// does, no when none of it does, else maybe.
Tri range_in(const IpPrefix& range, const IpPrefix& p) {
    if (p.family() != range.family()) return Tri::no;
    if (p.length <= range.length && p.contains(range.network)) return Tri::yes;
    if (range.length <= p.length && range.contains(p.network)) return Tri::maybe;
    return Tri::no;
}

bool name_matches(const std::string& pattern, const std::string& name, char wildcard) {
    if (!pattern.empty() && pattern.back() == wildcard)
        return name.compare(0, pattern.size() - 1, pattern, 0, pattern.size() - 1) == 0;
    return pattern == name;
}

// ---- nftables JSON --------------------------------------------------------------

// A packet field's value as nft names it; `known` false: not evaluated (maybe).
struct Field {
    bool known = false;
    bool absent = false;  // the packet has no such header: every match on it fails
    std::optional<long long> number;
    std::optional<std::string> word;  // "udp", "new", an interface name
    std::optional<IpPrefix> range;    // an address somewhere in it
    bool wildcard_name = false;       // iifname: '*' at the end of a pattern matches
    bool flags = false;               // ct state: a set is a list of flags
};

Field packet_field(const Json& left, const InboundPacket& p) {
    Field f;
    if (!left.is_object()) return f;
    if (left.contains("payload") && left["payload"].is_object()) {
        const Json& pl = left["payload"];
        const std::string proto = pl.value("protocol", "");
        const std::string field = pl.value("field", "");
        if (proto == "udp" || proto == "th") {
            if (field == "dport") f.number = p.destination_port;
            if (field == "sport") f.number = p.source_port;
            f.known = f.number.has_value();
        } else if (proto == "ip6") {
            if (field == "saddr") f.range = p.source_range;
            if (field == "daddr") f.range = p.destination_range;
            if (field == "nexthdr") {
                f.word = "udp";
                f.number = 17;
            }
            f.known = f.range || f.word;
        } else if (proto == "ip" || proto == "tcp" || proto == "icmp" || proto == "icmpv6" ||
                   proto == "sctp" || proto == "dccp" || proto == "udplite" || proto == "arp" ||
                   proto == "esp" || proto == "ah" || proto == "igmp") {
            f.known = f.absent = true;  // nft adds the dependency: another protocol never matches
        }
        return f;
    }
    if (left.contains("meta") && left["meta"].is_object()) {
        const std::string key = left["meta"].value("key", "");
        if (key == "l4proto") {
            f.word = "udp";
            f.number = 17;
        } else if (key == "nfproto") {
            f.word = "ipv6";
            f.number = 10;
        } else if (key == "protocol") {
            f.word = "ip6";
            f.number = 0x86dd;
        } else if (key == "iifname" || key == "iif") {
            f.word = p.interface;
            f.wildcard_name = key == "iifname";
        } else if (key == "pkttype") {
            f.word = "host";
        }
        f.known = f.word.has_value();
        return f;
    }
    if (left.contains("ct") && left["ct"].is_object()) {
        const std::string key = left["ct"].value("key", "");
        if (key == "state") {
            f.word = p.ct_state;
            f.flags = true;
        } else if (key == "direction") {
            f.word = "original";
        }
        f.known = f.word.has_value();
    }
    return f;
}

// Does the field equal (or fall in) one value of the right-hand side?
Tri element_matches(const Field& f, const Json& v) {
    if (v.is_number_integer()) {
        if (f.number) return tri_of(*f.number == v.get<long long>());
        return Tri::maybe;
    }
    if (v.is_string()) {
        const std::string s = v.get<std::string>();
        if (!s.empty() && s[0] == '@') return Tri::maybe;  // a named set
        if (f.range) {
            try {
                const IpAddress a = parse_address(s, "nft");
                return tri_and(Tri::maybe, range_in(f.range.value(), host_prefix(a)));
            } catch (const Error&) {
                return Tri::maybe;
            }
        }
        if (f.word) {
            if (f.wildcard_name) return tri_of(name_matches(s, *f.word, '*'));
            return tri_of(s == *f.word);
        }
        return Tri::maybe;
    }
    if (v.is_object()) {
        if (v.contains("range") && v["range"].is_array() && v["range"].size() == 2 && f.number &&
            v["range"][0].is_number_integer() && v["range"][1].is_number_integer())
            return tri_of(v["range"][0].get<long long>() <= *f.number &&
                          *f.number <= v["range"][1].get<long long>());
        if (v.contains("prefix") && v["prefix"].is_object() && f.range) {
            try {
                const IpPrefix p = parse_prefix(fmt::format("{}/{}", v["prefix"].value("addr", ""),
                                                            v["prefix"].value("len", 0)),
                                                "nft", false);
                return range_in(*f.range, p);
            } catch (const Error&) {
                return Tri::maybe;
            }
        }
        if (v.contains("set")) return element_matches(f, v["set"]);
        return Tri::maybe;
    }
    if (v.is_array()) {  // a set's elements or a flag list: any of them
        Tri any = Tri::no;
        for (const auto& e : v) {
            const Tri t = element_matches(f, e.is_array() && !e.empty() ? e[0] : e);
            if (t == Tri::yes) return Tri::yes;
            if (t == Tri::maybe) any = Tri::maybe;
        }
        return any;
    }
    return Tri::maybe;
}

Tri nft_match(const Json& m, const InboundPacket& p) {
    const Field f = packet_field(m.value("left", Json()), p);
    if (!f.known) return Tri::maybe;
    if (f.absent) return Tri::no;
    const std::string op = m.value("op", "==");
    const Json& right = m.contains("right") ? m["right"] : Json();
    if (op == "==" || op == "in") return element_matches(f, right);
    if (op == "!=") return tri_not(element_matches(f, right));
    if (f.number && right.is_number_integer()) {
        const long long r = right.get<long long>();
        if (op == "<") return tri_of(*f.number < r);
        if (op == ">") return tri_of(*f.number > r);
        if (op == "<=") return tri_of(*f.number <= r);
        if (op == ">=") return tri_of(*f.number >= r);
    }
    return Tri::maybe;
}

std::string render_value(const Json& v);

std::string render_left(const Json& l) {
    if (l.contains("payload") && l["payload"].is_object())
        return l["payload"].value("protocol", "?") + " " + l["payload"].value("field", "?");
    if (l.contains("meta") && l["meta"].is_object()) {
        const std::string k = l["meta"].value("key", "?");
        return k == "iifname" || k == "oifname" || k == "iif" || k == "oif" ? k : "meta " + k;
    }
    if (l.contains("ct") && l["ct"].is_object()) return "ct " + l["ct"].value("key", "?");
    return l.is_object() && !l.empty() ? l.begin().key() : "?";
}

std::string render_value(const Json& v) {
    if (v.is_string()) return v.get<std::string>();
    if (v.is_number()) return v.dump();
    if (v.is_array()) {
        std::string out;
        for (const auto& e : v) out += (out.empty() ? "" : ", ") + render_value(e);
        return out;
    }
    if (v.is_object()) {
        if (v.contains("set")) return "{ " + render_value(v["set"]) + " }";
        if (v.contains("range") && v["range"].is_array() && v["range"].size() == 2)
            return render_value(v["range"][0]) + "-" + render_value(v["range"][1]);
        if (v.contains("prefix") && v["prefix"].is_object())
            return v["prefix"].value("addr", "?") + "/" +
                   std::to_string(v["prefix"].value("len", 0));
    }
    return v.dump();
}

// nft's text form of a rule, near enough to find it in `nft -a list ruleset`.
std::string render_rule(const Json& exprs) {
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : " ") + s; };
    for (const auto& e : exprs) {
        if (!e.is_object() || e.empty()) continue;
        const std::string k = e.begin().key();
        const Json& v = e.begin().value();
        if (k == "match") {
            const std::string op = v.value("op", "==");
            std::string right = render_value(v.value("right", Json()));
            if (v.contains("left") && v["left"].contains("meta") &&
                v["left"]["meta"].value("key", "").find("name") != std::string::npos)
                right = fmt::format("\"{}\"", right);
            add(fmt::format("{}{} {}", render_left(v.value("left", Json())),
                            op == "==" || op == "in" ? "" : " " + op, right));
        } else if (k == "jump" || k == "goto") {
            add(k + " " + v.value("target", "?"));
        } else if (k == "vmap" && v.is_object()) {
            add(render_left(v.value("key", Json())) + " vmap { ... }");
        } else {
            add(k);
        }
    }
    return out;
}

Branch verdict_branch(const Json& verdict) {
    Branch b;
    if (!verdict.is_object() || verdict.empty()) return b;
    const std::string k = verdict.begin().key();
    const Json& v = verdict.begin().value();
    if (k == "accept") b.action = Action::accept;
    if (k == "drop" || k == "reject") b.action = Action::drop;
    if (k == "return") b.action = Action::back;
    if (k == "jump" || k == "goto") {
        b.action = k == "jump" ? Action::jump : Action::go_to;
        b.target = v.is_object() ? v.value("target", "") : "";
    }
    if (k == "queue") b.action = Action::unknown;
    return b;
}

// Statements that neither match nor decide (nft's "continue" included).
bool neutral_statement(const std::string& k) {
    static const char* const names[] = {"counter", "log",      "mangle",  "meta",   "ct",
                                        "notrack", "set",      "map",     "flow",   "dup",
                                        "fwd",     "continue", "comment", "secmark"};
    return std::find(std::begin(names), std::end(names), k) != std::end(names);
}

Rule nft_rule(const Json& exprs, const InboundPacket& p, const std::string& chain_key_prefix) {
    Rule r;
    r.text = render_rule(exprs);
    Tri match = Tri::yes;
    for (const auto& e : exprs) {
        if (!e.is_object() || e.empty()) continue;
        const std::string k = e.begin().key();
        const Json& v = e.begin().value();
        if (k == "match") {
            const Tri t = nft_match(v, p);
            if (t == Tri::maybe && r.unknown.empty())
                r.unknown = "a match on " + render_left(v.value("left", Json()));
            match = tri_and(match, t);
        } else if (k == "vmap" && v.is_object()) {
            const Field f = packet_field(v.value("key", Json()), p);
            const Json data =
                v.contains("data") && v["data"].is_object() && v["data"].contains("set")
                    ? v["data"]["set"]
                    : Json::array();
            for (const auto& pair : data) {
                if (!pair.is_array() || pair.size() != 2) continue;
                Branch b = verdict_branch(pair[1]);
                if (!b.target.empty()) b.target = chain_key_prefix + b.target;
                b.match = !f.known ? Tri::maybe : f.absent ? Tri::no : element_matches(f, pair[0]);
                b.match = tri_and(match, b.match);
                r.branches.push_back(b);
            }
            if (!f.known && r.unknown.empty())
                r.unknown = "a verdict map on " + render_left(v.value("key", Json()));
            return r;
        } else if (k == "accept" || k == "drop" || k == "reject" || k == "return" || k == "jump" ||
                   k == "goto" || k == "queue") {
            Branch b = verdict_branch(e);
            if (!b.target.empty()) b.target = chain_key_prefix + b.target;
            b.match = match;
            if (b.action == Action::unknown) r.unknown = "the verdict " + k;
            r.branches.push_back(b);
            return r;
        } else if (!neutral_statement(k)) {
            // limit, quota, xt, fib, ...: may or may not let the packet through
            match = tri_and(match, Tri::maybe);
            if (r.unknown.empty()) r.unknown = "the statement '" + k + "'";
        }
    }
    return r;
}

}  // namespace

std::string InboundPacket::describe() const {
    return fmt::format("UDP from {} port {} to {} port {} in on {}, ct state {}",
                       source_range.to_string(), source_port, destination_range.to_string(),
                       destination_port, interface, ct_state);
}

InboundPacket dhcpv6_reply(const std::string& interface) {
    InboundPacket p;
    p.interface = interface;
    p.source_range = parse_prefix("fe80::/10", "link-local");
    p.destination_range = parse_prefix("fe80::/10", "link-local");
    return p;
}

FirewallVerdict nft_input_verdict(const std::string& text, const InboundPacket& packet) {
    Json doc;
    try {
        doc = Json::parse(text);
    } catch (const std::exception& e) {
        FirewallVerdict v;
        v.result = FirewallVerdict::Result::unknown;
        v.reason = fmt::format("nft's output is not JSON: {}", e.what());
        return v;
    }
    if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
        FirewallVerdict v;
        v.result = FirewallVerdict::Result::unknown;
        v.reason = "nft's output has no \"nftables\" array";
        return v;
    }
    Ruleset rs;
    struct Base {
        long long prio;
        std::string key;
    };
    std::vector<Base> bases;
    auto key_of = [](const Json& o, const std::string& chain) {
        return o.value("family", "") + " " + o.value("table", "") + " " + chain;
    };
    for (const auto& item : doc["nftables"]) {
        if (!item.is_object()) continue;
        if (item.contains("chain")) {
            const Json& c = item["chain"];
            const std::string family = c.value("family", "");
            if (family != "inet" && family != "ip6") continue;
            Chain chain;
            const std::string key = key_of(c, c.value("name", ""));
            chain.header = fmt::format("table {} {}, chain {}", family, c.value("table", ""),
                                       c.value("name", ""));
            if (c.value("hook", "") == "input" && c.value("type", "filter") == "filter") {
                chain.base = true;
                chain.policy_drop = c.value("policy", "accept") == "drop";
                const long long prio = c.contains("prio") && c["prio"].is_number_integer()
                                           ? c["prio"].get<long long>()
                                           : 0;
                chain.header += fmt::format(" (type filter hook input priority {}; policy {};)",
                                            prio, c.value("policy", "accept"));
                bases.push_back({prio, key});
            }
            rs.chains.emplace(key, std::move(chain));
        } else if (item.contains("rule")) {
            const Json& r = item["rule"];
            const std::string family = r.value("family", "");
            if (family != "inet" && family != "ip6") continue;
            const auto it = rs.chains.find(key_of(r, r.value("chain", "")));
            if (it == rs.chains.end() || !r.contains("expr") || !r["expr"].is_array()) continue;
            Rule rule = nft_rule(r["expr"], packet, key_of(r, ""));
            if (r.contains("handle")) rule.text += fmt::format(" # handle {}", r["handle"].dump());
            it->second.rules.push_back(std::move(rule));
        }
    }
    std::stable_sort(bases.begin(), bases.end(),
                     [](const Base& a, const Base& b) { return a.prio < b.prio; });
    for (const auto& b : bases) rs.base_order.push_back(b.key);
    return decide(rs, "nftables");
}

// ---- ip6tables-save -------------------------------------------------------------

namespace {

// Splits an ip6tables-save rule line into words; "..." quoting as iptables-save writes
// comments.
std::vector<std::string> save_words(const std::string& line) {
    std::vector<std::string> out;
    std::string w;
    bool quoted = false, any = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '\\' && i + 1 < line.size())
                w += line[++i];
            else if (c == '"')
                quoted = false;
            else
                w += c;
        } else if (c == '"') {
            quoted = any = true;
        } else if (c == ' ' || c == '\t') {
            if (any || !w.empty()) out.push_back(w);
            w.clear();
            any = false;
        } else {
            w += c;
        }
    }
    if (any || !w.empty()) out.push_back(w);
    return out;
}

Tri port_list_matches(const std::string& list, std::uint16_t port) {
    std::istringstream in(list);
    std::string item;
    while (std::getline(in, item, ',')) {
        const auto colon = item.find(':');
        try {
            const unsigned lo = colon == 0 ? 0 : parse_u32(item.substr(0, colon), "port");
            const unsigned hi = colon == std::string::npos ? lo
                                : colon + 1 == item.size()
                                    ? 65535
                                    : parse_u32(item.substr(colon + 1), "port");
            if (lo <= port && port <= hi) return Tri::yes;
        } catch (const Error&) {
            return Tri::maybe;  // a service name
        }
    }
    return Tri::no;
}

Tri state_list_matches(const std::string& list, const std::string& state) {
    std::string upper = state;
    std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
    std::istringstream in(list);
    std::string item;
    while (std::getline(in, item, ','))
        if (item == upper) return Tri::yes;
    return Tri::no;
}

// -j/-g TARGET: what the rule does when it matches. `unknown` says why when it
// cannot be told.
Branch save_target(bool go_to, const std::string& target,
                   const std::map<std::string, Chain>& chains, std::string& unknown) {
    Branch b;
    if (target == "ACCEPT") {
        b.action = Action::accept;
    } else if (target == "DROP" || target == "REJECT") {
        b.action = Action::drop;
    } else if (target == "RETURN") {
        b.action = Action::back;
    } else if (chains.count(target)) {
        b.action = go_to ? Action::go_to : Action::jump;
        b.target = target;
    } else if (target == "LOG" || target == "NFLOG" || target == "MARK" || target == "CONNMARK" ||
               target == "TRACE" || target == "AUDIT") {
        b.action = Action::none;  // they do not decide
    } else {
        b.action = Action::unknown;
        unknown = "the target " + target;
    }
    return b;
}

// -s/-d VALUE against the range the packet's address lies in.
Tri save_address_matches(const std::string& value, const IpPrefix& range) {
    try {
        const IpPrefix pfx = value.find('/') == std::string::npos
                                 ? host_prefix(parse_address(value, "ip6tables"))
                                 : parse_prefix(value, "ip6tables", false);
        return range_in(range, pfx);
    } catch (const Error&) {
        return Tri::maybe;
    }
}

// One rule of a chain: its options against the packet, its target.
Rule save_rule(const std::vector<std::string>& w, const InboundPacket& p,
               const std::map<std::string, Chain>& chains) {
    Rule r;
    for (const auto& word : w)
        r.text += (r.text.empty() ? "" : " ") +
                  (word.find(' ') == std::string::npos ? word : "\"" + word + "\"");
    Tri match = Tri::yes;
    Branch b;
    bool negate = false;
    auto apply = [&](Tri t, const std::string& what) {
        if (negate) t = tri_not(t);
        negate = false;
        if (t == Tri::maybe && r.unknown.empty()) r.unknown = "the option " + what;
        match = tri_and(match, t);
    };
    auto arg = [&](std::size_t& i) { return i + 1 < w.size() ? w[++i] : std::string(); };
    for (std::size_t i = 2; i < w.size(); ++i) {
        const std::string& o = w[i];
        if (o == "!") {
            negate = true;
        } else if (o == "-i" || o == "--in-interface") {
            apply(tri_of(name_matches(arg(i), p.interface, '+')), o);
        } else if (o == "-p" || o == "--protocol") {
            const std::string proto = arg(i);
            apply(tri_of(proto == "udp" || proto == "17" || proto == "all"), o);
        } else if (o == "-s" || o == "--source" || o == "-d" || o == "--destination") {
            apply(
                save_address_matches(
                    arg(i), o[1] == 's' || o == "--source" ? p.source_range : p.destination_range),
                o);
        } else if (o == "--dport" || o == "--destination-port" || o == "--dports" ||
                   o == "--destination-ports") {
            apply(port_list_matches(arg(i), p.destination_port), o);
        } else if (o == "--sport" || o == "--source-port" || o == "--sports" ||
                   o == "--source-ports") {
            apply(port_list_matches(arg(i), p.source_port), o);
        } else if (o == "--state" || o == "--ctstate") {
            apply(state_list_matches(arg(i), p.ct_state), o);
        } else if (o == "-m" || o == "--match") {
            const std::string module = arg(i);
            // Modules whose options are evaluated above, or that do not filter.
            if (module != "udp" && module != "multiport" && module != "state" &&
                module != "conntrack" && module != "comment")
                apply(Tri::maybe, "-m " + module);
            negate = false;
        } else if (o == "--comment") {
            arg(i);
        } else if (o == "-j" || o == "--jump" || o == "-g" || o == "--goto") {
            b = save_target(o == "-g" || o == "--goto", arg(i), chains, r.unknown);
            // Target options follow; they do not filter.
            break;
        } else if (o.rfind("--", 0) == 0) {
            // An option of a module already marked maybe, or one not known: maybe.
            apply(Tri::maybe, o);
            if (i + 1 < w.size() && w[i + 1].rfind('-', 0) != 0) ++i;
        } else {
            apply(Tri::maybe, o);
        }
    }
    b.match = match;
    r.branches.push_back(b);
    return r;
}

}  // namespace

FirewallVerdict ip6tables_input_verdict(const std::string& save, const InboundPacket& packet) {
    Ruleset rs;
    std::istringstream in(save);
    std::string line;
    bool filter = false;
    std::vector<std::vector<std::string>> rule_lines;
    while (std::getline(in, line)) {
        if (!line.empty() && line.back() == '\r') line.pop_back();
        if (line.rfind('*', 0) == 0) {
            filter = line == "*filter";
            continue;
        }
        if (!filter) continue;
        if (line.rfind(':', 0) == 0) {
            const auto words = save_words(line.substr(1));
            if (words.size() < 2) continue;
            Chain c;
            c.header = fmt::format("filter table, chain {} (policy {})", words[0], words[1]);
            c.base = words[0] == "INPUT";
            c.policy_drop = words[1] == "DROP";
            rs.chains.emplace(words[0], std::move(c));
        } else if (line.rfind("-A ", 0) == 0) {
            rule_lines.push_back(save_words(line));
        }
    }
    for (const auto& w : rule_lines) {
        if (w.size() < 2) continue;
        const auto it = rs.chains.find(w[1]);
        if (it == rs.chains.end()) continue;
        it->second.rules.push_back(save_rule(w, packet, rs.chains));
    }
    if (rs.chains.count("INPUT")) rs.base_order.push_back("INPUT");
    return decide(rs, "ip6tables-legacy");
}

}  // namespace hookctl
