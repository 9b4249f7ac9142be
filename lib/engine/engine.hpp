// One hook run, end to end: parse → lock → load facts → merge → transitions →
// desired → plan → execute → save → journal. compute_step() is the pure middle
// (everything from the stored state and the event to the plan); run_event() and
// run_reconcile() wrap it with the state dir, the journal and the executor.
#pragma once

#include "config.hpp"
#include "desired.hpp"
#include "event.hpp"
#include "executor.hpp"
#include "journal.hpp"
#include "store.hpp"

#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

struct EngineOptions {
    Timestamp now = 0;
    std::string boot_id;  // /proc/sys/kernel/random/boot_id; empty: unknown
    TableNames tables;
    // Plan only: the executor is not called and no state is written.
    bool dry_run = false;
    // Take the rules and routes present in the kernel (executor.list_owned()) as the
    // applied set for those kinds, so drift is repaired at every event.
    bool observe_system = false;
    // The hook's budget: from when the process started, not from when the lock was
    // had, because the daemon waits for the whole of it. The lock wait and the
    // actions stop here; what is left undone is retried by the next run.
    Deadline deadline = Deadline::max();
};

// What the kernel holds with our tag, and how to tell whether one of those is the
// kernel's form of a wanted object (Executor::list_owned and ::matches).
struct KernelView {
    std::function<std::vector<Object>(OwnedKinds)> list_owned;
    std::function<bool(const Object& wanted, const Object& present)> matches;
};

// Everything compute_step reads. `event` nullptr: a reconcile (`hookctl apply`):
// facts unchanged but for expired retired prefixes, every desired sysctl and file
// ensured again.
struct StepInput {
    const Config* config = nullptr;
    Facts facts;                              // as stored
    std::vector<OwnedObject> applied;         // as stored
    std::vector<ServiceAction> owed_reloads;  // as stored
    const Event* event = nullptr;
    TableNames tables;
    Timestamp now = 0;
    std::string boot_id;  // see expire() in facts.hpp
    // Ensure every desired sysctl and file again, as a reconcile does (after a
    // damaged state file, when the applied set is unknown).
    bool ensure_all = false;
    // Consulted only when the desired or applied state holds a rule or route (a
    // hook of a config without any never dumps the kernel); nullopt: stored state only.
    std::optional<KernelView> kernel;
};

struct Step {
    std::vector<std::string> expired;  // facts that went by themselves (expire())
    Facts facts_after;
    std::vector<Transition> transitions;
    DesiredState desired;
    std::vector<OwnedObject> desired_with_held;  // desired + the applied values of held keys
    Plan plan;
};

// Pure but for the kernel view's callbacks.
Step compute_step(const StepInput& input);

// What applied looks like after `plan` ran with `results` (same length as
// plan.actions): failed actions leave the previous value in place.
std::vector<OwnedObject> next_applied(const std::vector<OwnedObject>& applied, const Plan& plan,
                                      const std::vector<OwnedObject>& desired,
                                      const std::vector<ActionResult>& results);

// Reloads that were due (a file they wait for changed, or owed) and did not succeed.
std::vector<ServiceAction> still_owed_reloads(const Plan& plan,
                                              const std::vector<ActionResult>& results);

struct RunReport {
    enum class Status { applied, partial, planned, rejected, error };
    Status status = Status::applied;
    std::optional<std::uint64_t> journal_id;
    std::string error;
    std::optional<Event> event;
    std::vector<Transition> transitions;
    Plan plan;
    std::vector<ActionResult> results;
    std::vector<std::string> warnings;  // entries ignored, tables unknown, state set aside
    std::vector<std::string> problems;  // objects left out (DesiredState::problems)
    std::vector<std::string> errors;    // what could not be recorded, SIGTERM
    std::uint64_t elapsed_us = 0;

    // 0 applied/planned; 1 partial (an action failed, an object was left out, the
    // journal or the state could not be written, SIGTERM); 2 rejected or error.
    int exit_code() const;
    Json to_json() const;                     // write_members' text, parsed
    void write_members(JsonWriter& w) const;  // the journal's outcome members
};

std::string to_string(RunReport::Status s);

RunReport run_event(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                    const RawEvent& raw, const EngineOptions& options);
RunReport run_reconcile(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                        const EngineOptions& options);

// Executes `plan` in order; reloads run only if an action they wait for changed a
// file; actions past the deadline, or after a SIGTERM, are skipped (and retried by
// the next run).
std::vector<ActionResult> execute_plan(const Plan& plan, Executor& executor, Deadline deadline);

}  // namespace hookctl
