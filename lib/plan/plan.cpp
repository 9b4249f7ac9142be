// make_plan(): the typed actions that take the system from `applied` to `desired`.
// Objects are matched by key; equal value → nothing, other value → replace,
// missing → add, no longer desired → remove. Order is fixed (see plan.hpp).
#include "plan.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace hookctl {

namespace {

// Lower runs first. Removals of routing objects come before additions so a changed
// prefix never has two rules of the same priority for a moment longer than needed.
int phase(const Action& a) {
    const std::string kind = a.object ? kind_of(*a.object) : "";
    if (kind == "sysctl") return 0;
    if ((kind == "rule" || kind == "route") && a.op == Action::Op::remove) return 1;
    if (kind == "rule" || kind == "route") return 2;
    if (kind == "file") return 3;
    if (a.op == Action::Op::reload) return 4;
    if (kind == "dns") return 5;
    return 6;  // event-bound commands last: they may rely on the state just set
}

std::string why_for(const OwnedObject& o, const std::vector<Transition>& transitions) {
    std::vector<std::string> parts;
    for (const auto& t : transitions)
        if (std::find(o.depends_on.begin(), o.depends_on.end(), t.interface.str()) !=
            o.depends_on.end())
            parts.push_back(t.to_string());
    if (parts.empty()) return "not applied yet";
    std::string s = parts.front();
    if (parts.size() > 1) s += fmt::format(" (+{} more)", parts.size() - 1);
    return s;
}

}  // namespace

std::string to_string(Action::Op op) {
    switch (op) {
    case Action::Op::add: return "add";
    case Action::Op::replace: return "replace";
    case Action::Op::remove: return "remove";
    case Action::Op::run: return "run";
    case Action::Op::reload: return "reload";
    }
    return "?";
}

std::string Action::describe() const {
    switch (op) {
    case Op::run: {
        std::string s = "run";
        for (const auto& a : command.argv) s += " " + a;
        return s;
    }
    case Op::reload: return service.describe();
    default: return to_string(op) + " " + (object ? hookctl::describe(*object) : std::string("?"));
    }
}

Plan make_plan(const std::vector<OwnedObject>& applied, const std::vector<OwnedObject>& desired,
               const std::vector<Transition>& transitions, const std::vector<Action>& triggers) {
    std::map<std::string, const OwnedObject*> applied_by_key;
    for (const auto& o : applied) applied_by_key.emplace(key_of(o.object), &o);
    std::set<std::string> desired_keys;

    Plan plan;
    for (const auto& d : desired) {
        const std::string key = key_of(d.object);
        if (!desired_keys.insert(key).second) continue;  // two config entries, one object
        auto it = applied_by_key.find(key);
        Action a;
        a.origin = d.origin;
        a.why = why_for(d, transitions);
        a.object = d.object;
        if (it == applied_by_key.end()) {
            a.op = Action::Op::add;
        } else if (it->second->object == d.object) {
            continue;
        } else {
            a.op = Action::Op::replace;
            a.previous = it->second->object;
        }
        plan.actions.push_back(std::move(a));
    }
    for (const auto& o : applied) {
        if (desired_keys.count(key_of(o.object))) continue;
        Action a;
        a.op = Action::Op::remove;
        a.object = o.object;
        a.origin = o.origin;
        a.why = why_for(o, transitions);
        if (a.why == "not applied yet") a.why = "no longer desired";
        plan.actions.push_back(std::move(a));
    }
    std::stable_sort(plan.actions.begin(), plan.actions.end(),
                     [](const Action& x, const Action& y) { return phase(x) < phase(y); });

    // A file's services reload once, after every file that names them, and only if
    // one of those files really changed (checked by the engine at run time).
    std::map<ServiceAction, std::vector<std::size_t>> reloads;
    std::vector<ServiceAction> order;
    for (std::size_t i = 0; i < plan.actions.size(); ++i) {
        const Action& a = plan.actions[i];
        if (!a.object || a.op == Action::Op::remove) continue;
        if (const auto* f = std::get_if<FileObject>(&*a.object)) {
            for (const auto& s : f->on_change) {
                if (!reloads.count(s)) order.push_back(s);
                reloads[s].push_back(i);
            }
        }
    }
    std::vector<Action> reload_actions;
    for (const auto& s : order) {
        Action r;
        r.op = Action::Op::reload;
        r.service = s;
        r.after = reloads[s];
        r.why = "a file it reads changed";
        for (std::size_t i : r.after)
            r.origin += (r.origin.empty() ? "" : ", ") + plan.actions[i].origin;
        reload_actions.push_back(std::move(r));
    }
    // Insert reloads right after the last file action (phase 4 slot).
    auto pos = std::find_if(plan.actions.begin(), plan.actions.end(),
                            [](const Action& a) { return phase(a) > 4; });
    plan.actions.insert(pos, reload_actions.begin(), reload_actions.end());
    for (const auto& t : triggers) plan.actions.push_back(t);
    return plan;
}

}  // namespace hookctl
