// The schema of hookctl.toml (docs/config.md): one table of known keys per section,
// every value's type and range, every reference between sections. Reads through
// toml_reader.hpp, so each problem names file, line and column with a hint.
#include "config.hpp"
#include "event.hpp"
#include "suggest.hpp"
#include "toml.hpp"
#include "toml_reader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <sstream>
#include <vector>

namespace hookctl {

namespace {

using namespace toml_reader;

// ---- known keys: one table per section, for validation and the hint -----------------

Keys with_service_actions(Keys keys) {
    for (const char* k : {"reload", "restart", "try-restart", "reload-pidfile", "on-change"})
        keys.emplace_back(k);
    return keys;
}

const Keys top_keys{"settings", "tables", "uplink", "lan", "rule", "route", "radvd", "dns", "file"};
const Keys settings_keys{"rule-priority",       "route-protocol", "command-timeout", "hook-budget",
                         "journal-max-entries", "path",           "durable-state",   "dhcpcd-hooks",
                         "ppp-scripts",         "watch-settle"};
const Keys uplink_keys{"interface", "source", "token", "pd-iaid", "sysctl", "on"};
const Keys uplink_source_names{"hooks", "kernel"};
const Keys lan_keys{"interface", "prefix", "address-token", "sysctl"};
const Keys lan_prefix_keys{"from", "subnet", "length"};
const Keys sysctl_keys{"ipv4", "ipv6"};
// `on.<event>` keys: the event names the parsers define (event.hpp).
Keys event_names() {
    Keys names(ppp_script_names().begin(), ppp_script_names().end());
    const auto& reasons = dhcpcd_reason_names();
    names.insert(names.end(), reasons.begin(), reasons.end());
    return names;
}
const Keys rule_keys{"from",   "to",    "iif",      "oif",    "fwmark", "fwmask",
                     "action", "table", "priority", "family", "while"};
const Keys route_keys{"to", "via", "dev", "table", "metric", "type", "family", "while"};
const Keys radvd_keys = with_service_actions({"file", "validate", "interface"});
const Keys radvd_interface_keys{
    "managed",        "other",         "min-interval", "max-interval", "preferred-lifetime",
    "valid-lifetime", "deprecate-old", "rdnss",        "dnssl"};
const Keys dns_keys{"server", "port", "key", "zone", "ttl", "timeout", "records"};
const Keys pidfile_keys{"file", "program"};
const Keys record_keys{"name", "a", "aaaa", "ttl"};
const Keys file_keys =
    with_service_actions({"path", "content", "mode", "owner", "group", "validate"});

const Keys rule_action_names{"lookup", "unreachable", "blackhole", "prohibit"};
const Keys route_type_names{"unicast", "unreachable", "blackhole", "prohibit"};

Family family_value(const Value& v) {
    return choice<int>(v, {"ipv4", "ipv6"}) == 0 ? Family::v4 : Family::v6;
}

const char* family_name(Family f) {
    return f == Family::v4 ? "IPv4" : "IPv6";
}

// ---- the sections --------------------------------------------------------------------

class Parser {
public:
    Parser(const Node& root, const std::string& file) : root_(root), file_(file) {}

    Config parse() {
        const Section top(root_, "", "the top level", &top_keys, file_);
        config_.file = file_;
        if (auto v = top.get("settings")) read_settings(v->table(&settings_keys));
        if (auto v = top.get("tables")) read_tables(v->table(nullptr));
        if (auto v = top.get("uplink"))
            for (const auto& e : v->table(nullptr).entries()) read_uplink(e);
        if (auto v = top.get("lan"))
            for (const auto& e : v->table(nullptr).entries()) read_lan(e);
        check_interfaces_unique();
        for (const Section& s : array_of_tables(top, "rule", rule_keys)) read_rule(s);
        for (const Section& s : array_of_tables(top, "route", route_keys)) read_route(s);
        if (auto v = top.get("radvd")) read_radvd(v->table(&radvd_keys));
        for (const Section& s : array_of_tables(top, "dns", dns_keys)) read_dns(s);
        for (const Section& s : array_of_tables(top, "file", file_keys)) read_file(s);
        return std::move(config_);
    }

private:
    // -- shared value readers that need the config so far

    ValueExpr expr(const Value& v) {
        ValueExpr e = parse_value_expr(v.string(), v.where(), v.path());
        check_reference(e, v.path());
        return e;
    }
    // A rule's from/to: a /0 would match every packet, which the kernel writes as
    // "from all"; leaving the key out says that plainly.
    std::vector<ValueExpr> selectors(const Value& v, const char* key) {
        std::vector<ValueExpr> list = exprs(v);
        for (const ValueExpr& e : list)
            if (e.literal_prefix && e.literal_prefix->length == 0)
                throw ConfigError(e.where,
                                  fmt::format("{}: '{}' matches everything", v.path(), e.text),
                                  fmt::format("leave '{}' out to match all", key));
        return list;
    }

    std::vector<ValueExpr> exprs(const Value& v) {
        std::vector<ValueExpr> list;
        for (const Value& item : v.one_or_many()) list.push_back(expr(item));
        return list;
    }

    // Owner exists and has the field (parse_value_expr checked the syntax).
    void check_reference(const ValueExpr& e, const std::string& path) const {
        if (e.field == ValueExpr::Field::none) return;
        const auto fail = [&](const std::string& problem, const std::string& hint) {
            throw ConfigError(e.where, fmt::format("{}: '{}': {}", path, e.text, problem), hint);
        };
        const std::string field = to_string(e.field);
        if (const auto u = config_.uplinks.find(e.owner); u != config_.uplinks.end()) {
            if (e.field == ValueExpr::Field::address)
                fail(fmt::format("uplink '{}' has no field 'address'", e.owner),
                     fmt::format("'{}.ipv6' is the uplink's own IPv6 address", e.owner));
            if (u->second.source == UplinkSource::kernel &&
                (e.field == ValueExpr::Field::delegated || e.field == ValueExpr::Field::ipv4_peer ||
                 e.field == ValueExpr::Field::link_local))
                fail(fmt::format("uplink '{}' (source = \"kernel\") has no field '{}'", e.owner,
                                 field),
                     "from the kernel come 'ipv4', 'ipv6' and 'prefix'");
            return;
        }
        if (const auto lan = config_.lans.find(e.owner); lan != config_.lans.end()) {
            if (e.field != ValueExpr::Field::prefix && e.field != ValueExpr::Field::address)
                fail(fmt::format("lan '{}' has no field '{}'", e.owner, field),
                     "a lan has 'prefix' and 'address'");
            if (lan->second.prefix_from.empty())
                fail(fmt::format("lan '{}' has no prefix", e.owner),
                     fmt::format("add prefix = {{ from = \"UPLINK\" }} to [lan.{}]", e.owner));
            if (e.field == ValueExpr::Field::address && !lan->second.address_token)
                fail(fmt::format("lan '{}' has no address-token", e.owner),
                     fmt::format("add address-token = \"::1\" to [lan.{}]", e.owner));
            return;
        }
        fail(fmt::format("no uplink or lan named '{}'", e.owner),
             did_you_mean(e.owner, owner_names(), "declare it as [uplink.NAME] or [lan.NAME]"));
    }

    std::vector<std::string> owner_names() const {
        std::vector<std::string> names;
        for (const auto& [n, u] : config_.uplinks) names.push_back(n);
        for (const auto& [n, l] : config_.lans) names.push_back(n);
        return names;
    }

    std::string uplink_name(const Value& v) const {
        std::string name = v.string();
        if (config_.uplinks.count(name)) return name;
        std::vector<std::string> names;
        for (const auto& [n, u] : config_.uplinks) names.push_back(n);
        v.fail(fmt::format("no uplink named '{}'", escape_for_display(name)),
               did_you_mean(name, names, "declare it as [uplink.NAME]"));
    }

    InterfaceName interface(const Value& v) const { return v.parsed(parse_interface_name); }

    // An interface identifier added to a prefix of `length` bits.
    IpAddress token(const Value& v, int prefix_length) const {
        const IpAddress t =
            v.parsed([](std::string_view s, std::string_view w) { return parse_address(s, w); });
        if (!t.is_v6())
            v.fail(fmt::format("token {} is not an IPv6 address", t.to_string()),
                   "a token is an interface identifier like \"::dead:b0a1\"");
        if (t.is_unspecified()) v.fail("token :: is all zeros", "e.g. \"::1\"");
        if (!mask(t, static_cast<std::uint8_t>(prefix_length)).network.is_unspecified())
            v.fail(fmt::format("token {} has bits inside the /{} prefix", t.to_string(),
                               prefix_length),
                   fmt::format("only the last {} bits may be set, e.g. \"::dead:b0a1\"",
                               128 - prefix_length));
        return t;
    }

    Command command(std::vector<std::string> argv) const {
        return Command{std::move(argv), config_.settings.command_timeout_ms};
    }

    // Validators run on a temp file: "{}" marks where its path goes.
    std::vector<std::string> validate_argv(const Value& v) const {
        auto argv = v.argv();
        if (std::find(argv.begin(), argv.end(), "{}") == argv.end())
            v.fail("no \"{}\" argument", "\"{}\" is replaced by the path of the new file");
        return argv;
    }

    // reload / restart / try-restart = "unit" or [units]; reload-pidfile; on-change.
    std::vector<ServiceAction> service_actions(const Section& s) const {
        std::vector<ServiceAction> actions;
        const std::pair<const char*, ServiceAction::Kind> unit_keys[] = {
            {"reload", ServiceAction::Kind::reload},
            {"restart", ServiceAction::Kind::restart},
            {"try-restart", ServiceAction::Kind::try_restart}};
        for (const auto& [key, kind] : unit_keys) {
            const auto v = s.get(key);
            if (!v) continue;
            for (const Value& item : v->one_or_many()) {
                const std::string unit = item.string();
                if (!all_name_chars(unit, ":_.@\\-") || unit.front() == '-')
                    item.fail(
                        fmt::format("\"{}\" is not a systemd unit name", escape_for_display(unit)),
                        "e.g. \"radvd.service\"");
                ServiceAction a;
                a.kind = kind;
                a.unit = unit;
                actions.push_back(a);
            }
        }
        if (const auto v = s.get("reload-pidfile")) {
            // "/run/radvd.pid", or { file = "/run/radvd.pid", program = "radvd" }: the
            // process is signalled only if it is that program (by default the
            // pidfile's name without ".pid"), so a stale pidfile whose pid was reused
            // never sends SIGHUP to something else.
            ServiceAction a;
            a.kind = ServiceAction::Kind::signal_pidfile;
            if (v->node().is_table()) {
                const Section t = v->table(&pidfile_keys, "reload-pidfile");
                a.pidfile = t.need("file").absolute_path();
                if (auto p = t.get("program")) a.program = program_name(*p);
            } else {
                a.pidfile = v->absolute_path();
            }
            if (a.program.empty()) a.program = program_of_pidfile(a.pidfile);
            if (a.program.empty())
                v->fail(fmt::format("cannot tell the program from \"{}\"", a.pidfile),
                        "write reload-pidfile = { file = \"...\", program = \"radvd\" }");
            actions.push_back(a);
        }
        if (const auto v = s.get("on-change")) {
            for (auto& argv : v->argv_list()) {
                ServiceAction a;
                a.kind = ServiceAction::Kind::command;
                a.command = command(std::move(argv));
                actions.push_back(a);
            }
        }
        return actions;
    }

    std::optional<TableRef> table_ref(const std::optional<Value>& v) const {
        if (!v) return std::nullopt;
        TableRef t;
        if (v->node().is_integer()) {
            t.id = v->u32(1);
        } else {
            t.name = v->string();
            if (!t.name.empty() && std::all_of(t.name.begin(), t.name.end(),
                                               [](char c) { return c >= '0' && c <= '9'; })) {
                t.id = v->parsed(parse_u32);
                t.name.clear();
            } else if (!all_name_chars(t.name, "_.-")) {
                v->fail(
                    fmt::format("\"{}\" is not a routing table name", escape_for_display(t.name)),
                    "a number or a name from /etc/iproute2/rt_tables, e.g. \"kd\"");
            }
            // Names every system has; others are resolved from rt_tables later.
            if (t.name == "main") t.id = 254;
            if (t.name == "default") t.id = 253;
            if (t.name == "local") t.id = 255;
        }
        if (t.id && *t.id == 0) v->fail("table 0 is not a table", "use a number from 1");
        return t;
    }

    std::uint32_t mark(const Value& v) const {
        if (v.node().is_integer()) return v.u32();
        const std::string s = v.string();
        if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') && s.size() <= 10 &&
            std::all_of(s.begin() + 2, s.end(),
                        [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            return static_cast<std::uint32_t>(std::stoul(s.substr(2), nullptr, 16));
        return v.parsed(parse_u32);
    }

    void check_same_family(const std::string& path, const std::vector<ValueExpr>& a,
                           const std::vector<ValueExpr>& b, const std::string& a_key,
                           const std::string& b_key) const {
        for (const ValueExpr& x : b)
            for (const ValueExpr& y : a)
                if (x.family() != y.family())
                    throw ConfigError(x.where,
                                      fmt::format("{}: {} '{}' is {} but {} '{}' is {}", path,
                                                  b_key, x.text, family_name(x.family()), a_key,
                                                  y.text, family_name(y.family())),
                                      "a rule or route is for one family: split it in two");
    }

    Sysctls sysctls(const Section& s) const {
        Sysctls result;
        const auto v = s.get("sysctl");
        if (!v) return result;
        const Section sys = v->table(&sysctl_keys);
        for (const auto& [family, target] :
             {std::pair{"ipv4", &result.ipv4}, std::pair{"ipv6", &result.ipv6}}) {
            const auto t = sys.get(family);
            if (!t) continue;
            for (const auto& e : t->table(nullptr).entries()) {
                if (!all_name_chars(e.key, "_") ||
                    std::any_of(e.key.begin(), e.key.end(),
                                [](char c) { return c >= 'A' && c <= 'Z'; }))
                    throw ConfigError(
                        e.key_where,
                        fmt::format("sysctl key '{}' is not [a-z0-9_]+", escape_for_display(e.key)),
                        "it names a file under /proc/sys/net/ipv*/conf/IF/");
                const Node& n = e.value.node();
                std::string value;
                if (n.is_integer())
                    value = std::to_string(n.integer);
                else if (n.is_boolean())
                    value = n.boolean ? "1" : "0";
                else if (n.is_string())
                    value = e.value.string();
                else
                    e.value.expected("an integer, a string or a boolean");
                if (value.empty() || std::any_of(value.begin(), value.end(), [](char c) {
                        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
                    }))
                    e.value.fail("empty or contains control characters");
                (*target)[e.key] = value;
            }
        }
        return result;
    }

    void check_owner_name(const Section::Entry& e, const char* kind) const {
        if (!all_name_chars(e.key, "_-") || !std::isalpha(static_cast<unsigned char>(e.key[0])))
            throw ConfigError(e.key_where,
                              fmt::format("{} name '{}' is not a letter followed by letters, "
                                          "digits, '-' or '_'",
                                          kind, escape_for_display(e.key)),
                              "expressions name it as NAME.FIELD");
        if (config_.uplinks.count(e.key) || config_.lans.count(e.key))
            throw ConfigError(e.key_where, fmt::format("'{}' is both an uplink and a lan", e.key),
                              "expressions name both in one namespace: rename one");
    }

    // -- [settings]

    void read_settings(const Section& s) {
        Settings& st = config_.settings;
        if (auto v = s.get("rule-priority")) st.rule_priority = v->u32(1);
        if (auto v = s.get("route-protocol")) {
            if (v->node().is_integer() && v->node().integer < 5)
                v->fail("protocols 0..4 belong to the kernel",
                        "pick an unused number, 211 by default (see /etc/iproute2/rt_protos)");
            st.route_protocol = static_cast<std::uint8_t>(v->integer(5, 255));
        }
        if (auto v = s.get("command-timeout"))
            st.command_timeout_ms = v->duration(Unit::milliseconds);
        if (auto v = s.get("hook-budget")) st.hook_budget_ms = v->duration(Unit::milliseconds);
        if (auto v = s.get("journal-max-entries")) st.journal_max_entries = v->u32(1);
        if (auto v = s.get("durable-state")) st.durable_state = v->boolean();
        if (auto v = s.get("dhcpcd-hooks")) st.dhcpcd_hooks = v->absolute_path();
        if (auto v = s.get("ppp-scripts")) st.ppp_scripts = v->absolute_path();
        if (auto v = s.get("watch-settle")) {
            st.watch_settle_ms = v->duration(Unit::milliseconds);
            if (st.watch_settle_ms > 60000)
                v->fail("a settle window over a minute delays every change that long",
                        "200ms is the default");
        }
        if (auto v = s.get("path")) {
            st.path = v->string();
            std::stringstream dirs(st.path);
            for (std::string dir; std::getline(dirs, dir, ':');)
                if (dir.empty() || dir.front() != '/')
                    v->fail(fmt::format("\"{}\" is not an absolute directory", dir),
                            "a ':'-separated list of absolute directories");
        }
    }

    // -- [tables]: name = number, like a line of rt_tables

    void read_tables(const Section& s) {
        for (const auto& e : s.entries()) {
            if (!all_name_chars(e.key, "_-.") ||
                !std::isalpha(static_cast<unsigned char>(e.key[0])))
                throw ConfigError(
                    e.key_where,
                    fmt::format("table name '{}' is not a letter followed by letters, digits, "
                                "'-', '_' or '.'",
                                escape_for_display(e.key)),
                    "iproute2 would not accept it either");
            config_.tables[e.key] = e.value.u32(1);
        }
    }

    // -- [uplink.NAME] and [lan.NAME]

    void read_uplink(const Section::Entry& e) {
        check_owner_name(e, "uplink");
        const Section s = e.value.table(&uplink_keys);
        UplinkConfig u;
        u.name = e.key;
        u.where = s.where();
        u.interface = interface(s.need("interface"));
        if (auto v = s.get("source")) u.source = choice<UplinkSource>(*v, uplink_source_names);
        if (auto v = s.get("token")) u.token = token(*v, 64);
        if (auto v = s.get("pd-iaid")) {
            if (u.source == UplinkSource::kernel)
                v->fail("an uplink with source = \"kernel\" has no delegated prefix",
                        "the kernel does not know DHCPv6 prefix delegation; dhcpcd reports it");
            u.pd_iaid = v->u32();
        }
        u.sysctl = sysctls(s);
        if (auto v = s.get("on"); v && u.source == UplinkSource::kernel)
            v->fail("an uplink with source = \"kernel\" gets no pppd or dhcpcd events",
                    "commands for kernel changes are not supported yet; use [[file]] or rules");
        if (auto v = s.get("on")) {
            // Built at the first `on` table only (it sorts dhcpcd's reason names).
            static const Keys known_events = event_names();
            for (const auto& ev : v->table(&known_events).entries())
                for (auto& argv : ev.value.argv_list())
                    u.on[ev.key].push_back(command(std::move(argv)));
        }
        config_.uplinks.emplace(u.name, std::move(u));
    }

    void read_lan(const Section::Entry& e) {
        check_owner_name(e, "lan");
        const Section s = e.value.table(&lan_keys);
        LanConfig l;
        l.name = e.key;
        l.where = s.where();
        l.interface = interface(s.need("interface"));
        if (auto v = s.get("prefix")) {
            const Section p = v->table(&lan_prefix_keys);
            const Value from = p.need("from");
            l.prefix_from = uplink_name(from);
            if (config_.uplinks.at(l.prefix_from).source == UplinkSource::kernel)
                from.fail(fmt::format("uplink '{}' has source = \"kernel\": it has no delegated "
                                      "prefix to take a LAN prefix from",
                                      l.prefix_from),
                          "a LAN prefix comes from an uplink whose dhcpcd reports a delegation");
            if (auto len = p.get("length"))
                l.length = static_cast<std::uint8_t>(len->integer(1, 128));
            if (auto sub = p.get("subnet")) {
                // The delegated length is known only when the prefix arrives; assume at
                // most a /48 here, and check the real fit then.
                const int bits = std::max(0, std::min(32, l.length - 48));
                const std::int64_t max = (std::int64_t{1} << bits) - 1;
                if (sub->node().is_integer() && sub->node().integer > max)
                    sub->fail(fmt::format("subnet {} does not fit a /{} taken from a /48",
                                          sub->node().integer, l.length),
                              fmt::format("at most {}", max));
                l.subnet = static_cast<std::uint32_t>(sub->integer(0, max));
            }
        }
        if (auto v = s.get("address-token")) {
            if (l.prefix_from.empty())
                v->fail("address-token needs a prefix", "add prefix = { from = \"UPLINK\" }");
            l.address_token = token(*v, l.length);
        }
        l.sysctl = sysctls(s);
        config_.lans.emplace(l.name, std::move(l));
    }

    void check_interfaces_unique() const {
        struct Use {
            std::string ifname;
            SourceLocation where;
            std::string label;
        };
        std::vector<Use> uses;
        for (const auto& [n, u] : config_.uplinks)
            uses.push_back({u.interface.str(), u.where, "[uplink." + n + "]"});
        for (const auto& [n, l] : config_.lans)
            uses.push_back({l.interface.str(), l.where, "[lan." + n + "]"});
        std::sort(uses.begin(), uses.end(), [](const Use& a, const Use& b) {
            return std::pair(a.where.line, a.where.column) <
                   std::pair(b.where.line, b.where.column);
        });
        for (std::size_t i = 0; i < uses.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (uses[i].ifname == uses[j].ifname)
                    throw ConfigError(uses[i].where,
                                      fmt::format("interface '{}' of {} is already used by {}",
                                                  uses[i].ifname, uses[i].label, uses[j].label),
                                      fmt::format("{} is declared at {}", uses[j].label,
                                                  uses[j].where.to_string()));
    }

    // -- [[rule]] and [[route]]

    void read_rule(const Section& s) {
        RuleConfig r;
        r.where = s.where();
        if (auto v = s.get("from")) r.from = selectors(*v, "from");
        if (auto v = s.get("to")) r.to = selectors(*v, "to");
        if (auto v = s.get("iif")) r.iif = interface(*v);
        if (auto v = s.get("oif")) r.oif = interface(*v);
        if (auto v = s.get("fwmark")) r.fwmark = mark(*v);
        if (auto v = s.get("fwmask")) {
            if (!r.fwmark) v->fail("fwmask without fwmark");
            r.fwmask = mark(*v);
        }
        if (auto v = s.get("action")) r.action = choice<RuleAction>(*v, rule_action_names);
        const auto table = s.get("table");
        if (auto t = table_ref(table)) r.table = *t;
        if (r.action == RuleAction::lookup && !table)
            s.fail("missing key 'table' in [[rule]]",
                   "action \"lookup\" (the default) needs a table");
        if (r.action != RuleAction::lookup && table)
            table->fail(fmt::format("a rule with action \"{}\" has no table", to_string(r.action)));
        if (auto v = s.get("priority")) r.priority = v->u32();
        if (auto v = s.get("family")) {
            if (!r.from.empty() || !r.to.empty())
                v->fail("only for a rule without from/to", "the addresses decide the family");
            r.family = family_value(*v);
        } else if (r.from.empty() && r.to.empty()) {
            s.fail("a [[rule]] without from/to needs 'family'", "family = \"ipv4\" or \"ipv6\"");
        }
        check_same_family(s.path(), r.from, r.to, "from", "to");
        if (auto v = s.get("while")) r.while_up = uplink_name(*v);
        config_.rules.push_back(std::move(r));
    }

    void read_route(const Section& s) {
        RouteConfig r;
        r.where = s.where();
        std::optional<Family> family;
        if (auto v = s.get("family")) family = family_value(*v);
        if (auto v = s.get("via")) {
            r.via = expr(*v);
            if (r.via->yields_prefix())
                v->fail(fmt::format("'{}' is a prefix; a gateway is an address", r.via->text));
        }
        const Value to = s.need("to");
        if (to.node().is_string() && to.string() == "default") {
            const std::optional<Family> f = family  ? family
                                            : r.via ? std::optional(r.via->family())
                                                    : std::nullopt;
            if (!f) to.fail("\"default\" needs 'family' (\"ipv4\" or \"ipv6\") or a 'via'");
            r.to.text = "default";
            r.to.where = to.where();
            r.to.literal_prefix = IpPrefix{IpAddress{*f, {}}, 0};
        } else {
            r.to = expr(to);
        }
        if (family && *family != r.to.family())
            s.get("family")->fail(
                fmt::format("route to '{}' is {}", r.to.text, family_name(r.to.family())));
        if (r.via) check_same_family(s.path(), {r.to}, {*r.via}, "to", "via");
        if (auto v = s.get("dev")) r.dev = interface(*v);
        r.table = table_ref(s.get("table")).value_or(TableRef{254, "main"});
        if (auto v = s.get("metric")) r.metric = v->u32();
        if (auto v = s.get("type")) r.type = choice<RouteType>(*v, route_type_names);
        if (r.type == RouteType::unicast && !r.via && !r.dev)
            s.fail("a unicast [[route]] needs 'via' or 'dev'");
        if (r.type != RouteType::unicast && r.via)
            s.get("via")->fail(
                fmt::format("a route of type \"{}\" has no gateway", to_string(r.type)));
        if (auto v = s.get("while")) r.while_up = uplink_name(*v);
        config_.routes.push_back(std::move(r));
    }

    // -- [radvd]

    void read_radvd(const Section& s) {
        RadvdConfig r;
        r.where = s.where();
        if (auto v = s.get("file")) r.file = v->absolute_path();
        if (auto v = s.get("validate")) r.validate = validate_argv(*v);
        if (auto actions = service_actions(s); !actions.empty()) r.reload = std::move(actions);
        if (auto v = s.get("interface"))
            for (const auto& e : v->table(nullptr).entries())
                r.interfaces.push_back(radvd_interface(e));
        config_.radvd = std::move(r);
    }

    RadvdInterfaceConfig radvd_interface(const Section::Entry& e) {
        RadvdInterfaceConfig i;
        const auto lan = config_.lans.find(e.key);
        if (lan == config_.lans.end()) {
            std::vector<std::string> names;
            for (const auto& [n, l] : config_.lans) names.push_back(n);
            throw ConfigError(
                e.key_where, fmt::format("no lan named '{}' for [radvd.interface]", e.key),
                did_you_mean(e.key, names, "radvd advertises the prefix of a [lan.NAME]"));
        }
        if (lan->second.prefix_from.empty())
            throw ConfigError(
                e.key_where, fmt::format("lan '{}' has no prefix to advertise", e.key),
                fmt::format("add prefix = {{ from = \"UPLINK\" }} to [lan.{}]", e.key));
        const Section s = e.value.table(&radvd_interface_keys);
        i.lan = e.key;
        i.where = s.where();
        if (auto v = s.get("managed")) i.managed = v->boolean();
        if (auto v = s.get("other")) i.other = v->boolean();
        if (auto v = s.get("min-interval")) i.min_interval = v->duration(Unit::seconds);
        if (auto v = s.get("max-interval")) i.max_interval = v->duration(Unit::seconds);
        if (auto v = s.get("preferred-lifetime")) i.preferred_lifetime = v->duration(Unit::seconds);
        if (auto v = s.get("valid-lifetime")) i.valid_lifetime = v->duration(Unit::seconds);
        if (auto v = s.get("deprecate-old")) i.deprecate_old_seconds = v->duration(Unit::seconds);
        // radvd refuses these (radvd.conf(5)); better here than at reload time.
        if (i.min_interval &&
            (i.min_interval < 3 || (i.max_interval && 4 * i.min_interval > 3 * i.max_interval)))
            s.get("min-interval")->fail("radvd needs 3 <= min-interval <= 0.75 * max-interval");
        if (i.max_interval && (i.max_interval < 4 || i.max_interval > 1800))
            s.get("max-interval")->fail("radvd needs max-interval in 4..1800 seconds");
        if (i.valid_lifetime && i.preferred_lifetime && i.valid_lifetime <= i.preferred_lifetime)
            s.get("valid-lifetime")
                ->fail("must be longer than preferred-lifetime (radvd refuses the file)");
        // radvd's default AdvValidLifetime is 86400 s.
        if (!i.valid_lifetime && i.preferred_lifetime >= 86400)
            s.get("preferred-lifetime")
                ->fail(
                    "must be shorter than radvd's default valid lifetime of 1d (radvd refuses the file)",
                    "set valid-lifetime too");
        if (auto v = s.get("rdnss")) {
            for (const Value& item : v->one_or_many()) {
                ValueExpr x = expr(item);
                if (x.yields_prefix() || x.family() != Family::v6)
                    item.fail(fmt::format("'{}' is not an IPv6 address", x.text),
                              "a DNS server's address, e.g. \"int.address\"");
                i.rdnss.push_back(std::move(x));
            }
        }
        if (auto v = s.get("dnssl"))
            for (const Value& item : v->one_or_many())
                i.dnssl.push_back(item.parsed(parse_domain_name));
        return i;
    }

    // -- [[dns]]

    void read_dns(const Section& s) {
        DnsZoneConfig z;
        z.where = s.where();
        const Value server = s.need("server");
        z.server =
            server
                .parsed([](std::string_view t, std::string_view w) { return parse_address(t, w); })
                .to_string();
        if (auto v = s.get("port")) z.port = static_cast<std::uint16_t>(v->integer(1, 65535));
        if (auto v = s.get("key")) z.key_file = v->absolute_path();
        z.zone = s.need("zone").parsed(parse_domain_name);
        if (auto v = s.get("ttl")) z.ttl = v->duration(Unit::seconds);
        if (auto v = s.get("timeout")) z.timeout_ms = v->duration(Unit::milliseconds);
        const Value records = s.need("records");
        if (records.array().empty())
            records.fail("no records",
                         "records = [ { name = \"router\", aaaa = \"int.address\" } ]");
        for (const Value& item : records.array()) {
            const Section r = item.table(&record_keys);
            DnsRecordConfig rec;
            rec.where = r.where();
            const Value name = r.need("name");
            rec.name = name.string();
            if (rec.name != "@") {
                if (!rec.name.empty() && rec.name.back() == '.')
                    name.fail("names are relative to the zone",
                              "drop the trailing '.'; \"@\" is the zone itself");
                rec.name = name.parsed(parse_domain_name).str();
            }
            const auto a = r.get("a");
            const auto aaaa = r.get("aaaa");
            if (a && aaaa) aaaa->fail("a record has either 'a' or 'aaaa'", "write two records");
            if (!a && !aaaa) r.fail(fmt::format("missing key 'a' or 'aaaa' in {}", r.label()));
            const Value& value = a ? *a : *aaaa;
            rec.type = a ? DnsType::a : DnsType::aaaa;
            rec.value = expr(value);
            const Family want = a ? Family::v4 : Family::v6;
            if (rec.value.yields_prefix())
                value.fail(
                    fmt::format("'{}' is a prefix; a record needs an address", rec.value.text),
                    "add a host token, e.g. \"int.prefix + ::c0a0:808\"");
            if (rec.value.family() != want)
                value.fail(
                    fmt::format("'{}' is {}", rec.value.text, family_name(rec.value.family())),
                    a ? "use 'aaaa' for IPv6" : "use 'a' for IPv4");
            if (auto v = r.get("ttl")) rec.ttl = v->duration(Unit::seconds);
            for (const DnsRecordConfig& other : z.records)
                if (other.name == rec.name && other.type == rec.type)
                    throw ConfigError(
                        rec.where,
                        fmt::format("{}: record '{}' {} is already defined", item.path(), rec.name,
                                    hookctl::to_string(rec.type)),
                        fmt::format("first at {}", other.where.to_string()));
            z.records.push_back(std::move(rec));
        }
        config_.dns.push_back(std::move(z));
    }

    // -- [[file]]

    void read_file(const Section& s) {
        FileConfig f;
        f.where = s.where();
        const Value path = s.need("path");
        f.path = path.absolute_path();
        const auto clash = [&](const std::string& other, const SourceLocation& at) {
            if (other == f.path)
                path.fail(fmt::format("\"{}\" is already written by the config at {}", f.path,
                                      at.to_string()));
        };
        for (const FileConfig& other : config_.files) clash(other.path, other.where);
        if (config_.radvd) clash(config_.radvd->file, config_.radvd->where);
        const Value content = s.need("content");
        f.content = parse_template(content.string(), content.where(), content.path(),
                                   content.exact_columns());
        for (const TemplatePart& part : f.content)
            if (part.expr) check_reference(*part.expr, content.path());
        if (auto v = s.get("mode")) f.mode = file_mode(*v);
        if (auto v = s.get("owner")) f.owner = account(*v);
        if (auto v = s.get("group")) f.group = account(*v);
        if (auto v = s.get("validate")) f.validate = validate_argv(*v);
        f.on_change = service_actions(s);
        config_.files.push_back(std::move(f));
    }

    // "0644" or 0o644; a decimal 644 would silently mean 0o1204.
    static std::uint32_t file_mode(const Value& v) {
        const std::string hint = "write \"0644\" or 0o644";
        std::int64_t mode = 0;
        if (v.node().is_integer()) {
            if (!v.node().octal && v.integer(0, 07777) != 0)
                v.fail("a mode written in decimal is ambiguous", hint);
            mode = v.integer(0, 07777);
        } else {
            const std::string s = v.string();
            if (s.empty() || s.size() > 4 ||
                !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '7'; }))
                v.fail(fmt::format("\"{}\" is not an octal mode", escape_for_display(s)), hint);
            mode = std::stol(s, nullptr, 8);
        }
        return static_cast<std::uint32_t>(mode);
    }

    // A program name as the kernel shows it (comm, the executable's file name).
    static std::string program_name(const Value& v) {
        std::string s = v.string();
        if (s.empty() || s.size() > 64 || !all_name_chars(s, "_.+-") || s.front() == '-')
            v.fail(fmt::format("\"{}\" is not a program name", escape_for_display(s)),
                   "e.g. \"radvd\"");
        return s;
    }

    static std::string account(const Value& v) {
        std::string s = v.string();
        if (s.size() > 32 || !all_name_chars(s, "_.-") || s.front() == '-')
            v.fail(fmt::format("\"{}\" is not a user or group name", escape_for_display(s)));
        return s;
    }

    const Node& root_;
    const std::string& file_;
    Config config_;
};

}  // namespace

namespace {

// TOML allows bytes above 0x7f only inside strings and comments. toml++ 3.3 runs
// into undefined behaviour (an unreachable branch of its Unicode whitespace table)
// for many such characters elsewhere, so they are refused here first, with their
// place. Found by fuzzing (tests/fuzz/regressions/config). The scan must see strings
// where toml++ does: a quote opens one only where TOML can start a string (a key at
// the start of a line, after '.' in a key, after '=', '[', '{' or ','); elsewhere,
// as in `x = 1"a"`, toml++ reads the quote as part of a bare value, and so does this.
void refuse_non_ascii_outside_strings(std::string_view text, const std::string& file) {
    // Most configs are ASCII throughout: then there is nothing to refuse.
    if (std::none_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x80; }))
        return;
    enum class In { code, comment, basic, literal, multi_basic, multi_literal } in = In::code;
    int line = 1;
    std::size_t line_start = 0;
    std::size_t i = 0;
    std::vector<char> nesting;  // '[' arrays and '{' inline tables of the value being read
    bool in_key = true;         // reading a key (or a table header), not a value
    bool string_may_start = true;
    // Consumes `s` if the text continues with it.
    const auto take = [&](std::string_view s) {
        if (text.substr(i, s.size()) != s) return false;
        i += s.size();
        return true;
    };
    while (i < text.size()) {
        const char c = text[i];
        if (c == '\n') {
            ++line;
            line_start = ++i;
            if (in == In::comment || in == In::basic || in == In::literal) in = In::code;
            if (in == In::code) {
                if (nesting.empty()) in_key = true;  // a new key, or an array's next line
                string_may_start = true;
            }
            continue;
        }
        if (in == In::code) {
            if (static_cast<unsigned char>(c) >= 0x80)
                throw ConfigError(SourceLocation{file, line, static_cast<int>(i - line_start) + 1},
                                  "a character outside ASCII outside a string or comment",
                                  "keys and values other than strings are ASCII in TOML");
            if (c == ' ' || c == '\t' || c == '\r') {
                ++i;
                continue;
            }
            if (string_may_start && take("\"\"\"")) {
                in = In::multi_basic;
                continue;
            }
            if (string_may_start && take("'''")) {
                in = In::multi_literal;
                continue;
            }
            if (c == '#') in = In::comment;
            if (string_may_start && c == '"') in = In::basic;
            if (string_may_start && c == '\'') in = In::literal;
            if (c == '=') in_key = false;
            if (c == '[' && !(in_key && nesting.empty())) {  // an array, not a table header
                nesting.push_back('[');
                in_key = false;
            }
            if (c == '{') {
                nesting.push_back('{');
                in_key = true;
            }
            if (c == ',') in_key = !nesting.empty() && nesting.back() == '{';
            if ((c == ']' || c == '}') && !nesting.empty()) {
                nesting.pop_back();
                in_key = false;
            }
            string_may_start = c == '=' || c == '[' || c == '{' || c == ',' || (c == '.' && in_key);
            ++i;
            continue;
        }
        if ((in == In::basic || in == In::multi_basic) && c == '\\') {
            i += 2;  // an escape: the next byte is not a delimiter
            continue;
        }
        if ((in == In::basic && take("\"")) || (in == In::literal && take("'")) ||
            (in == In::multi_basic && take("\"\"\"")) || (in == In::multi_literal && take("'''"))) {
            in = In::code;
            string_may_start = false;
            continue;
        }
        ++i;
    }
}

// The plain parser reads a config as the docs write it; toml++ reads anything else and
// words every syntax error (toml_doc.hpp).
Node parse_document(const std::string& text, const std::string& file) {
    if (auto plain = toml_doc::parse_plain_toml(text)) return std::move(*plain);
    try {
        return toml_doc::from_tomlpp(toml::parse(std::string_view(text), std::string_view(file)));
    } catch (const toml::parse_error& e) {
        const toml::source_position& p = e.source().begin;
        throw ConfigError(location(file, {p.line, p.column}), std::string(e.description()));
    } catch (const TomlCheckFailed& e) {
        throw ConfigError(SourceLocation{file},
                          fmt::format("not valid TOML (the parser's check {} failed)", e.what()),
                          "look for a '[' or a key without a name");
    }
}

}  // namespace

Config parse_config(const std::string& text, const std::string& file) {
    refuse_non_ascii_outside_strings(text, file);
    const Node root = parse_document(text, file);
    return Parser(root, file).parse();
}

}  // namespace hookctl
