// The commands that handle an event or reconcile: dhcpcd, ppp, plan, replay, apply.
#include "cli.hpp"

#include "config.hpp"
#include "dns_status.hpp"
#include "engine.hpp"
#include "file_io.hpp"
#include "json_io.hpp"
#include "rt_tables.hpp"
#include "suggest.hpp"
#include "syslog_sender.hpp"
#include "system_executor.hpp"
#include "termination.hpp"
#include "version.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace hookctl::cli {

namespace {

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

// Control characters as \xNN: what a daemon passed can hold any byte, and a newline
// in it must not start a second syslog line.
std::string escape_controls(const std::string& text) {
    std::string out;
    for (const char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f)
            out += fmt::format("\\x{:02x}", u);
        else
            out += c;
    }
    return out;
}

// The event as the report knows it, else as the daemon passed it (a rejected or
// unparsed event): the dhcpcd reason and interface, the ppp script and interface.
std::string event_label(const RawEvent& raw, const RunReport& r) {
    if (r.event)
        return fmt::format("{} {} on {}", to_string(r.event->source), r.event->name,
                           r.event->interface.str());
    // Values the parser refused: any length and content.
    auto clip = [](const std::string& v) {
        return escape_controls(v.size() <= 32 ? v : v.substr(0, 32) + "...");
    };
    auto env = [&](const char* name) {
        const auto it = raw.env.find(name);
        return it == raw.env.end() ? std::string("?") : clip(it->second);
    };
    if (raw.source == Source::ppp)
        return fmt::format("ppp {} on {}", clip(raw.script),
                           raw.args.empty() ? "?" : clip(raw.args[0]));
    // The dispatchers name the interface as their daemons pass it: NetworkManager
    // as its first argument, networkd-dispatcher in IFACE.
    if (raw.source == Source::kernel)
        return fmt::format("kernel {} on {}", clip(raw.script),
                           raw.args.empty() ? env("IFACE") : clip(raw.args[0]));
    return fmt::format("{} {} on {}", to_string(raw.source), env("reason"), env("interface"));
}

// What went wrong first: the run's own error, else the first failed action, else
// the first object left out, else the first thing not recorded. Empty: nothing.
std::string first_error(const RunReport& r) {
    if (!r.error.empty()) return r.error;
    for (std::size_t i = 0; i < r.results.size() && i < r.plan.actions.size(); ++i)
        if (r.results[i].status == ActionResult::Status::failed)
            return fmt::format("{} failed: {}", r.plan.actions[i].describe(), r.results[i].message);
    if (!r.problems.empty()) return r.problems.front();
    if (!r.errors.empty()) return r.errors.front();
    return {};
}

// An error with its hint lines as one line: "message; hint: ...".
std::string one_line(const std::string& text) {
    std::string out;
    bool line_start = false;
    for (const char c : text) {
        if (c == '\n') {
            line_start = true;
            continue;
        }
        if (line_start) {
            if (c == ' ') continue;  // a hint's indentation
            out += "; ";
            line_start = false;
        }
        out += c;
    }
    return escape_controls(out);
}

}  // namespace

std::string syslog_line(const RawEvent& raw, const RunReport& r) {
    const std::size_t actions = r.plan.actions.size();
    const auto failed = std::count_if(r.results.begin(), r.results.end(), [](const auto& x) {
        return x.status == ActionResult::Status::failed;
    });
    std::string line =
        fmt::format("{}: {}, {} action{}, {} failed, {}", event_label(raw, r), to_string(r.status),
                    actions, actions == 1 ? "" : "s", failed,
                    r.journal_id ? fmt::format("journal #{}", *r.journal_id) : "not journaled");
    if (r.status != RunReport::Status::applied) {
        const std::string error = first_error(r);
        if (!error.empty()) line += ": " + one_line(error);
    }
    return line;
}

void log_hook_run(const Context& ctx, const RawEvent& raw, const RunReport& r) {
    if (ctx.globals.dry_run || ctx.globals.simulate) return;
    const auto severity = r.status == RunReport::Status::applied ? syslog_sender::Severity::info
                                                                 : syslog_sender::Severity::warning;
    syslog_sender::send(severity, "hookctl", syslog_line(raw, r));
}

int cmd_dhcpcd(Context& ctx) {
    // As dhcpcd runs it there are no arguments: no option table to build (a hook's
    // start-up is most of its run).
    if (!ctx.rest.empty()) parse_args(ctx, ctx.rest, po::options_description("dhcpcd options"));
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

int cmd_apply(Context& ctx) {
    parse_args(ctx, ctx.rest, po::options_description("apply options"));
    const Config config = load(ctx);
    StateDir state(ctx.globals.state_dir, config.settings.durable_state);
    Journal journal(state.path() + "/journal", config.settings.journal_max_entries);
    auto executor = executor_for(ctx, config);
    if (!ctx.globals.dry_run && !ctx.globals.simulate) catch_termination();
    RunReport r = run_reconcile(config, state, ctx.globals.dry_run ? nullptr : &journal, *executor,
                                engine_options(ctx, config));
    print_report(r, "apply", ctx.globals.json);
    return report_exit(r);
}

}  // namespace hookctl::cli
