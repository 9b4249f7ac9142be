// Helpers shared by the subcommands; see cli.hpp.
#include "cli.hpp"

#include "config.hpp"
#include "dns_status.hpp"
#include "engine.hpp"
#include "file_io.hpp"
#include "json_io.hpp"
#include "rt_tables.hpp"
#include "suggest.hpp"
#include "system_executor.hpp"
#include "termination.hpp"
#include "version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>

#include <unistd.h>

namespace hookctl::cli {

po::options_description global_options(Globals& g) {
    po::options_description d("Global options");
    const std::string config_help = fmt::format("config file (default {})", default_config_file);
    const std::string state_dir_help =
        fmt::format("state and journal directory (default {})", default_state_dir);
    d.add_options()("config", po::value(&g.config), config_help.c_str())(
        "state-dir", po::value(&g.state_dir), state_dir_help.c_str())(
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
                             const po::positional_options_description& positional) {
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

// The kernel's boot id: facts saved under another one are from before a reboot.
std::string boot_id() {
    try {
        std::string id = read_file_if_exists("/proc/sys/kernel/random/boot_id").value_or("");
        while (!id.empty() && (id.back() == '\n' || id.back() == ' ')) id.pop_back();
        if (id.size() <= 64 && std::all_of(id.begin(), id.end(), [](char c) {
                return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == '-';
            }))
            return id;
    } catch (const Error&) {
    }
    return {};
}

Deadline hook_deadline(const Context& ctx, const Config& config) {
    return ctx.inv.started + std::chrono::milliseconds(config.settings.hook_budget_ms);
}

EngineOptions engine_options(const Context& ctx, const Config& config) {
    EngineOptions o;
    o.now = ctx.inv.now;
    o.tables = table_names(config);
    o.dry_run = ctx.globals.dry_run;
    o.observe_system = !ctx.globals.simulate && !ctx.globals.dry_run;
    o.deadline = hook_deadline(ctx, config);
    o.boot_id = boot_id();
    return o;
}

std::unique_ptr<Executor> executor_for(const Context& ctx, const Config& config) {
    if (ctx.globals.simulate || ctx.globals.dry_run) return std::make_unique<RecordingExecutor>();
    return make_system_executor(config, hook_deadline(ctx, config));
}

std::string format_time(Timestamp t) {
    std::time_t tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::localtime_r(&tt, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
    return buf;
}

// The report and report_exit's lines go through stdio, not iostreams: they are the
// hook's output, and a pppd or dhcpcd hook never builds the iostreams
// (ensure_iostreams). std::cout shares stdio's buffer (synced), so the CLI's
// commands that print around them keep their order.
void print_report(const RunReport& r, const std::string& title, bool json) {
    if (json) {
        std::string text = r.to_json().dump(2, ' ', false, Json::error_handler_t::replace);
        text += '\n';
        std::fputs(text.c_str(), stdout);
        return;
    }
    std::string head = title;
    if (r.event)
        head = fmt::format("{} {} on {}", to_string(r.event->source), r.event->name,
                           r.event->interface.str());
    std::string out = fmt::format("{}: {}{} ({:.2f} ms)\n", head, to_string(r.status),
                                  r.journal_id ? fmt::format(", journal #{}", *r.journal_id) : "",
                                  static_cast<double>(r.elapsed_us) / 1000.0);
    const auto line = [&out](std::string_view prefix, const std::string& text) {
        out.append(prefix);
        out += text;
        out += '\n';
    };
    if (!r.error.empty()) line("  error: ", r.error);
    for (const auto& t : r.transitions) line("  * ", t.to_string());
    for (const auto& w : r.warnings) line("  warning: ", w);
    for (const auto& p : r.problems) line("  problem: ", p);
    for (const auto& e : r.errors) line("  error: ", e);
    if (r.plan.empty() && r.error.empty()) out += "  nothing to do\n";
    for (std::size_t i = 0; i < r.plan.actions.size(); ++i) {
        const Action& a = r.plan.actions[i];
        const std::string result =
            i < r.results.size() ? to_string(r.results[i].status) : "planned";
        out += fmt::format("  [{}] {}\n", result, a.describe());
        out += fmt::format("      from {}; because {}\n", a.origin, a.why);
        if (i < r.results.size() && !r.results[i].message.empty() &&
            r.results[i].status != ActionResult::Status::done)
            line("      ", r.results[i].message);
    }
    // fwrite, not fputs: a message may hold a NUL byte (escaped elsewhere, but whole here).
    std::fwrite(out.data(), 1, out.size(), stdout);
}

int report_exit(const RunReport& r) {
    std::string err;
    const auto line = [&err](const std::string& text) {
        err += "hookctl: ";
        err += text;
        err += '\n';
    };
    if (!r.error.empty()) line(r.error);
    for (const auto& p : r.problems) line(p);
    for (const auto& e : r.errors) line(e);
    for (std::size_t i = 0; i < r.results.size(); ++i)
        if (r.results[i].status == ActionResult::Status::failed)
            line(fmt::format("{} failed: {}", r.plan.actions[i].describe(), r.results[i].message));
    std::fwrite(err.data(), 1, err.size(), stderr);
    return r.exit_code();
}

// Hook runs: load the config; if that fails the event is still journaled, as an error.
Config load_for_hook(const Context& ctx, const RawEvent& raw) {
    try {
        return load(ctx);
    } catch (const Error& e) {
        RunReport failed;
        failed.status = RunReport::Status::error;
        failed.error = e.what();
        if (!ctx.globals.dry_run) {
            try {
                StateDir state(ctx.globals.state_dir);
                state.ensure_exists();
                Journal journal(state.path() + "/journal", Settings{}.journal_max_entries);
                failed.journal_id = journal.append(Json{{"kind", "event"},
                                                        {"event", to_json(raw)},
                                                        {"status", "error"},
                                                        {"error", e.what()}});
            } catch (const Error& journal_error) {
                fmt::print(stderr, "hookctl: journal: the event was not recorded: {}\n",
                           journal_error.what());
            }
        }
        log_hook_run(ctx, raw, failed);
        throw;
    }
}

namespace {

// A one-shot hook run ends the process where the event ends: the config, the state
// and the report are left for the kernel to free with the process instead of being
// torn down object by object while the daemon that ran the hook waits (about 15 µs of
// a run, bench/README.md). Not when a runner is chained after hookctl (the process
// goes on to exec it). Output is flushed first; nothing else is pending: the journal
// and the state are written, the lock is released by the kernel.
void exit_after_hook(const Context& ctx, int rc) {
    if (!ctx.chain.empty()) return;
    std::fflush(nullptr);  // std::cout and std::cerr write through stdio (synced)
    ::_exit(rc);
}

}  // namespace

int run_loaded_hook(Context& ctx, const RawEvent& raw, const Config& config, bool ends_process) {
    if (!ctx.globals.dry_run && !ctx.globals.simulate) catch_termination();
    if (ctx.direct == DirectMode::dhcpcd_script && !config.settings.dhcpcd_hooks.empty())
        ctx.chain = {config.settings.dhcpcd_hooks};
    if (ctx.direct == DirectMode::ppp_script && !config.settings.ppp_scripts.empty()) {
        ctx.chain = {config.settings.ppp_scripts + "/" + raw.script};
        ctx.chain.insert(ctx.chain.end(), raw.args.begin(), raw.args.end());
    }
    StateDir state(ctx.globals.state_dir, config.settings.durable_state);
    Journal journal(state.path() + "/journal", config.settings.journal_max_entries);
    auto executor = executor_for(ctx, config);
    RunReport r = run_event(config, state, &journal, *executor, raw, engine_options(ctx, config));
    log_hook_run(ctx, raw, r);
    print_report(r, "event", ctx.globals.json);
    const int rc = report_exit(r);
    if (ends_process) exit_after_hook(ctx, rc);
    return rc;
}

int run_hook(Context& ctx, const RawEvent& raw) {
    const Config config = load_for_hook(ctx, raw);
    return run_loaded_hook(ctx, raw, config, true);
}

RawEvent raw_now(const Context& ctx, Source source, std::string script,
                 std::vector<std::string> args, const Environment& env) {
    RawEvent raw;
    raw.source = source;
    raw.script = std::move(script);
    raw.args = std::move(args);
    raw.env = relevant_environment(source, env);
    if (&env == &ctx.inv.env)
        for (const auto& name : ctx.inv.duplicated)
            if (raw.env.count(name) && std::find(raw.duplicated.begin(), raw.duplicated.end(),
                                                 name) == raw.duplicated.end())
                raw.duplicated.push_back(name);
    raw.time = ctx.inv.now;
    return raw;
}

}  // namespace hookctl::cli
