// netns_driver: a test and benchmark tool that drives SystemExecutor directly with
// iproute2-like arguments, so the namespace tests exercise the real kernel path
// (Action → SystemExecutor → netlink / /proc) without the CLI and engine.
//
//   netns_driver [--protocol N] [--proc-sys DIR] COMMAND ARGS...
//     add-rule | del-rule  [-4|-6] [from P] [to P] [iif IF] [oif IF] [fwmark N[/M]]
//                          priority N (table N | lookup N | unreachable | blackhole | prohibit)
//     add-route | del-route  [-4|-6] (P | default) [via A] [dev IF] [table N] [metric N]
//                          [type unicast|unreachable|blackhole|prohibit]
//     sysctl KEY VALUE     ensure KEY = VALUE
//     list                 owned rules and routes, one describe() line each
//     batch                the commands above from stdin, one per line
// A command prints "done", "unchanged" or "failed: <message>" (batch: followed by
// " <elapsed_us>us" for benchmarking) and exits 1 if any command failed.
#include "error.hpp"
#include "net_types.hpp"
#include "system_executor.hpp"

#include <cstdlib>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

using namespace hookctl;

namespace {

using Args = std::vector<std::string>;

std::uint32_t number(const std::string& s, const char* what) {
    std::size_t used = 0;
    unsigned long long v = 0;
    try {
        v = std::stoull(s, &used, 0);
    } catch (const std::exception&) {
        used = 0;
    }
    if (used != s.size() || s.empty() || s[0] == '-' || v > 0xffffffffull)
        throw Error(fmt::format("{}: not a number: '{}'", what, s));
    return static_cast<std::uint32_t>(v);
}

// Walks "key value" pairs; flags without a value are checked first by callers.
struct Cursor {
    const Args& args;
    std::size_t i = 0;
    bool done() const { return i >= args.size(); }
    const std::string& next(const char* what) {
        if (i >= args.size()) throw Error(fmt::format("missing {}", what));
        return args[i++];
    }
};

std::optional<Family> family_flag(const std::string& w) {
    if (w == "-4") return Family::v4;
    if (w == "-6") return Family::v6;
    return std::nullopt;
}

RuleObject parse_rule(const Args& args) {
    RuleObject r;
    std::optional<Family> family;
    bool have_priority = false;
    Cursor c{args};
    while (!c.done()) {
        const std::string w = c.next("word");
        if (auto f = family_flag(w)) {
            family = f;
        } else if (w == "from") {
            r.from = parse_prefix(c.next("from prefix"), "from");
        } else if (w == "to") {
            r.to = parse_prefix(c.next("to prefix"), "to");
        } else if (w == "iif") {
            r.iif = parse_interface_name(c.next("iif"), "iif");
        } else if (w == "oif") {
            r.oif = parse_interface_name(c.next("oif"), "oif");
        } else if (w == "fwmark") {
            std::string v = c.next("fwmark");
            auto slash = v.find('/');
            r.fwmark = number(v.substr(0, slash), "fwmark");
            if (slash != std::string::npos) r.fwmask = number(v.substr(slash + 1), "fwmask");
        } else if (w == "priority" || w == "pref") {
            r.priority = number(c.next("priority"), "priority");
            have_priority = true;
        } else if (w == "table" || w == "lookup") {
            r.table = number(c.next("table"), "table");
        } else if (w == "unreachable") {
            r.action = RuleAction::unreachable;
        } else if (w == "blackhole") {
            r.action = RuleAction::blackhole;
        } else if (w == "prohibit") {
            r.action = RuleAction::prohibit;
        } else {
            throw Error(fmt::format("unknown rule word '{}'", w));
        }
    }
    if (!have_priority) throw Error("a rule needs a priority");
    if (r.from)
        family = r.from->family();
    else if (r.to)
        family = r.to->family();
    r.family = family.value_or(Family::v4);
    return r;
}

RouteObject parse_route(const Args& args) {
    RouteObject r;
    std::optional<Family> family;
    bool is_default = false;
    bool have_destination = false;
    Cursor c{args};
    while (!c.done()) {
        const std::string w = c.next("word");
        if (auto f = family_flag(w)) {
            family = f;
        } else if (w == "via") {
            r.via = parse_address(c.next("via"), "via");
        } else if (w == "dev") {
            r.dev = parse_interface_name(c.next("dev"), "dev");
        } else if (w == "table") {
            r.table = number(c.next("table"), "table");
        } else if (w == "metric") {
            r.metric = number(c.next("metric"), "metric");
        } else if (w == "type") {
            std::string t = c.next("type");
            if (t == "unicast")
                r.type = RouteType::unicast;
            else if (t == "unreachable")
                r.type = RouteType::unreachable;
            else if (t == "blackhole")
                r.type = RouteType::blackhole;
            else if (t == "prohibit")
                r.type = RouteType::prohibit;
            else
                throw Error(fmt::format("unknown route type '{}'", t));
        } else if (!have_destination && w == "default") {
            is_default = have_destination = true;
        } else if (!have_destination) {
            r.destination = parse_prefix(w, "destination");
            have_destination = true;
        } else {
            throw Error(fmt::format("unknown route word '{}'", w));
        }
    }
    if (!have_destination) throw Error("a route needs a destination");
    if (is_default) {
        Family f = family.value_or(r.via ? r.via->family : Family::v4);
        r.destination = IpPrefix{};
        r.destination.network.family = f;
    }
    return r;
}

const char* status_word(ActionResult::Status s) {
    switch (s) {
    case ActionResult::Status::done: return "done";
    case ActionResult::Status::unchanged: return "unchanged";
    case ActionResult::Status::failed: return "failed";
    case ActionResult::Status::skipped: return "skipped";
    }
    return "?";
}

Action make_action(Action::Op op, Object object) {
    Action a;
    a.op = op;
    a.object = std::move(object);
    return a;
}

// Runs one command; returns false when it failed.
bool run_command(SystemExecutor& executor, const Args& words, bool timing) {
    if (words.empty()) return true;
    const std::string& cmd = words[0];
    const Args rest(words.begin() + 1, words.end());
    if (cmd == "list") {
        for (const Object& o : executor.list_owned()) std::cout << describe(o) << "\n";
        return true;
    }
    Action action;
    if (cmd == "add-rule")
        action = make_action(Action::Op::add, parse_rule(rest));
    else if (cmd == "del-rule")
        action = make_action(Action::Op::remove, parse_rule(rest));
    else if (cmd == "add-route")
        action = make_action(Action::Op::add, parse_route(rest));
    else if (cmd == "del-route")
        action = make_action(Action::Op::remove, parse_route(rest));
    else if (cmd == "sysctl" && rest.size() == 2)
        action = make_action(Action::Op::add, SysctlObject{rest[0], rest[1]});
    else
        throw Error(fmt::format("unknown command '{}'", cmd));

    ActionResult r = executor.apply(action);
    std::cout << status_word(r.status);
    if (r.status == ActionResult::Status::failed) std::cout << ": " << r.message;
    if (timing) std::cout << " " << r.elapsed_us << "us";
    std::cout << "\n";
    return r.ok();
}

Args split_words(const std::string& line) {
    Args words;
    std::istringstream in(line);
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

}  // namespace

int main(int argc, char** argv) {
    Args args(argv + 1, argv + argc);
    SystemExecutorOptions options;
    std::size_t i = 0;
    try {
        for (; i < args.size() && args[i].rfind("--", 0) == 0; ++i) {
            if (args[i] == "--protocol" && i + 1 < args.size())
                options.route_protocol = static_cast<std::uint8_t>(number(args[++i], "--protocol"));
            else if (args[i] == "--proc-sys" && i + 1 < args.size())
                options.proc_sys_root = args[++i];
            else
                throw Error(fmt::format("unknown option '{}'", args[i]));
        }
        SystemProcessRunner runner("/usr/sbin:/usr/bin:/sbin:/bin");
        UdpDnsQuerier querier;
        SystemExecutor executor(options, runner, querier);
        Args command(args.begin() + static_cast<std::ptrdiff_t>(i), args.end());
        if (command.empty())
            throw Error(
                "no command (add-rule, del-rule, add-route, del-route, sysctl, list, batch)");
        if (command[0] != "batch") return run_command(executor, command, false) ? 0 : 1;
        bool all_ok = true;
        for (std::string line; std::getline(std::cin, line);) {
            if (line.empty() || line[0] == '#') continue;
            all_ok = run_command(executor, split_words(line), true) && all_ok;
        }
        return all_ok ? 0 : 1;
    } catch (const std::exception& e) {
        std::cerr << "netns_driver: " << e.what() << "\n";
        return 2;
    }
}
