// The commands that look without changing anything: events, status, check.
#include "cli.hpp"

#include "config.hpp"
#include "dns_status.hpp"
#include "engine.hpp"
#include "file_io.hpp"
#include "json_io.hpp"
#include "rt_tables.hpp"
#include "suggest.hpp"
#include "system_executor.hpp"
#include "version.hpp"

#include <fmt/format.h>

#include <unistd.h>
#include <algorithm>
#include <iostream>

namespace hookctl::cli {

int cmd_events(Context& ctx) {
    unsigned limit = 20;
    bool ids_only = false;
    po::options_description d("events options");
    d.add_options()("limit", po::value(&limit), "how many of the newest events (default 20)")(
        "ids", po::bool_switch(&ids_only),
        "only the ids replay takes, one a line (the shell completion reads them)");
    parse_args(ctx, ctx.rest, d);
    Journal journal(ctx.globals.state_dir + "/journal");
    auto ids = journal.ids();
    if (ids.size() > limit) ids.erase(ids.begin(), ids.end() - limit);
    Json out = Json::array();
    for (auto id : ids) {
        auto e = journal.read(id);
        if (!e) continue;
        if (ids_only) {
            // `hookctl apply` runs are journaled too, but only events can be replayed.
            if (e->contains("event")) std::cout << id << "\n";
            continue;
        }
        if (ctx.globals.json) {
            out.push_back(*e);
            continue;
        }
        const Json ev = e->value("event", Json::object());
        std::string what = e->value("kind", "?");
        if (e->contains("name"))
            what = e->value("source", "") + " " + e->value("name", "") + " " +
                   e->value("interface", "");
        else if (!ev.empty())
            what = ev.value("source", "") + " " + ev.value("script", "");
        std::cout << fmt::format("#{:<5} {}  {:<30} {:<9} {} actions{}\n", id,
                                 format_time(e->value("time", ev.value("time", Timestamp{0}))),
                                 what, e->value("status", "?"),
                                 e->value("actions", Json::array()).size(),
                                 e->contains("error") ? "  error: " + e->value("error", "") : "");
    }
    if (ids_only) return 0;
    if (ctx.globals.json)
        std::cout << out.dump(2, ' ', false, Json::error_handler_t::replace) << "\n";
    else if (ids.empty())
        std::cout << "no events recorded in " << ctx.globals.state_dir << "/journal\n";
    return 0;
}

namespace {

// Rules and routes hookctl believes it owns against what the kernel holds with its
// tag, matched the way the engine matches them (the kernel normalises routes).
Json check_drift(const Context& ctx, const std::optional<Config>& config,
                 const std::vector<OwnedObject>& applied) {
    if (ctx.globals.simulate || ::geteuid() != 0 || !config)
        return Json{{"checked", false},
                    {"error", config ? "needs root and the real system" : "no config"}};
    try {
        auto ex = make_system_executor(*config,
                                       std::chrono::steady_clock::now() + std::chrono::seconds(5));
        const std::vector<Object> present = ex->list_owned();
        std::vector<std::string> missing, unexpected;
        std::vector<bool> accounted(present.size(), false);
        for (const auto& a : applied) {
            if (!std::holds_alternative<RuleObject>(a.object) &&
                !std::holds_alternative<RouteObject>(a.object))
                continue;
            bool found = false;
            for (std::size_t i = 0; i < present.size(); ++i)
                if (!accounted[i] && ex->matches(a.object, present[i])) found = accounted[i] = true;
            if (!found) missing.push_back(describe(a.object));
        }
        for (std::size_t i = 0; i < present.size(); ++i)
            if (!accounted[i]) unexpected.push_back(describe(present[i]));
        return Json{{"checked", true}, {"missing", missing}, {"unexpected", unexpected}};
    } catch (const Error& e) {
        return Json{{"checked", false}, {"error", e.what()}};
    }
}

// What `status` shows, gathered once for both output forms.
struct StatusView {
    Facts facts;
    std::vector<OwnedObject> applied;
    Json drift;
    std::vector<std::pair<std::uint64_t, Json>> last_events;  // newest 5
    std::vector<DnsRecordStatus> dns_records;
    std::string dns_error;  // why DNS status is missing, when records are owned
};

// DNS records: desired value, last confirmed value (the applied set), pending or
// failed (the newest journal result for that value, from the last 100 entries).
void add_dns_status(StatusView& v, const std::optional<Config>& config,
                    const std::string& config_error, const Journal& journal,
                    const std::vector<std::uint64_t>& ids, Timestamp now) {
    if (!config) {
        if (std::any_of(v.applied.begin(), v.applied.end(), [](const OwnedObject& o) {
                return std::holds_alternative<DnsRecordObject>(o.object);
            }))
            v.dns_error = config_error;
        return;
    }
    const DesiredState d = desired(*config, v.facts, table_names(*config), now);
    Json entries = Json::array();
    for (auto it = ids.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(ids.size(), 100));
         it != ids.end(); ++it)
        if (auto e = journal.read(*it)) entries.push_back(std::move(*e));
    v.dns_records = dns_status(d.objects, d.held_keys, v.applied, entries);
}

StatusView gather_status(const Context& ctx) {
    StatusView v;
    StateDir state(ctx.globals.state_dir);
    v.facts = state.load_facts();
    v.applied = state.load_applied();
    // status works without a config (facts, owned objects, events); drift and DNS need it.
    std::optional<Config> config;
    std::string config_error;
    try {
        config = load(ctx);
    } catch (const Error& e) {
        config_error = e.what();
    }
    v.drift = check_drift(ctx, config, v.applied);
    Journal journal(state.path() + "/journal");
    const auto ids = journal.ids();
    for (auto it = ids.end() - static_cast<std::ptrdiff_t>(std::min<std::size_t>(ids.size(), 5));
         it != ids.end(); ++it)
        if (auto e = journal.read(*it)) v.last_events.emplace_back(*it, std::move(*e));
    add_dns_status(v, config, config_error, journal, ids, ctx.inv.now);
    return v;
}

void print_status_json(const StatusView& v) {
    Json owned = Json::array(), events = Json::array(), dns = Json::array();
    for (const auto& o : v.applied) owned.push_back(to_json(o));
    for (const auto& [id, e] : v.last_events)
        events.push_back(Json{{"id", id}, {"status", e.value("status", "")}});
    for (const auto& r : v.dns_records) dns.push_back(to_json(r));
    std::cout << Json{{"facts", to_json(v.facts)},
                      {"owned", owned},
                      {"drift", v.drift},
                      {"last-events", events},
                      {"dns", dns}}
                     .dump(2, ' ', false, Json::error_handler_t::replace)
              << "\n";
}

void print_drift(const Json& drift) {
    if (!drift.value("checked", false)) {
        std::cout << "drift: not checked (" << drift.value("error", "") << ")\n";
        return;
    }
    const auto& missing = drift.at("missing");
    const auto& unexpected = drift.at("unexpected");
    std::cout << (missing.empty() && unexpected.empty() ? "drift: none\n" : "drift:\n");
    for (const auto& m : missing) std::cout << "  missing: " << m.get<std::string>() << "\n";
    for (const auto& u : unexpected) std::cout << "  unexpected: " << u.get<std::string>() << "\n";
}

void print_status_text(const StatusView& v) {
    std::cout << "facts:\n";
    if (v.facts.interfaces.empty()) std::cout << "  none yet\n";
    for (const auto& t : diff(Facts{}, Facts{{}, v.facts.interfaces, {}}))
        std::cout << "  " << t.interface.str() << ": " << t.subject << " " << t.after << "\n";
    for (const auto& [lan, list] : v.facts.retired)
        for (const auto& r : list)
            std::cout << fmt::format("  lan {}: retired prefix {} since {}\n", lan,
                                     r.prefix.to_string(), format_time(r.since));
    std::cout << fmt::format("owned objects ({}):\n", v.applied.size());
    for (const auto& o : v.applied)
        std::cout << "  " << describe(o.object) << "\n      from " << o.origin << "\n";
    if (!v.dns_records.empty())
        std::cout << "dns records:\n" << format_dns_status(v.dns_records);
    else if (!v.dns_error.empty())
        std::cout << "dns records: not computed (" << v.dns_error << ")\n";
    print_drift(v.drift);
    std::cout << "last events:\n";
    for (const auto& [id, e] : v.last_events)
        std::cout << fmt::format("  #{} {} {} {}\n", id, e.value("name", e.value("kind", "")),
                                 e.value("interface", ""), e.value("status", ""));
}

}  // namespace

int cmd_status(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("status options"));
    const StatusView v = gather_status(ctx);
    if (ctx.globals.json)
        print_status_json(v);
    else
        print_status_text(v);
    return 0;
}

int cmd_check(Context& ctx) {
    std::string file;
    po::options_description d("check options");
    d.add_options()("file", po::value(&file), "config file (default: --config)");
    po::positional_options_description pos;
    pos.add("file", 1);
    parse_args(ctx, ctx.rest, d, pos);
    if (!file.empty()) ctx.globals.config = file;
    const Config config = load(ctx);
    // Tables by name must exist; everything else was checked while loading.
    const TableNames tables = table_names(config);
    int problems = 0;
    auto check_table = [&](const TableRef& t, const SourceLocation& where) {
        if (t.id || tables.count(t.name)) return;
        std::vector<std::string> names;
        for (const auto& [n, _] : tables) names.push_back(n);
        std::cerr << with_hint(fmt::format("{}: table '{}' is not in rt_tables", where.to_string(),
                                           t.name),
                               did_you_mean(
                                   t.name, names,
                                   "name it in [tables] or in /etc/iproute2/rt_tables.d/NAME.conf"))
                  << "\n";
        ++problems;
    };
    for (const auto& r : config.rules)
        if (r.action == RuleAction::lookup) check_table(r.table, r.where);
    for (const auto& r : config.routes) check_table(r.table, r.where);
    if (problems) return 2;
    std::cout << fmt::format(
        "{}: ok ({} uplinks, {} lans, {} rules, {} routes, {} files, {} dns zones{})\n",
        config.file, config.uplinks.size(), config.lans.size(), config.rules.size(),
        config.routes.size(), config.files.size(), config.dns.size(),
        config.radvd ? ", radvd" : "");
    // The config a package installs declares nothing: valid, and worth saying that
    // no event will change anything until it is edited.
    if (config.uplinks.empty() && config.lans.empty() && config.rules.empty() &&
        config.routes.empty() && config.files.empty() && config.dns.empty() && !config.radvd)
        std::cout << fmt::format(
            "{}: this config takes no action: it declares no uplink, lan, rule, route, file, "
            "dns zone or radvd, so events are recorded and nothing is changed\n"
            "  hint: declare an [uplink.NAME] and what follows from it; hookctl.toml(5) and "
            "the examples in /usr/share/doc/hookctl/examples show how\n",
            config.file);
    return 0;
}

}  // namespace hookctl::cli
