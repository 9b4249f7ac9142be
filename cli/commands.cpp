// The subcommand table of hookctl (like ninja's and fish's: name, arguments,
// summary, function), the usage text, and run_cli(): argv0 inference for pppd's
// links, global options before the command, errors printed as `hookctl: ...` with
// a hint. The commands themselves are in hook_commands.cpp and inspect_commands.cpp.
#include "cli.hpp"

#include "kernel_event.hpp"
#include "suggest.hpp"
#include "version.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include <unistd.h>

namespace hookctl::cli {

namespace {

struct Command {
    const char* name;
    const char* args;
    const char* summary;
    int (*run)(Context&);
    bool hook = false;  // run by a daemon: prints through stdio only (iostreams.cpp)
};

const Command commands[] = {
    {"dhcpcd", "", "handle one dhcpcd event (from the environment; run as a dhcpcd hook)",
     cmd_dhcpcd, true},
    {"ppp", "SCRIPT [ARGS...]",
     "handle one pppd event: SCRIPT is ip-up, ip-down, ipv6-up or ipv6-down", cmd_ppp, true},
    {"plan", "--env-file FILE [--source dhcpcd|ppp:SCRIPT] [-- ARGS...]",
     "show what an event would do", cmd_plan},
    {"replay", "ID|--last [--apply]", "re-run a recorded event (dry run unless --apply)",
     cmd_replay},
    {"events", "[--limit N]", "list recorded events", cmd_events},
    {"status", "", "facts per interface, owned objects, drift, last events", cmd_status},
    {"check", "[FILE]", "validate a config file", cmd_check},
    {"doctor",
     "[--live] [--root DIR] [--radvd-conf F] [--dnsmasq-conf F] [--kea-conf F] [--dhcpcd-conf F]",
     "find the known router pitfalls on this system; --live: does the system show what hookctl "
     "applied (read-only; exit 1 on an error finding)",
     cmd_doctor},
    {"watch", "[--once]",
     "follow the uplinks with source = \"kernel\" through rtnetlink (a long-running service)",
     cmd_watch},
    {"networkd", "", "handle one networkd-dispatcher event (IFACE, STATE; run as its script)",
     cmd_networkd, true},
    {"nm", "IFACE ACTION", "handle one NetworkManager dispatcher event (run as its script)", cmd_nm,
     true},
    {"apply", "", "reconcile the system with the stored facts (after a config change or reboot)",
     cmd_apply},
};

void usage(std::ostream& out) {
    out << "usage: hookctl [--config FILE] [--state-dir DIR] [--dry-run] [--json] [--simulate] COMMAND [ARGS]\n\n"
           "commands:\n";
    for (const auto& c : commands)
        out << fmt::format("  {:<8} {}\n           {}\n", c.name, c.args, c.summary);
    out << "\nAs a pppd hook, hookctl also runs when invoked as ip-up, ipv6-up, ... or from /etc/ppp/<script>.d/.\n"
           "HOOKCTL_CONFIG and HOOKCTL_STATE_DIR in the environment set the defaults of --config and --state-dir.\n";
}

// Runs the daemon's own hook runner after hookctl (the config's dhcpcd-hooks or
// ppp-scripts), in this process and with the daemon's whole environment, as if
// the daemon had started it. `rc` is returned only when there is nothing to run.
int chain(const Context& ctx, int rc) {
    if (ctx.chain.empty()) return rc;
    std::fflush(nullptr);  // the report (stdio) before the runner's own output
    // The process's own environment is the daemon's, byte for byte (duplicates and
    // all): the chained runner judges it itself, as it would have without hookctl.
    std::vector<std::string> args = ctx.chain;
    std::vector<char*> argv;
    argv.reserve(args.size() + 1);
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execve(argv[0], argv.data(), environ);
    fmt::print(stderr, "hookctl: cannot run {}: {}\n", ctx.chain[0], std::strerror(errno));
    return rc;
}

}  // namespace

int run_cli(const Invocation& inv) {
    Context ctx{inv, {}, {}, DirectMode::none, {}};
    // Defaults a daemon can set without argv: pppd's `set HOOKCTL_CONFIG=...` option
    // (2.4.8+) in a peers file, dhcpcd's `env HOOKCTL_CONFIG=...`. Options win.
    if (auto it = inv.env.find("HOOKCTL_CONFIG"); it != inv.env.end() && !it->second.empty())
        ctx.globals.config = it->second;
    if (auto it = inv.env.find("HOOKCTL_STATE_DIR"); it != inv.env.end() && !it->second.empty())
        ctx.globals.state_dir = it->second;
    try {
        // Installed as /etc/ppp/<script>.d/NN-hookctl (or a link named after the
        // script): pppd's arguments are the whole argv.
        if (const std::string script = ppp_script_from_argv0(inv.argv0); !script.empty()) {
            ctx.rest = inv.args;
            ctx.rest.insert(ctx.rest.begin(), script);
            // pppd's ip-up-script pointing at hookctl: no wrapper set PPP_IFACE.
            if (ppp_invoked_directly(inv.argv0) && !inv.env.count("PPP_IFACE"))
                ctx.direct = DirectMode::ppp_script;
            return chain(ctx, cmd_ppp(ctx));
        }
        // A networkd-dispatcher or NetworkManager dispatcher script (a link in their
        // directories): their arguments, if any, are the whole argv.
        if (const std::string d = dispatcher_from_argv0(inv.argv0); !d.empty()) {
            ctx.rest = inv.args;
            return d == kernel_trigger_nm ? cmd_nm(ctx) : cmd_networkd(ctx);
        }
        // dhcpcd's `script` is hookctl itself: no arguments, dhcpcd's variables.
        if (inv.args.empty() && inv.env.count("reason") && inv.env.count("interface")) {
            ctx.direct = DirectMode::dhcpcd_script;
            return chain(ctx, cmd_dhcpcd(ctx));
        }
        // Global options may precede the command.
        std::size_t i = 0;
        std::vector<std::string> leading;
        while (i < inv.args.size() && inv.args[i].rfind('-', 0) == 0) {
            const std::string& a = inv.args[i];
            if (a == "-h" || a == "--help") {
                ensure_iostreams();
                usage(std::cout);
                return 0;
            }
            if (a == "--version") {
                fmt::print("hookctl {}\n", version);
                return 0;
            }
            leading.push_back(a);
            if (takes_value(a) && a.find('=') == std::string::npos && i + 1 < inv.args.size())
                leading.push_back(inv.args[++i]);
            ++i;
        }
        if (!leading.empty()) parse_args(ctx, leading, po::options_description());
        if (i >= inv.args.size()) {
            ensure_iostreams();
            usage(std::cerr);
            return 2;
        }
        const std::string name = inv.args[i];
        ctx.rest.assign(inv.args.begin() + static_cast<long>(i) + 1, inv.args.end());
        for (const auto& c : commands) {
            if (name != c.name) continue;
            // The hooks print through stdio only (iostreams.cpp); the rest may use both.
            if (!c.hook) ensure_iostreams();
            return c.run(ctx);
        }
        std::vector<std::string> names;
        for (const auto& c : commands) names.push_back(c.name);
        fmt::print(stderr, "hookctl: {}\n",
                   with_hint(fmt::format("unknown command '{}'", name),
                             did_you_mean(name, names, "`hookctl --help` lists the commands")));
        return 2;
    } catch (const UsageError& e) {
        fmt::print(stderr, "hookctl: {}\n", e.what());
        return 2;
    } catch (const Error& e) {
        fmt::print(stderr, "hookctl: {}\n", e.what());
        return 2;
    } catch (const std::exception& e) {
        fmt::print(stderr, "hookctl: internal error: {}\n", e.what());
        return 3;
    }
}

}  // namespace hookctl::cli
