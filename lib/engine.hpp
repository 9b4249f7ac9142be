// One hook run, end to end: parse → lock → load facts → merge → transitions →
// desired → plan → execute → save → journal. compute_step() is the pure middle;
// run_event() and run_reconcile() wrap it with the state dir, journal and executor.
#pragma once

#include "config.hpp"
#include "desired.hpp"
#include "event.hpp"
#include "executor.hpp"
#include "journal.hpp"
#include "store.hpp"

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

struct EngineOptions {
    Timestamp now = 0;
    TableNames tables;
    // Plan only: the executor is not called and no state is written.
    bool dry_run = false;
    // Take the rules and routes present in the kernel (executor.list_owned()) as the
    // applied set for those kinds, so drift is repaired at every event.
    bool observe_system = false;
    // `hookctl apply`: ensure every desired object (executors skip what is already
    // right) instead of only the difference from the stored applied set.
    bool full_reconcile = false;
    std::uint32_t budget_ms = 20000;
};

// The pure part of a run.
struct Step {
    Event event;
    Facts facts_after;
    std::vector<Transition> transitions;
    DesiredState desired;
    Plan plan;
};

Step compute_step(const Config& config, const Facts& facts, const std::vector<OwnedObject>& applied,
                  const Event& event, const TableNames& tables, Timestamp now);

// What applied looks like after `plan` ran with `results` (same length as
// plan.actions): failed actions leave the previous value in place.
std::vector<OwnedObject> next_applied(const std::vector<OwnedObject>& applied, const Plan& plan,
                                      const std::vector<OwnedObject>& desired,
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
    std::vector<std::string> warnings;
    std::uint64_t elapsed_us = 0;

    int exit_code() const;  // 0 applied/planned, 1 some action failed, 2 rejected or error
    Json to_json() const;
};

std::string to_string(RunReport::Status s);

RunReport run_event(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                    const RawEvent& raw, const EngineOptions& options);
RunReport run_reconcile(const Config& config, StateDir& state, Journal* journal, Executor& executor,
                        const EngineOptions& options);

// Executes `plan` in order; reloads run only if an action they wait for changed a
// file; actions past the budget are skipped (and retried by the next run).
std::vector<ActionResult> execute_plan(const Plan& plan, Executor& executor, std::uint32_t budget_ms);

}  // namespace hookctl
