// Subcommands of hookctl: one table of name, summary and function (like ninja's
// and fish's), global options shared by all, errors printed as `hookctl: ...`.
#include "commands.hpp"

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
#include <boost/program_options.hpp>

#include <unistd.h>
#include <algorithm>
#include <chrono>
#include <ctime>
#include <iostream>
#include <memory>
#include <set>

namespace po = boost::program_options;

namespace hookctl::cli {

namespace {

struct Globals {
    std::string config = "/etc/hookctl/hookctl.toml";
    std::string state_dir = "/var/lib/hookctl";
    bool dry_run = false;
    bool json = false;
    bool simulate = false;
};

struct Context {
    const Invocation& inv;
    Globals globals;
    std::vector<std::string> rest;  // arguments after the subcommand name
};

class UsageError : public Error {
public:
    explicit UsageError(const std::string& message, const std::string& hint = "")
        : Error(with_hint(message, hint)) {}
};

po::options_description global_options(Globals& g) {
    po::options_description d("Global options");
    d.add_options()("config", po::value(&g.config),
                    "config file (default /etc/hookctl/hookctl.toml)")(
        "state-dir", po::value(&g.state_dir),
        "state and journal directory (default /var/lib/hookctl)")(
        "dry-run", po::bool_switch(&g.dry_run), "plan only: change nothing, record nothing")(
        "json", po::bool_switch(&g.json), "machine-readable output (read-only commands)")(
        "simulate", po::bool_switch(&g.simulate),
        "act on a model instead of the system: actions count as done and state is kept (for trying a config, and tests)");
    return d;
}

// Parses `args` with the subcommand's own options plus the global ones.
// Global options given here override those given before the subcommand; ones not
// given keep their earlier value.
po::variables_map parse_args(Context& ctx, const std::vector<std::string>& args,
                             po::options_description own,
                             const po::positional_options_description& positional = {}) {
    Globals given = ctx.globals;
    own.add(global_options(given));
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(args).options(own).positional(positional).run(), vm);
        po::notify(vm);
    } catch (const po::error& e) {
        throw UsageError(e.what());
    }
    auto set = [&](const char* name) { return vm.count(name) && !vm[name].defaulted(); };
    if (set("config")) ctx.globals.config = given.config;
    if (set("state-dir")) ctx.globals.state_dir = given.state_dir;
    ctx.globals.dry_run = ctx.globals.dry_run || given.dry_run;
    ctx.globals.json = ctx.globals.json || given.json;
    ctx.globals.simulate = ctx.globals.simulate || given.simulate;
    return vm;
}

// Whether a global option is followed by a value, from the option table itself.
bool takes_value(const std::string& arg) {
    Globals unused;
    const auto options = global_options(unused);
    const std::string name =
        arg.substr(2, arg.find('=') == std::string::npos ? std::string::npos : arg.find('=') - 2);
    const auto* option = options.find_nothrow(name, false);
    return option && option->semantic()->max_tokens() > 0;
}

Config load(const Context& ctx) {
    return load_config(ctx.globals.config);
}

// iproute2's table names, then the config's own [tables] on top. The rt_tables files
// are read only when a rule or route names a table neither a number nor in [tables]:
// this runs at every hook call.
TableNames table_names(const Config& config) {
    auto needs_rt_tables = [&](const TableRef& t) { return !t.id && !config.tables.count(t.name); };
    const bool read = std::any_of(config.rules.begin(), config.rules.end(),
                                  [&](const RuleConfig& r) { return needs_rt_tables(r.table); }) ||
                      std::any_of(config.routes.begin(), config.routes.end(),
                                  [&](const RouteConfig& r) { return needs_rt_tables(r.table); });
    TableNames names = read ? read_table_names() : TableNames{};
    for (const auto& [name, id] : config.tables) names[name] = id;
    return names;
}

EngineOptions engine_options(const Context& ctx, const Config& config) {
    EngineOptions o;
    o.now = ctx.inv.now;
    o.tables = table_names(config);
    o.dry_run = ctx.globals.dry_run;
    o.observe_system = !ctx.globals.simulate && !ctx.globals.dry_run;
    o.budget_ms = config.settings.hook_budget_ms;
    return o;
}

std::unique_ptr<Executor> executor_for(const Context& ctx, const Config& config) {
    if (ctx.globals.simulate || ctx.globals.dry_run) return std::make_unique<RecordingExecutor>();
    return make_system_executor(config,
                                std::chrono::steady_clock::now() +
                                    std::chrono::milliseconds(config.settings.hook_budget_ms));
}

std::string format_time(Timestamp t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

void print_report(const RunReport& r, const std::string& title, bool json) {
    if (json) {
        std::cout << r.to_json().dump(2) << "\n";
        return;
    }
    std::string head = title;
    if (r.event)
        head = fmt::format("{} {} on {}", to_string(r.event->source), r.event->name,
                           r.event->interface.str());
    std::cout << fmt::format("{}: {}{} ({:.2f} ms)\n", head, to_string(r.status),
                             r.journal_id ? fmt::format(", journal #{}", *r.journal_id) : "",
                             r.elapsed_us / 1000.0);
    if (!r.error.empty()) std::cout << "  error: " << r.error << "\n";
    for (const auto& t : r.transitions) std::cout << "  * " << t.to_string() << "\n";
    for (const auto& w : r.warnings) std::cout << "  warning: " << w << "\n";
    if (r.plan.empty() && r.error.empty()) std::cout << "  nothing to do\n";
    for (std::size_t i = 0; i < r.plan.actions.size(); ++i) {
        const Action& a = r.plan.actions[i];
        const std::string result =
            i < r.results.size() ? to_string(r.results[i].status) : "planned";
        std::cout << fmt::format("  [{}] {}\n", result, a.describe());
        std::cout << fmt::format("      from {}; because {}\n", a.origin, a.why);
        if (i < r.results.size() && !r.results[i].message.empty() &&
            r.results[i].status != ActionResult::Status::done)
            std::cout << "      " << r.results[i].message << "\n";
    }
}

int report_exit(const RunReport& r) {
    if (!r.error.empty()) std::cerr << "hookctl: " << r.error << "\n";
    for (std::size_t i = 0; i < r.results.size(); ++i)
        if (r.results[i].status == ActionResult::Status::failed)
            std::cerr << fmt::format("hookctl: {} failed: {}\n", r.plan.actions[i].describe(),
                                     r.results[i].message);
    return r.exit_code();
}

// Hook runs: load the config; if that fails the event is still journaled, as an error.
int run_hook(Context& ctx, const RawEvent& raw) {
    std::optional<Config> config;
    try {
        config = load(ctx);
    } catch (const Error& e) {
        if (!ctx.globals.dry_run) {
            StateDir state(ctx.globals.state_dir);
            state.ensure_exists();
            Journal journal(state.path() + "/journal", Settings{}.journal_max_entries);
            Json entry{{"kind", "event"},
                       {"event", to_json(raw)},
                       {"status", "error"},
                       {"error", e.what()}};
            journal.append(entry);
        }
        throw;
    }
    StateDir state(ctx.globals.state_dir, config->settings.durable_state);
    Journal journal(state.path() + "/journal", config->settings.journal_max_entries);
    auto executor = executor_for(ctx, *config);
    RunReport r = run_event(*config, state, &journal, *executor, raw, engine_options(ctx, *config));
    print_report(r, "event", ctx.globals.json);
    return report_exit(r);
}

RawEvent raw_now(const Context& ctx, Source source, std::string script,
                 std::vector<std::string> args, const Environment& env) {
    RawEvent raw;
    raw.source = source;
    raw.script = std::move(script);
    raw.args = std::move(args);
    raw.env = relevant_environment(source, env);
    raw.time = ctx.inv.now;
    return raw;
}

int cmd_dhcpcd(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("dhcpcd options"));
    return run_hook(ctx, raw_now(ctx, Source::dhcpcd, "", {}, ctx.inv.env));
}

// pppd arguments are passed through untouched (one may be empty; none are options),
// so global options must come before `ppp`.
int cmd_ppp(Context& ctx) {
    if (ctx.rest.empty())
        throw UsageError("ppp: missing SCRIPT (ip-up, ip-down, ipv6-up or ipv6-down)");
    const std::string script = ctx.rest.front();
    if (!is_ppp_script(script)) {
        throw UsageError(
            fmt::format("ppp: unknown script '{}'", script),
            did_you_mean(script, ppp_script_names(),
                         fmt::format("one of: {}", fmt::join(ppp_script_names(), ", "))));
    }
    std::vector<std::string> args(ctx.rest.begin() + 1, ctx.rest.end());
    return run_hook(ctx, raw_now(ctx, Source::ppp, script, std::move(args), ctx.inv.env));
}

RawEvent raw_from_source(const Context& ctx, const std::string& source,
                         std::vector<std::string> args, const Environment& env) {
    if (source == "dhcpcd") return raw_now(ctx, Source::dhcpcd, "", {}, env);
    if (source.rfind("ppp:", 0) == 0) {
        const std::string script = source.substr(4);
        if (!is_ppp_script(script))
            throw UsageError(fmt::format("--source: unknown ppp script '{}'", script));
        return raw_now(ctx, Source::ppp, script, std::move(args), env);
    }
    throw UsageError(fmt::format("--source: expected 'dhcpcd' or 'ppp:SCRIPT', got '{}'", source));
}

// Plans `raw` against the current state without changing anything.
int plan_raw(Context& ctx, const RawEvent& raw, const std::string& title) {
    const Config config = load(ctx);
    StateDir state(ctx.globals.state_dir);
    RecordingExecutor unused;
    EngineOptions o = engine_options(ctx, config);
    o.dry_run = true;
    o.observe_system = false;
    RunReport r = run_event(config, state, nullptr, unused, raw, o);
    print_report(r, title, ctx.globals.json);
    if (!r.error.empty()) std::cerr << "hookctl: " << r.error << "\n";
    return r.exit_code();
}

int cmd_plan(Context& ctx) {
    std::string env_file, source = "dhcpcd";
    std::vector<std::string> args;
    po::options_description d("plan options");
    d.add_options()("env-file", po::value(&env_file), "environment of the event (VAR=value lines)")(
        "source", po::value(&source), "dhcpcd (default) or ppp:SCRIPT")(
        "arg", po::value(&args)->composing(),
        "pppd argument (repeat; positional after -- works too)");
    po::positional_options_description pos;
    pos.add("arg", -1);
    parse_args(ctx, ctx.rest, d, pos);
    if (env_file.empty())
        throw UsageError("plan: --env-file FILE is required (or use `hookctl replay ID`)");
    auto text = read_file_if_exists(env_file);
    if (!text) throw Error(fmt::format("{}: no such file", env_file));
    return plan_raw(ctx, raw_from_source(ctx, source, args, parse_env_file(*text, env_file)),
                    "plan");
}

std::uint64_t resolve_id(const Journal& journal, const std::string& id_text, bool last) {
    if (last) {
        auto id = journal.last_id();
        if (!id) throw Error("the journal is empty");
        return *id;
    }
    if (id_text.empty()) throw UsageError("replay: give an event ID or --last");
    try {
        return parse_u32(id_text, "ID");
    } catch (const Error&) {
        throw UsageError(
            fmt::format("replay: '{}' is not an event id (see `hookctl events`)", id_text));
    }
}

int cmd_replay(Context& ctx) {
    std::string id_text;
    bool last = false, apply = false;
    po::options_description d("replay options");
    d.add_options()("id", po::value(&id_text), "journal id")(
        "last", po::bool_switch(&last), "the newest event")("apply", po::bool_switch(&apply),
                                                            "act on the plan (default: dry run)");
    po::positional_options_description pos;
    pos.add("id", 1);
    parse_args(ctx, ctx.rest, d, pos);
    Journal journal(ctx.globals.state_dir + "/journal");
    const std::uint64_t id = resolve_id(journal, id_text, last);
    auto entry = journal.read(id);
    if (!entry) throw Error(fmt::format("no event #{} in the journal (see `hookctl events`)", id));
    if (!entry->contains("event"))
        throw Error(
            fmt::format("journal #{} is not an event (it is '{}')", id, entry->value("kind", "?")));
    RawEvent raw = raw_event_from_json(entry->at("event"));
    raw.time = ctx.inv.now;
    if (!apply || ctx.globals.dry_run) return plan_raw(ctx, raw, fmt::format("replay #{}", id));
    return run_hook(ctx, raw);
}

int cmd_events(Context& ctx) {
    unsigned limit = 20;
    po::options_description d("events options");
    d.add_options()("limit", po::value(&limit), "how many of the newest events (default 20)");
    parse_args(ctx, ctx.rest, d);
    Journal journal(ctx.globals.state_dir + "/journal");
    auto ids = journal.ids();
    if (ids.size() > limit) ids.erase(ids.begin(), ids.end() - limit);
    Json out = Json::array();
    for (auto id : ids) {
        auto e = journal.read(id);
        if (!e) continue;
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
    if (ctx.globals.json)
        std::cout << out.dump(2) << "\n";
    else if (ids.empty())
        std::cout << "no events recorded in " << ctx.globals.state_dir << "/journal\n";
    return 0;
}

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

int cmd_status(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("status options"));
    StateDir state(ctx.globals.state_dir);
    const Facts facts = state.load_facts();
    const auto applied = state.load_applied();
    // status works without a config (facts, owned objects, events); drift and DNS need it.
    std::optional<Config> config;
    std::string config_error;
    try {
        config = load(ctx);
    } catch (const Error& e) {
        config_error = e.what();
    }
    const Json drift = check_drift(ctx, config, applied);
    Journal journal(state.path() + "/journal");
    const auto all_ids = journal.ids();
    const std::vector<std::uint64_t> last_ids(
        all_ids.end() - std::min<std::size_t>(all_ids.size(), 5), all_ids.end());

    // DNS records: desired value, last confirmed value (the applied set), pending or
    // failed (the newest journal result for that value).
    std::vector<DnsRecordStatus> dns_records;
    std::string dns_error;
    if (config) {
        const DesiredState d = desired(*config, facts, table_names(*config), ctx.inv.now);
        Json entries = Json::array();
        for (auto it = all_ids.end() - std::min<std::size_t>(all_ids.size(), 100);
             it != all_ids.end(); ++it)
            if (auto e = journal.read(*it)) entries.push_back(std::move(*e));
        dns_records = dns_status(d.objects, d.held_keys, applied, entries);
    } else if (std::any_of(applied.begin(), applied.end(), [](const OwnedObject& o) {
                   return std::holds_alternative<DnsRecordObject>(o.object);
               })) {
        dns_error = config_error;
    }

    if (ctx.globals.json) {
        Json owned = Json::array(), events = Json::array(), dns = Json::array();
        for (const auto& o : applied) owned.push_back(to_json(o));
        for (auto id : last_ids)
            if (auto e = journal.read(id))
                events.push_back(Json{{"id", id}, {"status", e->value("status", "")}});
        for (const auto& r : dns_records) dns.push_back(to_json(r));
        std::cout << Json{{"facts", to_json(facts)},
                          {"owned", owned},
                          {"drift", drift},
                          {"last-events", events},
                          {"dns", dns}}
                         .dump(2)
                  << "\n";
        return 0;
    }
    std::cout << "facts:\n";
    if (facts.interfaces.empty()) std::cout << "  none yet\n";
    for (const auto& t : diff(Facts{}, Facts{facts.interfaces, {}}))
        std::cout << "  " << t.interface.str() << ": " << t.subject << " " << t.after << "\n";
    for (const auto& [lan, list] : facts.retired)
        for (const auto& r : list)
            std::cout << fmt::format("  lan {}: retired prefix {} since {}\n", lan,
                                     r.prefix.to_string(), format_time(r.since));
    std::cout << fmt::format("owned objects ({}):\n", applied.size());
    for (const auto& o : applied)
        std::cout << "  " << describe(o.object) << "\n      from " << o.origin << "\n";
    if (!dns_records.empty())
        std::cout << "dns records:\n" << format_dns_status(dns_records);
    else if (!dns_error.empty())
        std::cout << "dns records: not computed (" << dns_error << ")\n";
    if (drift.value("checked", false)) {
        const auto& missing = drift.at("missing");
        const auto& unexpected = drift.at("unexpected");
        std::cout << (missing.empty() && unexpected.empty() ? "drift: none\n" : "drift:\n");
        for (const auto& m : missing) std::cout << "  missing: " << m.get<std::string>() << "\n";
        for (const auto& u : unexpected)
            std::cout << "  unexpected: " << u.get<std::string>() << "\n";
    } else {
        std::cout << "drift: not checked (" << drift.value("error", "") << ")\n";
    }
    std::cout << "last events:\n";
    for (auto id : last_ids)
        if (auto e = journal.read(id))
            std::cout << fmt::format("  #{} {} {} {}\n", id, e->value("name", e->value("kind", "")),
                                     e->value("interface", ""), e->value("status", ""));
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
    return 0;
}

int cmd_apply(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("apply options"));
    const Config config = load(ctx);
    StateDir state(ctx.globals.state_dir, config.settings.durable_state);
    Journal journal(state.path() + "/journal", config.settings.journal_max_entries);
    auto executor = executor_for(ctx, config);
    RunReport r = run_reconcile(config, state, ctx.globals.dry_run ? nullptr : &journal, *executor,
                                engine_options(ctx, config));
    print_report(r, "apply", ctx.globals.json);
    return report_exit(r);
}

struct Command {
    const char* name;
    const char* args;
    const char* summary;
    int (*run)(Context&);
};

const Command commands[] = {
    {"dhcpcd", "", "handle one dhcpcd event (from the environment; run as a dhcpcd hook)",
     cmd_dhcpcd},
    {"ppp", "SCRIPT [ARGS...]",
     "handle one pppd event: SCRIPT is ip-up, ip-down, ipv6-up or ipv6-down", cmd_ppp},
    {"plan", "--env-file FILE [--source dhcpcd|ppp:SCRIPT] [-- ARGS...]",
     "show what an event would do", cmd_plan},
    {"replay", "ID|--last [--apply]", "re-run a recorded event (dry run unless --apply)",
     cmd_replay},
    {"events", "[--limit N]", "list recorded events", cmd_events},
    {"status", "", "facts per interface, owned objects, drift, last events", cmd_status},
    {"check", "[FILE]", "validate a config file", cmd_check},
    {"apply", "", "reconcile the system with the stored facts (after a config change or reboot)",
     cmd_apply},
};

void usage(std::ostream& out) {
    out << "usage: hookctl [--config FILE] [--state-dir DIR] [--dry-run] [--json] [--simulate] COMMAND [ARGS]\n\n"
           "commands:\n";
    for (const auto& c : commands)
        out << fmt::format("  {:<8} {}\n           {}\n", c.name, c.args, c.summary);
    out << "\nAs a pppd hook, hookctl also runs when invoked as ip-up, ipv6-up, ... or from /etc/ppp/<script>.d/.\n"
           "HOOKCTL_CONFIG and HOOKCTL_STATE_DIR in the environment set the defaults of --config and --state-dir.\n";
}

}  // namespace

int run_cli(const Invocation& inv) {
    Context ctx{inv, {}, {}};
    // Defaults a daemon can set without argv: pppd's `set HOOKCTL_CONFIG=...` option
    // (2.4.8+) in a peers file, dhcpcd's `env HOOKCTL_CONFIG=...`. Options win.
    if (auto it = inv.env.find("HOOKCTL_CONFIG"); it != inv.env.end() && !it->second.empty())
        ctx.globals.config = it->second;
    if (auto it = inv.env.find("HOOKCTL_STATE_DIR"); it != inv.env.end() && !it->second.empty())
        ctx.globals.state_dir = it->second;
    try {
        // Installed as /etc/ppp/<script>.d/NN-hookctl (or a link named after the
        // script): pppd's arguments are the whole argv.
        if (const std::string script = ppp_script_from_argv0(inv.argv0); !script.empty()) {
            ctx.rest = inv.args;
            ctx.rest.insert(ctx.rest.begin(), script);
            return cmd_ppp(ctx);
        }
        // Global options may precede the command.
        std::size_t i = 0;
        std::vector<std::string> leading;
        while (i < inv.args.size() && inv.args[i].rfind("-", 0) == 0) {
            const std::string& a = inv.args[i];
            if (a == "-h" || a == "--help") {
                usage(std::cout);
                return 0;
            }
            if (a == "--version") {
                std::cout << "hookctl " << version << "\n";
                return 0;
            }
            leading.push_back(a);
            if (takes_value(a) && a.find('=') == std::string::npos && i + 1 < inv.args.size())
                leading.push_back(inv.args[++i]);
            ++i;
        }
        parse_args(ctx, leading, po::options_description());
        if (i >= inv.args.size()) {
            usage(std::cerr);
            return 2;
        }
        const std::string name = inv.args[i];
        ctx.rest.assign(inv.args.begin() + static_cast<long>(i) + 1, inv.args.end());
        for (const auto& c : commands)
            if (name == c.name) return c.run(ctx);
        std::vector<std::string> names;
        for (const auto& c : commands) names.push_back(c.name);
        std::cerr << "hookctl: "
                  << with_hint(fmt::format("unknown command '{}'", name),
                               did_you_mean(name, names, "`hookctl --help` lists the commands"))
                  << "\n";
        return 2;
    } catch (const UsageError& e) {
        std::cerr << "hookctl: " << e.what() << "\n";
        return 2;
    } catch (const Error& e) {
        std::cerr << "hookctl: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "hookctl: internal error: " << e.what() << "\n";
        return 3;
    }
}

}  // namespace hookctl::cli
