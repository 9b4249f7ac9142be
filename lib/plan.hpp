// The plan: typed actions for the difference between what was applied and what is
// desired, plus the imperative triggers of this event. Pure: no I/O here.
#pragma once

#include "facts.hpp"
#include "objects.hpp"

#include <string>
#include <vector>

namespace hookctl {

struct Action {
    enum class Op {
        add,      // object is desired and was not applied
        replace,  // same key, new value (`previous` holds the old value)
        remove,   // object was applied (owned) and is no longer desired
        run,      // an event-bound command (on.ipv6-up = [...])
        reload,   // a service reload because a file it reads changed
    };
    Op op = Op::add;
    std::optional<Object> object;         // add/replace: new value; remove: the owned value
    std::optional<Object> previous;       // replace only
    Command command;                      // run
    ServiceAction service;                // reload
    std::vector<std::size_t> after;       // reload: indexes of file actions; runs only if one changed a file
    std::string origin;                   // config entry
    std::string why;                      // the transitions or trigger that caused it
    std::string describe() const;         // "add rule 1000: from ... lookup 199"
};

std::string to_string(Action::Op op);

struct Plan {
    std::vector<Action> actions;
    bool empty() const { return actions.empty(); }
};

// Applied → desired difference. Actions come in a safe order: removals of rules and
// routes before additions (a changed prefix must not briefly have two rules with one
// priority pointing different ways is harmless, but a removal failing must not stop
// the addition), sysctls first, files before their reloads, DNS last (slowest).
// `triggers` are the event's commands, appended after state changes.
Plan make_plan(const std::vector<OwnedObject>& applied,
               const std::vector<OwnedObject>& desired,
               const std::vector<Transition>& transitions,
               const std::vector<Action>& triggers);

}  // namespace hookctl
