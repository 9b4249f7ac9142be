// The hook run pipeline; see engine.hpp.
#include "engine.hpp"

#include "fault.hpp"
#include "termination.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

namespace hookctl {

namespace {

using Clock = std::chrono::steady_clock;

std::uint64_t micros_since(Clock::time_point t0) {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count());
}

template <class Kind>
bool any_of_kind(const std::vector<OwnedObject>& list) {
    return std::any_of(list.begin(), list.end(),
                       [](const OwnedObject& o) { return std::holds_alternative<Kind>(o.object); });
}

bool observed(const Object& o, OwnedKinds kinds) {
    return (kinds.rules && std::holds_alternative<RuleObject>(o)) ||
           (kinds.routes && std::holds_alternative<RouteObject>(o));
}

// desired + the applied values of held keys (files/DNS whose facts are unknown now).
std::vector<OwnedObject> desired_with_held(const DesiredState& d,
                                           const std::vector<OwnedObject>& applied) {
    std::vector<OwnedObject> out = d.objects;
    std::set<std::string> held(d.held_keys.begin(), d.held_keys.end());
    for (const auto& a : applied)
        if (held.count(key_of(a.object))) out.push_back(a);
    return out;
}

// The applied set the plan is computed against. With a kernel view, the rules and
// routes are what the kernel holds with our tag; each is taken in the form we
// asked for (desired or stored) when it matches, so the kernel's normalisation
// does not look like a change. A reconcile leaves desired sysctls and files out,
// so they are ensured again (their executors compare with the system); ones no
// longer desired stay in and are removed.
std::vector<OwnedObject> baseline(const StepInput& in, const std::vector<OwnedObject>& desired) {
    const bool reconcile = in.event == nullptr || in.ensure_all;
    std::set<std::string> desired_keys;
    for (const auto& d : desired) desired_keys.insert(key_of(d.object));
    // Rules whenever the config has rules, routes whenever it has routes (or the
    // applied set holds some): the stored applied set may have been lost (a damaged
    // state file, a state dir that could not be written), and what the kernel holds
    // with our tag is the truth then. A kind neither configured nor applied is not
    // dumped (each dump is a round trip to the kernel on the daemon's time); a
    // reconcile dumps both, so a tagged leftover of an older config goes there.
    OwnedKinds kinds;
    kinds.rules = in.kernel &&
                  (reconcile || !in.config->rules.empty() || any_of_kind<RuleObject>(in.applied));
    kinds.routes = in.kernel && (reconcile || !in.config->routes.empty() ||
                                 any_of_kind<RouteObject>(in.applied));
    const bool observe = kinds.rules || kinds.routes;
    std::vector<OwnedObject> out;
    for (const auto& s : in.applied) {
        if (observed(s.object, kinds)) continue;
        if (reconcile && desired_keys.count(key_of(s.object)) &&
            (std::holds_alternative<SysctlObject>(s.object) ||
             std::holds_alternative<FileObject>(s.object)))
            continue;
        out.push_back(s);
    }
    if (!observe) return out;
    for (const auto& present : in.kernel->list_owned(kinds)) {
        const OwnedObject* known = nullptr;
        for (const auto* list : {&desired, &in.applied})
            for (const auto& candidate : *list)
                if (!known && in.kernel->matches(candidate.object, present)) known = &candidate;
        out.push_back(known ? *known
                            : OwnedObject{present, "found in the kernel with hookctl's tag", {}});
    }
    return out;
}

// Reloads owed from an earlier run go first among the reloads, waiting for nothing.
Plan with_owed_reloads(Plan plan, const std::vector<ServiceAction>& owed) {
    for (const auto& s : owed) {
        auto planned = std::find_if(plan.actions.begin(), plan.actions.end(), [&](const Action& a) {
            return a.op == Action::Op::reload && a.service == s;
        });
        if (planned != plan.actions.end()) {
            planned->after.clear();  // due now whatever the files do
            planned->why = "owed by an earlier run";
            continue;
        }
        Action a;
        a.op = Action::Op::reload;
        a.service = s;
        a.why = "owed by an earlier run (it failed or ran out of budget)";
        a.origin = "state.json pending-reloads";
        auto pos = std::find_if(plan.actions.begin(), plan.actions.end(), [](const Action& x) {
            return x.op == Action::Op::run ||
                   (x.object && std::holds_alternative<DnsRecordObject>(*x.object));
        });
        // `after` indexes of later actions shift by one.
        const auto at = static_cast<std::size_t>(pos - plan.actions.begin());
        for (auto& x : plan.actions)
            for (auto& i : x.after)
                if (i >= at) ++i;
        plan.actions.insert(pos, a);
    }
    return plan;
}

}  // namespace

Step compute_step(const StepInput& in) {
    const Config& config = *in.config;
    Step s;
    Facts merged = expire(in.facts, in.now, in.boot_id, s.expired);
    if (in.event)
        for (const auto& u : in.event->updates) merged = merge(std::move(merged), u, in.now);
    s.facts_after = retire_prefixes(config, in.facts, std::move(merged), in.now);
    s.transitions = diff(in.facts, s.facts_after);
    s.desired = desired(config, s.facts_after, in.tables, in.now);
    s.desired_with_held = desired_with_held(s.desired, in.applied);
    const std::vector<Action> triggers =
        in.event ? event_triggers(config, *in.event) : std::vector<Action>{};
    s.plan = with_owed_reloads(
        make_plan(baseline(in, s.desired.objects), s.desired_with_held, s.transitions, triggers),
        in.owed_reloads);
    return s;
}

std::vector<OwnedObject> next_applied(const std::vector<OwnedObject>& applied, const Plan& plan,
                                      const std::vector<OwnedObject>& desired,
                                      const std::vector<ActionResult>& results) {
    // Each object's key computed once (key_of formats addresses): the next applied
    // set as (key, object) pairs, in the order of `applied`, then of the actions.
    std::vector<std::pair<std::string, OwnedObject>> next;
    next.reserve(applied.size() + plan.actions.size());
    for (const auto& o : applied) next.emplace_back(key_of(o.object), o);
    std::map<std::string, const OwnedObject*> desired_by_key;
    for (const auto& d : desired) desired_by_key.emplace(key_of(d.object), &d);
    for (std::size_t i = 0; i < plan.actions.size() && i < results.size(); ++i) {
        const Action& a = plan.actions[i];
        if (!a.object || !results[i].ok() || results[i].status == ActionResult::Status::skipped)
            continue;
        std::string key = key_of(*a.object);
        next.erase(std::remove_if(next.begin(), next.end(),
                                  [&](const auto& entry) { return entry.first == key; }),
                   next.end());
        if (a.op == Action::Op::remove) continue;
        auto it = desired_by_key.find(key);
        next.emplace_back(std::move(key), it != desired_by_key.end()
                                              ? *it->second
                                              : OwnedObject{*a.object, a.origin, {}});
    }
    std::vector<OwnedObject> out;
    out.reserve(next.size());
    for (auto& entry : next) out.push_back(std::move(entry.second));
    return out;
}

std::vector<ActionResult> execute_plan(const Plan& plan, Executor& executor, Deadline deadline) {
    std::vector<ActionResult> results;
    results.reserve(plan.actions.size());
    for (const auto& a : plan.actions) {
        if (termination_requested()) {
            results.push_back(
                {ActionResult::Status::skipped,
                 "not done: hookctl was asked to terminate (SIGTERM); the next run does it"});
            continue;
        }
        if (Clock::now() >= deadline) {
            results.push_back(
                {ActionResult::Status::skipped,
                 "the hook's time budget (settings.hook-budget) is used up; the next event or "
                 "`hookctl apply` retries"});
            continue;
        }
        if (a.op == Action::Op::reload && !a.after.empty()) {
            const bool changed = std::any_of(a.after.begin(), a.after.end(), [&](std::size_t i) {
                return i < results.size() && results[i].status == ActionResult::Status::done;
            });
            if (!changed) {
                results.push_back({ActionResult::Status::skipped, "no file it reads changed"});
                continue;
            }
        }
        fault_point("engine: before an action");
        const auto t1 = Clock::now();
        ActionResult r = executor.apply(a);
        r.elapsed_us = static_cast<std::uint32_t>(micros_since(t1));
        results.push_back(std::move(r));
        fault_point("engine: after an action");
    }
    return results;
}

std::string to_string(RunReport::Status s) {
    switch (s) {
    case RunReport::Status::applied: return "applied";
    case RunReport::Status::partial: return "partial";
    case RunReport::Status::planned: return "planned";
    case RunReport::Status::rejected: return "rejected";
    case RunReport::Status::error: return "error";
    }
    return "?";
}

int RunReport::exit_code() const {
    switch (status) {
    case Status::applied:
    case Status::planned: return 0;
    case Status::partial: return 1;
    default: return 2;
    }
}

void RunReport::write_members(JsonWriter& w) const {
    w.member("status", hookctl::to_string(status));
    if (journal_id) w.member("journal-id", *journal_id);
    if (!error.empty()) w.member("error", error);
    if (event) {
        w.member("source", hookctl::to_string(event->source));
        w.member("name", event->name);
        w.member("interface", event->interface.str());
    }
    w.key("transitions");
    w.begin_array();
    for (const auto& x : transitions) write_json(w, x);
    w.end_array();
    w.key("actions");
    w.begin_array();
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
        w.begin_object();
        write_action_members(w, plan.actions[i]);
        if (i < results.size()) {
            w.member("result", hookctl::to_string(results[i].status));
            if (!results[i].message.empty()) w.member("message", results[i].message);
            w.member("elapsed-us", results[i].elapsed_us);
        }
        w.end_object();
    }
    w.end_array();
    auto strings = [&](const char* name, const std::vector<std::string>& list) {
        w.key(name);
        w.begin_array();
        for (const auto& x : list) w.string(x);
        w.end_array();
    };
    strings("warnings", warnings);
    if (!problems.empty()) strings("problems", problems);
    if (!errors.empty()) strings("errors", errors);
    w.member("elapsed-us", elapsed_us);
}

Json RunReport::to_json() const {
    std::string text;
    JsonWriter w(text);
    w.begin_object();
    write_members(w);
    w.end_object();
    return Json::parse(text);
}

namespace {

// The journal is a record, not the work: a journal that cannot be written (a full
// disk, a read-only state directory) is reported and the event is handled anyway.
// The event's outcome: a second line for the id `received` took, or, for a run
// that acted on nothing (most events: an unchanged renew, a rejection), the one
// and only line.
void journal_outcome(RunReport& report, Journal* journal, JournalFields entry) {
    if (!journal) return;
    // The outcome's members after the event's (none of them repeats one).
    JsonWriter outcome(entry.text, true);
    report.write_members(outcome);
    try {
        if (report.journal_id)
            journal->update(*report.journal_id, std::move(entry));
        else
            report.journal_id = journal->append(std::move(entry));
    } catch (const Error& e) {
        report.errors.push_back(fmt::format("journal: the {} was not recorded: {}",
                                            report.journal_id ? "outcome" : "event", e.what()));
    }
}

// `entry` by value: each caller's last use of it, moved (the event's environment is
// most of it).
void finish(RunReport& report, Journal* journal, JournalFields entry, Clock::time_point t0,
            bool dry_run) {
    if (dry_run) journal = nullptr;  // a plan records nothing
    report.elapsed_us = micros_since(t0);
    if (report.status == RunReport::Status::applied && !report.errors.empty())
        report.status = RunReport::Status::partial;
    journal_outcome(report, journal, std::move(entry));
    if (report.status == RunReport::Status::applied && !report.errors.empty())
        report.status = RunReport::Status::partial;
}

std::optional<std::uint64_t> journal_received(RunReport& report, Journal* journal,
                                              const JournalFields& entry) {
    if (!journal) return std::nullopt;
    try {
        return journal->append(JournalFields{entry.text + ",\"status\":\"received\""});
    } catch (const Error& e) {
        report.errors.push_back(fmt::format("journal: the event was not recorded: {}", e.what()));
        return std::nullopt;
    }
}

// The entry's first members: what it is, when, and the event as the daemon passed it.
JournalFields received_entry(const RawEvent* raw, const std::string& kind, Timestamp now) {
    JournalFields f;
    JsonWriter w(f.text);
    w.member("kind", kind);
    w.member("time", now);
    if (raw) {
        f.text += ",\"event\":";
        append_json_text(f.text, *raw);
    }
    return f;
}

KernelView kernel_view(Executor& executor) {
    return KernelView{
        [&executor](OwnedKinds kinds) { return executor.list_owned(kinds); },
        [&executor](const Object& w, const Object& p) { return executor.matches(w, p); }};
}

// Every reload the plan could make due, with those already owed: recorded before
// anything acts, so a run killed between writing a file and reloading its service
// leaves the reload owed. At worst the next run reloads once more than needed.
std::vector<ServiceAction> owed_if_killed(const Plan& plan, std::vector<ServiceAction> owed) {
    for (const auto& a : plan.actions)
        if (a.op == Action::Op::reload &&
            std::find(owed.begin(), owed.end(), a.service) == owed.end())
            owed.push_back(a.service);
    return owed;
}

// Loads the stored state, computes the step, executes it and saves the state.
// `event` nullptr: a reconcile.
RunReport run_step(const Config& config, StateDir& state, Executor& executor, const Event* event,
                   const EngineOptions& options, const std::string& set_aside,
                   const std::function<void()>& before_acting) {
    StepInput in;
    in.config = &config;
    in.facts = state.load_facts();
    in.applied = state.load_applied();
    in.owed_reloads = state.load_pending_reloads();
    in.event = event;
    in.tables = options.tables;
    in.now = options.now;
    in.boot_id = options.boot_id;
    // After a damaged state file the applied set is unknown: ensure every desired
    // sysctl and file as `apply` does (their executors compare with the system).
    in.ensure_all = !set_aside.empty();
    if (options.observe_system) in.kernel = kernel_view(executor);
    const Step step = compute_step(in);

    RunReport report;
    if (event) {
        report.event = *event;
        report.warnings = event->warnings;
    }
    if (!set_aside.empty()) report.warnings.push_back("state.json: " + set_aside);
    report.warnings.insert(report.warnings.end(), step.expired.begin(), step.expired.end());
    report.transitions = step.transitions;
    report.plan = step.plan;
    report.warnings.insert(report.warnings.end(), step.desired.warnings.begin(),
                           step.desired.warnings.end());
    report.problems = step.desired.problems;
    if (options.dry_run) {
        report.status = RunReport::Status::planned;
        return report;
    }
    // Record first, so an event that acts is on file even if everything after fails.
    if (!report.plan.empty()) before_acting();
    const auto owed = owed_if_killed(report.plan, in.owed_reloads);
    if (owed != in.owed_reloads) state.save(step.facts_after, in.applied, owed);
    report.results = execute_plan(report.plan, executor, options.deadline);
    const bool any_failed = std::any_of(report.results.begin(), report.results.end(),
                                        [](const ActionResult& r) { return !r.ok(); });
    const bool interrupted = termination_requested();
    report.status = any_failed || interrupted || !report.problems.empty()
                        ? RunReport::Status::partial
                        : RunReport::Status::applied;
    if (interrupted)
        report.errors.push_back(
            "interrupted by SIGTERM: what was not done is left for the next run");
    try {
        state.save(step.facts_after,
                   next_applied(in.applied, report.plan, step.desired_with_held, report.results),
                   still_owed_reloads(report.plan, report.results));
    } catch (const Error& e) {
        report.errors.push_back(
            fmt::format("state not saved: {}; the next run finds the changes in the system "
                        "and still owes the reloads recorded before acting",
                        e.what()));
    }
    return report;
}

}  // namespace

std::vector<ServiceAction> still_owed_reloads(const Plan& plan,
                                              const std::vector<ActionResult>& results) {
    std::vector<ServiceAction> owed;
    for (std::size_t i = 0; i < plan.actions.size() && i < results.size(); ++i) {
        const Action& a = plan.actions[i];
        if (a.op != Action::Op::reload) continue;
        const bool due =
            a.after.empty() || std::any_of(a.after.begin(), a.after.end(), [&](std::size_t j) {
                return j < results.size() && results[j].status == ActionResult::Status::done;
            });
        const bool ran = results[i].status == ActionResult::Status::done ||
                         results[i].status == ActionResult::Status::unchanged;
        if (due && !ran) owed.push_back(a.service);
    }
    return owed;
}

namespace {

// The lock, the state file's health, and the journal's "received" line: what
// run_event and run_reconcile do before their own work. Returns false when the
// run cannot go on (the lock was not had); `report` says why.
bool begin_run(StateDir& state, const EngineOptions& options, StateLock& lock,
               std::string& set_aside, RunReport& report) {
    if (options.dry_run) return true;
    try {
        state.ensure_exists();
    } catch (const Error& e) {
        report.errors.push_back(e.what());
    }
    try {
        lock = state.lock(options.deadline);
        set_aside = state.set_aside_if_unreadable(options.now);
    } catch (const Error& e) {
        report.status = RunReport::Status::error;
        report.error = e.what();
        return false;
    }
    return true;
}

}  // namespace

RunReport run_event(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                    const RawEvent& raw, const EngineOptions& options) {
    const auto t0 = Clock::now();
    JournalFields entry = received_entry(&raw, "event", options.now);
    RunReport report;
    StateLock lock;
    std::string set_aside;
    if (!begin_run(state, options, lock, set_aside, report)) {
        finish(report, journal, std::move(entry), t0, options.dry_run);
        return report;
    }
    Event event;
    try {
        event = parse_event(raw);
    } catch (const Error& e) {
        report.status = RunReport::Status::rejected;
        report.error = e.what();
        finish(report, journal, std::move(entry), t0, options.dry_run);
        return report;
    }
    try {
        RunReport r = run_step(config, state, executor, &event, options, set_aside, [&] {
            if (!options.dry_run) report.journal_id = journal_received(report, journal, entry);
        });
        r.journal_id = report.journal_id;
        r.errors.insert(r.errors.begin(), report.errors.begin(), report.errors.end());
        report = std::move(r);
    } catch (const Error& e) {
        report.status = RunReport::Status::error;
        report.event = event;
        report.error = e.what();
    }
    finish(report, journal, std::move(entry), t0, options.dry_run);
    return report;
}

RunReport run_reconcile(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                        const EngineOptions& options) {
    const auto t0 = Clock::now();
    JournalFields entry = received_entry(nullptr, "apply", options.now);
    RunReport report;
    StateLock lock;
    std::string set_aside;
    if (!begin_run(state, options, lock, set_aside, report)) {
        finish(report, journal, std::move(entry), t0, options.dry_run);
        return report;
    }
    try {
        RunReport r = run_step(config, state, executor, nullptr, options, set_aside, [&] {
            if (!options.dry_run) report.journal_id = journal_received(report, journal, entry);
        });
        r.event.reset();
        r.journal_id = report.journal_id;
        r.errors.insert(r.errors.begin(), report.errors.begin(), report.errors.end());
        report = std::move(r);
    } catch (const Error& e) {
        report.status = RunReport::Status::error;
        report.error = e.what();
    }
    finish(report, journal, std::move(entry), t0, options.dry_run);
    return report;
}

}  // namespace hookctl
