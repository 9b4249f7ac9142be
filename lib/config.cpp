// Loads hookctl.toml (schema: docs/config.md) into the typed Config. toml++ does the
// TOML; this file checks every key against one table of known keys per section, every
// value's type and range, and every reference between sections, and names the file,
// line and column of the first problem together with a hint.
#include "config.hpp"

#include <fmt/format.h>
#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace hookctl {

// ---- small public pieces ------------------------------------------------------------

std::string SourceLocation::to_string() const {
    if (line <= 0) return file;
    if (column <= 0) return fmt::format("{}:{}", file, line);
    return fmt::format("{}:{}:{}", file, line, column);
}

std::string TableRef::to_string() const {
    if (!name.empty()) return name;
    return id ? std::to_string(*id) : std::string();
}

const UplinkConfig* Config::uplink_for(const InterfaceName& ifname) const {
    for (const auto& [name, uplink] : uplinks)
        if (uplink.interface == ifname) return &uplink;
    return nullptr;
}

ConfigError::ConfigError(SourceLocation where, const std::string& message, const std::string& hint)
    : Error(where.to_string() + ": " + message + (hint.empty() ? "" : "\n  hint: " + hint)),
      where_(std::move(where)) {}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const std::size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] != b[j - 1])});
            diagonal = above;
        }
    }
    return row[b.size()];
}

}  // namespace

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
    std::string best;
    std::size_t best_distance = std::max<std::size_t>(2, word.size() / 3) + 1;
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(word, c);
        // d < the longer length: never "suggest" a word that shares nothing.
        if (d < best_distance && d < std::max(word.size(), c.size())) {
            best = c;
            best_distance = d;
        }
    }
    return best;
}

namespace {

// ---- known keys: one table per section, for validation and the hint -----------------

using Keys = std::vector<std::string>;

Keys with_service_actions(Keys keys) {
    for (const char* k : {"reload", "restart", "try-restart", "reload-pidfile", "on-change"})
        keys.emplace_back(k);
    return keys;
}

const Keys top_keys{"settings", "tables", "uplink", "lan", "rule", "route", "radvd", "dns", "file"};
const Keys settings_keys{"rule-priority", "route-protocol", "command-timeout",
                         "hook-budget",   "journal-max-entries", "path", "durable-state"};
const Keys uplink_keys{"interface", "token", "pd-iaid", "sysctl", "on"};
const Keys lan_keys{"interface", "prefix", "address-token", "sysctl"};
const Keys lan_prefix_keys{"from", "subnet", "length"};
const Keys sysctl_keys{"ipv4", "ipv6"};
// pppd script names and dhcpcd reasons (contracts.md 1.1 and 2.3).
const Keys event_names{
    "ip-up", "ip-down", "ipv6-up", "ipv6-down",
    "PREINIT", "CARRIER", "NOCARRIER", "NOCARRIER_ROAMING", "DEPARTED", "STOPPED",
    "BOUND", "RENEW", "REBIND", "REBOOT", "INFORM", "EXPIRE", "NAK", "TIMEOUT", "STATIC",
    "3RDPARTY", "RELEASE", "FAIL", "STOP", "RECONFIGURE", "IPV4LL",
    "BOUND6", "RENEW6", "REBIND6", "REBOOT6", "INFORM6", "EXPIRE6", "TIMEOUT6", "RELEASE6",
    "STOP6", "UNKNOWN6", "DELEGATED6", "STATIC6", "ROUTERADVERT"};
const Keys rule_keys{"from",   "to",    "iif",      "oif",    "fwmark", "fwmask",
                     "action", "table", "priority", "family", "while"};
const Keys route_keys{"to", "via", "dev", "table", "metric", "type", "family", "while"};
const Keys radvd_keys = with_service_actions({"file", "validate", "interface"});
const Keys radvd_interface_keys{"managed",        "other",          "min-interval",
                                "max-interval",   "preferred-lifetime", "valid-lifetime",
                                "deprecate-old",  "rdnss",          "dnssl"};
const Keys dns_keys{"server", "port", "key", "zone", "ttl", "timeout", "records"};
const Keys record_keys{"name", "a", "aaaa", "ttl"};
const Keys file_keys = with_service_actions(
    {"path", "content", "mode", "owner", "group", "validate"});

// ---- reading typed values with their location ----------------------------------------

std::string a_type(toml::node_type t) {
    switch (t) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a float";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        default: return "nothing";
    }
}

SourceLocation location(const std::string& file, const toml::source_position& p) {
    return {file, static_cast<int>(p.line), static_cast<int>(p.column)};
}

enum class Unit { seconds, milliseconds };

class Section;

// One TOML value and its path for messages ("rule[2].from[1]").
class Value {
public:
    Value(const toml::node& node, std::string path, const std::string& file)
        : node_(&node), path_(std::move(path)), file_(&file) {}

    const toml::node& node() const { return *node_; }
    const std::string& path() const { return path_; }
    SourceLocation where() const { return location(*file_, node_->source().begin); }

    [[noreturn]] void fail(const std::string& problem, const std::string& hint = "") const {
        throw ConfigError(where(), fmt::format("{}: {}", path_, problem), hint);
    }
    [[noreturn]] void expected(const std::string& what) const {
        fail(fmt::format("expected {}, got {}", what, a_type(node_->type())));
    }

    // Runs a net_types parser on the string value: parse(text, path).
    template <class F>
    auto parsed(F&& parse) const {
        const std::string text = string();
        try {
            return parse(std::string_view(text), std::string_view(path_));
        } catch (const InputError& e) {
            throw ConfigError(where(), e.what());
        }
    }

    std::string string() const {
        const auto* s = node_->as_string();
        if (!s) expected("a string");
        if (s->get().find('\0') != std::string::npos) fail("contains a NUL character");
        return s->get();
    }

    std::int64_t integer(std::int64_t min, std::int64_t max) const {
        const auto* i = node_->as_integer();
        if (!i) expected("an integer");
        if (i->get() < min || i->get() > max)
            fail(fmt::format("{} is out of range {}..{}", i->get(), min, max));
        return i->get();
    }
    std::uint32_t u32(std::uint32_t min = 0) const {
        return static_cast<std::uint32_t>(integer(min, 0xffffffff));
    }

    bool boolean() const {
        const auto* b = node_->as_boolean();
        if (!b) expected("a boolean (true or false)");
        return b->get();
    }

    std::vector<Value> array() const {
        const auto* a = node_->as_array();
        if (!a) expected("an array");
        std::vector<Value> items;
        for (std::size_t i = 0; i < a->size(); ++i)
            items.emplace_back((*a)[i], fmt::format("{}[{}]", path_, i + 1), *file_);
        return items;
    }
    // A single value, or an array of them.
    std::vector<Value> one_or_many() const {
        if (node_->is_array()) return array();
        return {*this};
    }

    // An integer in `unit`, or a string like "90s", "5m", "2h", "1d", "500ms", "1h30m".
    std::uint32_t duration(Unit unit) const {
        if (node_->is_integer())
            return u32();
        if (!node_->is_string())
            expected(unit == Unit::seconds ? "a duration (\"90s\", \"2h\" or integer seconds)"
                                           : "a duration (\"3s\", \"500ms\" or integer ms)");
        const std::string text = string();
        const std::string hint = "write a number with a unit: ms, s, m, h or d, e.g. \"90s\"";
        std::uint64_t ms = 0;
        std::size_t i = 0;
        if (text.empty()) fail("empty duration", hint);
        while (i < text.size()) {
            std::uint64_t n = 0;
            const std::size_t start = i;
            while (i < text.size() && text[i] >= '0' && text[i] <= '9' && n < 1'000'000'000'000)
                n = n * 10 + static_cast<std::uint64_t>(text[i++] - '0');
            std::size_t end = i;
            while (end < text.size() && text[end] >= 'a' && text[end] <= 'z') ++end;
            const std::string suffix = text.substr(i, end - i);
            std::uint64_t factor = 0;
            if (suffix == "ms") factor = 1;
            else if (suffix == "s") factor = 1000;
            else if (suffix == "m") factor = 60'000;
            else if (suffix == "h") factor = 3'600'000;
            else if (suffix == "d") factor = 86'400'000;
            if (i == start || factor == 0)
                fail(fmt::format("bad duration \"{}\"", escape_for_display(text)), hint);
            ms += n * factor;
            i = end;
        }
        if (unit == Unit::seconds && ms % 1000 != 0)
            fail(fmt::format("\"{}\" is not a whole number of seconds", text));
        const std::uint64_t n = unit == Unit::seconds ? ms / 1000 : ms;
        if (n > 0xffffffffu) fail(fmt::format("duration \"{}\" is too long", text));
        return static_cast<std::uint32_t>(n);
    }

    // A program and its arguments: never a shell line.
    std::vector<std::string> argv() const {
        const std::string what = "an argv array of strings, e.g. [\"/usr/bin/rdisc6\", \"ppp0\"]";
        if (!node_->is_array()) expected(what);
        std::vector<std::string> argv;
        for (const Value& item : array()) {
            if (!item.node().is_string()) item.expected("a string");
            argv.push_back(item.string());
            if (argv.back().empty()) item.fail("empty argument");
        }
        if (argv.empty()) fail("empty argv", "name a program, e.g. [\"rdisc6\", \"ppp0\"]");
        if (argv[0].front() != '/' && argv[0].find('/') != std::string::npos)
            fail(fmt::format("program \"{}\" is a relative path", argv[0]),
                 "use an absolute path or a bare name looked up on settings.path");
        if (argv[0].find(' ') != std::string::npos && argv[0].front() != '/')
            fail(fmt::format("program \"{}\" contains a space", argv[0]),
                 "argv is not a shell line: put each argument in its own string");
        return argv;
    }
    std::vector<std::vector<std::string>> argv_list() const {
        if (!node_->is_array() || (node_->as_array()->size() > 0 &&
                                   !(*node_->as_array())[0].is_array()))
            expected("an array of argv arrays, e.g. [[\"rdisc6\", \"ppp0\"]]");
        std::vector<std::vector<std::string>> list;
        for (const Value& item : array()) list.push_back(item.argv());
        return list;
    }

    // An absolute path without NUL, "." or ".." components.
    std::string absolute_path() const {
        const std::string p = string();
        if (p.empty() || p.front() != '/')
            fail(fmt::format("\"{}\" is not an absolute path", escape_for_display(p)),
                 "paths start with '/'");
        if (p.size() > 1 && p.back() == '/') fail(fmt::format("\"{}\" ends with '/'", p));
        std::stringstream parts(p);
        for (std::string part; std::getline(parts, part, '/');)
            if (part == "." || part == "..")
                fail(fmt::format("\"{}\" contains a '{}' component", p, part));
        return p;
    }

    bool exact_columns() const {
        // One line, one-character quotes, no escapes: columns inside map 1:1.
        const auto& s = node_->source();
        return s.begin.line == s.end.line &&
               s.end.column - s.begin.column == node_->as_string()->get().size() + 2;
    }

    Section table(const Keys* known, std::string label = "") const;

private:
    const toml::node* node_;
    std::string path_;
    const std::string* file_;
};

// A TOML table whose keys were checked against `known` (nullptr: any key).
class Section {
public:
    struct Entry {
        std::string key;
        SourceLocation key_where;
        Value value;
    };

    Section(const toml::table& t, std::string path, std::string label, const Keys* known,
            const std::string& file)
        : table_(&t), path_(std::move(path)), label_(std::move(label)), file_(&file) {
        for (const Entry& e : entries()) {
            if (!known || std::find(known->begin(), known->end(), e.key) != known->end())
                continue;
            const std::string near = nearest(e.key, *known);
            throw ConfigError(e.key_where, fmt::format("unknown key '{}' in {}", e.key, label_),
                              near.empty()
                                  ? fmt::format("known keys: {}", fmt::join(*known, ", "))
                                  : fmt::format("did you mean '{}'?", near));
        }
    }

    SourceLocation where() const { return location(*file_, table_->source().begin); }
    const std::string& label() const { return label_; }
    const std::string& path() const { return path_; }

    std::optional<Value> get(std::string_view key) const {
        const toml::node* n = table_->get(key);
        if (!n) return std::nullopt;
        return Value(*n, key_path(key), *file_);
    }
    Value need(std::string_view key) const {
        if (auto v = get(key)) return *v;
        fail(fmt::format("missing key '{}' in {}", key, label_));
    }
    bool has(std::string_view key) const { return table_->contains(key); }

    // In the order written in the file (toml++ keeps keys sorted).
    std::vector<Entry> entries() const {
        std::vector<Entry> list;
        for (const auto& [k, v] : *table_)
            list.push_back({std::string(k.str()), location(*file_, k.source().begin),
                            Value(v, key_path(k.str()), *file_)});
        std::sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) {
            return std::pair(a.key_where.line, a.key_where.column) <
                   std::pair(b.key_where.line, b.key_where.column);
        });
        return list;
    }

    [[noreturn]] void fail(const std::string& message, const std::string& hint = "") const {
        throw ConfigError(where(), message, hint);
    }

private:
    std::string key_path(std::string_view key) const {
        return path_.empty() ? std::string(key) : fmt::format("{}.{}", path_, key);
    }

    const toml::table* table_;
    std::string path_;
    std::string label_;
    const std::string* file_;
};

Section Value::table(const Keys* known, std::string label) const {
    const auto* t = node_->as_table();
    if (!t) expected("a table");
    if (label.empty())
        label = path_.find('[') == std::string::npos ? "[" + path_ + "]" : path_;
    return Section(*t, path_, std::move(label), known, *file_);
}

// `[[name]]` entries: an array of tables.
std::vector<Section> array_of_tables(const Section& top, std::string_view name, const Keys& known) {
    std::vector<Section> list;
    const auto v = top.get(name);
    if (!v) return list;
    const auto* a = v->node().as_array();
    if (!a || !a->is_array_of_tables())
        v->fail(fmt::format("expected an array of tables ([[{}]]), got {}", name,
                            a_type(v->node().type())));
    for (const Value& item : v->array())
        list.push_back(item.table(&known, fmt::format("[[{}]]", name)));
    return list;
}

// An enum spelt as one of `names` (same order as the enum's values).
template <class E>
E choice(const Value& v, const Keys& names) {
    const std::string word = v.string();
    for (std::size_t i = 0; i < names.size(); ++i)
        if (names[i] == word) return static_cast<E>(i);
    const std::string near = nearest(word, names);
    v.fail(fmt::format("unknown value \"{}\"", escape_for_display(word)),
           near.empty() ? fmt::format("one of: {}", fmt::join(names, ", "))
                        : fmt::format("did you mean '{}'?", near));
}

const Keys rule_action_names{"lookup", "unreachable", "blackhole", "prohibit"};
const Keys route_type_names{"unicast", "unreachable", "blackhole", "prohibit"};

Family family_value(const Value& v) {
    return choice<int>(v, {"ipv4", "ipv6"}) == 0 ? Family::v4 : Family::v6;
}

const char* family_name(Family f) { return f == Family::v4 ? "IPv4" : "IPv6"; }

bool is_name_char(char c, std::string_view extra) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           extra.find(c) != std::string_view::npos;
}
bool all_name_chars(std::string_view s, std::string_view extra) {
    return !s.empty() && std::all_of(s.begin(), s.end(),
                                     [&](char c) { return is_name_char(c, extra); });
}

// ---- the sections --------------------------------------------------------------------

class Parser {
public:
    Parser(const toml::table& root, const std::string& file) : root_(root), file_(file) {}

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
        if (config_.uplinks.count(e.owner)) {
            if (e.field == ValueExpr::Field::address)
                fail(fmt::format("uplink '{}' has no field 'address'", e.owner),
                     fmt::format("'{}.ipv6' is the uplink's own IPv6 address", e.owner));
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
        const std::string near = nearest(e.owner, owner_names());
        fail(fmt::format("no uplink or lan named '{}'", e.owner),
             near.empty() ? "declare it as [uplink.NAME] or [lan.NAME]"
                          : fmt::format("did you mean '{}'?", near));
    }

    std::vector<std::string> owner_names() const {
        std::vector<std::string> names;
        for (const auto& [n, u] : config_.uplinks) names.push_back(n);
        for (const auto& [n, l] : config_.lans) names.push_back(n);
        return names;
    }

    std::string uplink_name(const Value& v) const {
        const std::string name = v.string();
        if (config_.uplinks.count(name)) return name;
        std::vector<std::string> names;
        for (const auto& [n, u] : config_.uplinks) names.push_back(n);
        const std::string near = nearest(name, names);
        v.fail(fmt::format("no uplink named '{}'", escape_for_display(name)),
               near.empty() ? "declare it as [uplink.NAME]" : fmt::format("did you mean '{}'?", near));
    }

    InterfaceName interface(const Value& v) const { return v.parsed(parse_interface_name); }

    // An interface identifier added to a prefix of `length` bits.
    IpAddress token(const Value& v, int prefix_length) const {
        const IpAddress t = v.parsed([](std::string_view s, std::string_view w) {
            return parse_address(s, w);
        });
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
                    item.fail(fmt::format("\"{}\" is not a systemd unit name",
                                          escape_for_display(unit)),
                              "e.g. \"radvd.service\"");
                ServiceAction a;
                a.kind = kind;
                a.unit = unit;
                actions.push_back(a);
            }
        }
        if (const auto v = s.get("reload-pidfile")) {
            ServiceAction a;
            a.kind = ServiceAction::Kind::signal_pidfile;
            a.pidfile = v->absolute_path();
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
            if (!t.name.empty() &&
                std::all_of(t.name.begin(), t.name.end(), [](char c) { return c >= '0' && c <= '9'; })) {
                t.id = v->parsed(parse_u32);
                t.name.clear();
            } else if (!all_name_chars(t.name, "_.-")) {
                v->fail(fmt::format("\"{}\" is not a routing table name",
                                    escape_for_display(t.name)),
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
            std::all_of(s.begin() + 2, s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)); }))
            return static_cast<std::uint32_t>(std::stoul(s.substr(2), nullptr, 16));
        return v.parsed(parse_u32);
    }

    void check_same_family(const std::string& path, const std::vector<ValueExpr>& a,
                           const std::vector<ValueExpr>& b, const std::string& a_key,
                           const std::string& b_key) const {
        for (const ValueExpr& x : b)
            for (const ValueExpr& y : a)
                if (x.family() != y.family())
                    throw ConfigError(
                        x.where,
                        fmt::format("{}: {} '{}' is {} but {} '{}' is {}", path, b_key, x.text,
                                    family_name(x.family()), a_key, y.text,
                                    family_name(y.family())),
                        "a rule or route is for one family: split it in two");
    }

    Sysctls sysctls(const Section& s) const {
        Sysctls result;
        const auto v = s.get("sysctl");
        if (!v) return result;
        const Section sys = v->table(&sysctl_keys);
        for (const auto& [family, target] : {std::pair{"ipv4", &result.ipv4},
                                             std::pair{"ipv6", &result.ipv6}}) {
            const auto t = sys.get(family);
            if (!t) continue;
            for (const auto& e : t->table(nullptr).entries()) {
                if (!all_name_chars(e.key, "_") ||
                    std::any_of(e.key.begin(), e.key.end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
                    throw ConfigError(e.key_where,
                                      fmt::format("sysctl key '{}' is not [a-z0-9_]+",
                                                  escape_for_display(e.key)),
                                      "it names a file under /proc/sys/net/ipv*/conf/IF/");
                const toml::node& n = e.value.node();
                std::string value;
                if (n.is_integer()) value = std::to_string(n.as_integer()->get());
                else if (n.is_boolean()) value = n.as_boolean()->get() ? "1" : "0";
                else if (n.is_string()) value = e.value.string();
                else e.value.expected("an integer, a string or a boolean");
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
                                          "digits, '-' or '_'", kind, escape_for_display(e.key)),
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
            if (v->node().is_integer() && v->node().as_integer()->get() < 5)
                v->fail("protocols 0..4 belong to the kernel",
                        "pick an unused number, 211 by default (see /etc/iproute2/rt_protos)");
            st.route_protocol = static_cast<std::uint8_t>(v->integer(5, 255));
        }
        if (auto v = s.get("command-timeout")) st.command_timeout_ms = v->duration(Unit::milliseconds);
        if (auto v = s.get("hook-budget")) st.hook_budget_ms = v->duration(Unit::milliseconds);
        if (auto v = s.get("journal-max-entries")) st.journal_max_entries = v->u32(1);
        if (auto v = s.get("durable-state")) st.durable_state = v->boolean();
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
            if (!all_name_chars(e.key, "_-.") || !std::isalpha(static_cast<unsigned char>(e.key[0])))
                throw ConfigError(e.key_where,
                                  fmt::format("table name '{}' is not a letter followed by letters, digits, "
                                              "'-', '_' or '.'", escape_for_display(e.key)),
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
        if (auto v = s.get("token")) u.token = token(*v, 64);
        if (auto v = s.get("pd-iaid")) u.pd_iaid = v->u32();
        u.sysctl = sysctls(s);
        if (auto v = s.get("on"))
            for (const auto& ev : v->table(&event_names).entries())
                for (auto& argv : ev.value.argv_list()) u.on[ev.key].push_back(command(std::move(argv)));
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
            l.prefix_from = uplink_name(p.need("from"));
            if (auto len = p.get("length")) l.length = static_cast<std::uint8_t>(len->integer(1, 128));
            if (auto sub = p.get("subnet")) {
                // The delegated length is known only when the prefix arrives; assume at
                // most a /48 here, and check the real fit then.
                const int bits = std::max(0, std::min(32, l.length - 48));
                const std::int64_t max = (std::int64_t{1} << bits) - 1;
                if (sub->node().is_integer() && sub->node().as_integer()->get() > max)
                    sub->fail(fmt::format("subnet {} does not fit a /{} taken from a /48",
                                          sub->node().as_integer()->get(), l.length),
                              fmt::format("at most {}", max));
                l.subnet = static_cast<std::uint32_t>(sub->integer(0, max));
            }
        }
        if (auto v = s.get("address-token")) {
            if (l.prefix_from.empty()) v->fail("address-token needs a prefix", "add prefix = { from = \"UPLINK\" }");
            l.address_token = token(*v, l.length);
        }
        l.sysctl = sysctls(s);
        config_.lans.emplace(l.name, std::move(l));
    }

    void check_interfaces_unique() const {
        struct Use { std::string ifname; SourceLocation where; std::string label; };
        std::vector<Use> uses;
        for (const auto& [n, u] : config_.uplinks) uses.push_back({u.interface.str(), u.where, "[uplink." + n + "]"});
        for (const auto& [n, l] : config_.lans) uses.push_back({l.interface.str(), l.where, "[lan." + n + "]"});
        std::sort(uses.begin(), uses.end(), [](const Use& a, const Use& b) {
            return std::pair(a.where.line, a.where.column) < std::pair(b.where.line, b.where.column);
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
        if (auto v = s.get("from")) r.from = exprs(*v);
        if (auto v = s.get("to")) r.to = exprs(*v);
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
            s.fail("missing key 'table' in [[rule]]", "action \"lookup\" (the default) needs a table");
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
            const std::optional<Family> f = family ? family : r.via ? std::optional(r.via->family()) : std::nullopt;
            if (!f) to.fail("\"default\" needs 'family' (\"ipv4\" or \"ipv6\") or a 'via'");
            r.to.text = "default";
            r.to.where = to.where();
            r.to.literal_prefix = IpPrefix{IpAddress{*f, {}}, 0};
        } else {
            r.to = expr(to);
        }
        if (family && *family != r.to.family())
            s.get("family")->fail(fmt::format("route to '{}' is {}", r.to.text, family_name(r.to.family())));
        if (r.via) check_same_family(s.path(), {r.to}, {*r.via}, "to", "via");
        if (auto v = s.get("dev")) r.dev = interface(*v);
        r.table = table_ref(s.get("table")).value_or(TableRef{254, "main"});
        if (auto v = s.get("metric")) r.metric = v->u32();
        if (auto v = s.get("type")) r.type = choice<RouteType>(*v, route_type_names);
        if (r.type == RouteType::unicast && !r.via && !r.dev)
            s.fail("a unicast [[route]] needs 'via' or 'dev'");
        if (r.type != RouteType::unicast && r.via)
            s.get("via")->fail(fmt::format("a route of type \"{}\" has no gateway", to_string(r.type)));
        if (auto v = s.get("while")) r.while_up = uplink_name(*v);
        config_.routes.push_back(std::move(r));
    }

    // -- [radvd]

    void read_radvd(const Section& s) {
        RadvdConfig r;
        r.where = s.where();
        if (auto v = s.get("file")) r.file = v->absolute_path();
        if (auto v = s.get("validate")) r.validate = validate_argv(*v);
        else r.validate = {"radvd", "-c", "-C", "{}"};
        r.reload = service_actions(s);
        if (r.reload.empty()) {
            ServiceAction a;
            a.kind = ServiceAction::Kind::reload;
            a.unit = "radvd.service";
            r.reload.push_back(a);
        }
        if (auto v = s.get("interface"))
            for (const auto& e : v->table(nullptr).entries()) r.interfaces.push_back(radvd_interface(e));
        config_.radvd = std::move(r);
    }

    RadvdInterfaceConfig radvd_interface(const Section::Entry& e) {
        RadvdInterfaceConfig i;
        const auto lan = config_.lans.find(e.key);
        if (lan == config_.lans.end()) {
            std::vector<std::string> names;
            for (const auto& [n, l] : config_.lans) names.push_back(n);
            const std::string near = nearest(e.key, names);
            throw ConfigError(e.key_where, fmt::format("no lan named '{}' for [radvd.interface]", e.key),
                              near.empty() ? "radvd advertises the prefix of a [lan.NAME]"
                                           : fmt::format("did you mean '{}'?", near));
        }
        if (lan->second.prefix_from.empty())
            throw ConfigError(e.key_where, fmt::format("lan '{}' has no prefix to advertise", e.key),
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
        if (i.min_interval && (i.min_interval < 3 || (i.max_interval && 4 * i.min_interval > 3 * i.max_interval)))
            s.get("min-interval")->fail("radvd needs 3 <= min-interval <= 0.75 * max-interval");
        if (i.max_interval && (i.max_interval < 4 || i.max_interval > 1800))
            s.get("max-interval")->fail("radvd needs max-interval in 4..1800 seconds");
        if (i.valid_lifetime && i.preferred_lifetime && i.valid_lifetime <= i.preferred_lifetime)
            s.get("valid-lifetime")->fail("must be longer than preferred-lifetime (radvd refuses the file)");
        // radvd's default AdvValidLifetime is 86400 s.
        if (!i.valid_lifetime && i.preferred_lifetime >= 86400)
            s.get("preferred-lifetime")
                ->fail("must be shorter than radvd's default valid lifetime of 1d (radvd refuses the file)",
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
            for (const Value& item : v->one_or_many()) i.dnssl.push_back(item.parsed(parse_domain_name));
        return i;
    }

    // -- [[dns]]

    void read_dns(const Section& s) {
        DnsZoneConfig z;
        z.where = s.where();
        const Value server = s.need("server");
        z.server = server.parsed([](std::string_view t, std::string_view w) { return parse_address(t, w); })
                       .to_string();
        if (auto v = s.get("port")) z.port = static_cast<std::uint16_t>(v->integer(1, 65535));
        if (auto v = s.get("key")) z.key_file = v->absolute_path();
        z.zone = s.need("zone").parsed(parse_domain_name);
        if (auto v = s.get("ttl")) z.ttl = v->duration(Unit::seconds);
        if (auto v = s.get("timeout")) z.timeout_ms = v->duration(Unit::milliseconds);
        const Value records = s.need("records");
        if (records.array().empty()) records.fail("no records", "records = [ { name = \"router\", aaaa = \"int.address\" } ]");
        for (const Value& item : records.array()) {
            const Section r = item.table(&record_keys);
            DnsRecordConfig rec;
            rec.where = r.where();
            const Value name = r.need("name");
            rec.name = name.string();
            if (rec.name != "@") {
                if (!rec.name.empty() && rec.name.back() == '.')
                    name.fail("names are relative to the zone", "drop the trailing '.'; \"@\" is the zone itself");
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
                value.fail(fmt::format("'{}' is a prefix; a record needs an address", rec.value.text),
                           "add a host token, e.g. \"int.prefix + ::c0a0:808\"");
            if (rec.value.family() != want)
                value.fail(fmt::format("'{}' is {}", rec.value.text, family_name(rec.value.family())),
                           a ? "use 'aaaa' for IPv6" : "use 'a' for IPv4");
            if (auto v = r.get("ttl")) rec.ttl = v->duration(Unit::seconds);
            for (const DnsRecordConfig& other : z.records)
                if (other.name == rec.name && other.type == rec.type)
                    throw ConfigError(rec.where,
                                      fmt::format("{}: record '{}' {} is already defined", item.path(),
                                                  rec.name, hookctl::to_string(rec.type)),
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
                path.fail(fmt::format("\"{}\" is already written by the config at {}", f.path, at.to_string()));
        };
        for (const FileConfig& other : config_.files) clash(other.path, other.where);
        if (config_.radvd) clash(config_.radvd->file, config_.radvd->where);
        const Value content = s.need("content");
        f.content = parse_template(content.string(), content.where(), content.path(), content.exact_columns());
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
            if (v.node().as_integer()->flags() != toml::value_flags::format_as_octal && v.integer(0, 07777) != 0)
                v.fail("a mode written in decimal is ambiguous", hint);
            mode = v.integer(0, 07777);
        } else {
            const std::string s = v.string();
            if (s.empty() || s.size() > 4 || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '7'; }))
                v.fail(fmt::format("\"{}\" is not an octal mode", escape_for_display(s)), hint);
            mode = std::stol(s, nullptr, 8);
        }
        return static_cast<std::uint32_t>(mode);
    }

    static std::string account(const Value& v) {
        const std::string s = v.string();
        if (s.size() > 32 || !all_name_chars(s, "_.-") || s.front() == '-')
            v.fail(fmt::format("\"{}\" is not a user or group name", escape_for_display(s)));
        return s;
    }

    const toml::table& root_;
    const std::string& file_;
    Config config_;
};

}  // namespace

Config parse_config(const std::string& text, const std::string& file) {
    toml::table root;
    try {
        root = toml::parse(std::string_view(text), std::string_view(file));
    } catch (const toml::parse_error& e) {
        throw ConfigError(location(file, e.source().begin), std::string(e.description()));
    }
    return Parser(root, file).parse();
}

Config load_config(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ConfigError(SourceLocation{path}, fmt::format("cannot read the config file: {}", std::strerror(errno)));
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad()) throw ConfigError(SourceLocation{path}, "cannot read the config file");
    return parse_config(text.str(), path);
}

}  // namespace hookctl
