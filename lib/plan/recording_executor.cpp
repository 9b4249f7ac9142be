// The executor of unit tests and dry runs: records each action, models the owned
// objects it would have left behind, and fails on request.
#include "executor.hpp"

#include <algorithm>

namespace hookctl {

std::string to_string(ActionResult::Status s) {
    switch (s) {
    case ActionResult::Status::done: return "done";
    case ActionResult::Status::unchanged: return "unchanged";
    case ActionResult::Status::failed: return "failed";
    case ActionResult::Status::skipped: return "skipped";
    }
    return "?";
}

ActionResult RecordingExecutor::apply(const Action& action) {
    actions_.push_back(action);
    const std::string text = action.describe();
    for (auto it = fail_needles_.begin(); it != fail_needles_.end(); ++it) {
        if (text.find(*it) != std::string::npos) {
            fail_needles_.erase(it);
            return {ActionResult::Status::failed,
                    "recording executor: failure requested by the test"};
        }
    }
    if (action.object) {
        const std::string key = key_of(*action.object);
        auto same = [&](const Object& o) { return key_of(o) == key; };
        present_.erase(std::remove_if(present_.begin(), present_.end(), same), present_.end());
        if (action.op != Action::Op::remove) present_.push_back(*action.object);
    }
    return {ActionResult::Status::done, "recorded"};
}

std::vector<Object> RecordingExecutor::list_owned(OwnedKinds kinds) {
    std::vector<Object> out;
    for (const Object& o : present_) {
        if (std::holds_alternative<RuleObject>(o) && !kinds.rules) continue;
        if (std::holds_alternative<RouteObject>(o) && !kinds.routes) continue;
        out.push_back(o);
    }
    return out;
}

}  // namespace hookctl
