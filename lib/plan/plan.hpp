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
    std::optional<Object> object;    // add/replace: new value; remove: the owned value
    std::optional<Object> previous;  // replace only
    Command command;                 // run
    ServiceAction service;           // reload
    std::vector<std::size_t>
        after;           // reload: indexes of file actions; runs only if one changed a file
    std::string origin;  // config entry
    std::string why;     // the transitions or trigger that caused it
    std::string describe() const;  // "add rule 1000: from ... lookup 199"
};

std::string to_string(Action::Op op);

struct Plan {
    std::vector<Action> actions;
    bool empty() const { return actions.empty(); }
};

// Applied → desired difference, in a fixed order of phases: sysctls; removals of
// rules and routes; additions of rules and routes (so a renumbered prefix's old rule
// goes before its new one arrives, and a failed removal does not stop the addition,
// which runs as its own action); files; the reloads of services whose files changed;
// DNS records (slowest, last); then `triggers`, the event's own commands, which may
// rely on everything before them.
Plan make_plan(const std::vector<OwnedObject>& applied, const std::vector<OwnedObject>& desired,
               const std::vector<Transition>& transitions, const std::vector<Action>& triggers);

}  // namespace hookctl
