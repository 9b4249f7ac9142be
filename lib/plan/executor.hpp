// The one seam between the pure core and the system. The engine hands each planned
// action to an Executor and records the result; it never touches the system itself.
// RecordingExecutor (unit tests, `--dry-run`) and SystemExecutor (real) implement it.
#pragma once

#include "plan.hpp"

#include <memory>
#include <string>
#include <vector>

namespace hookctl {

struct ActionResult {
    enum class Status {
        done,       // the system was changed
        unchanged,  // already as desired (idempotent ensure/remove)
        failed,     // not done; `message` says why; state keeps the old value
        skipped,    // not attempted (dry run, dependency did not change anything)
    };
    Status status = Status::done;
    std::string message;  // error text, command output summary, ...
    std::uint32_t elapsed_us = 0;
    bool ok() const { return status != Status::failed; }
};

std::string to_string(ActionResult::Status s);

// Which kinds list_owned is asked for: each is one kernel dump, so a run asks only
// for the kinds its config or its applied set has.
struct OwnedKinds {
    bool rules = true;
    bool routes = true;
};

class Executor {
public:
    virtual ~Executor() = default;
    virtual ActionResult apply(const Action& action) = 0;
    // The objects of hookctl's own tag that the system holds now (rules and routes
    // from the kernel), for `apply`, `status` drift and reconcile. Kinds the executor
    // cannot list are simply absent.
    virtual std::vector<Object> list_owned(OwnedKinds = {}) { return {}; }
    // Whether `present` (from list_owned) is the system's form of `wanted`. The kernel
    // fills in what a request leaves out (an IPv6 route's metric 0 reads back as 1024,
    // a `via` route gains its dev), so equality is too strict for the real system.
    virtual bool matches(const Object& wanted, const Object& present) const {
        return wanted == present;
    }
};

// Records every action and reports it done; keeps a model of what it "applied" so
// tests can assert on the sequence and on the final state.
class RecordingExecutor : public Executor {
public:
    ActionResult apply(const Action& action) override;
    std::vector<Object> list_owned(OwnedKinds kinds = {}) override;
    const std::vector<Action>& actions() const { return actions_; }
    // Make the next apply() of an action whose describe() contains `needle` fail.
    void fail_when(std::string needle) { fail_needles_.push_back(std::move(needle)); }

private:
    std::vector<Action> actions_;
    std::vector<Object> present_;
    std::vector<std::string> fail_needles_;
};

}  // namespace hookctl
