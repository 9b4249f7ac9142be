// What the subcommands share: the global options, the context of one invocation,
// and the helpers every hook-handling command uses. Internal to cli/.
#pragma once

#include "commands.hpp"
#include "config.hpp"
#include "engine.hpp"
#include "paths.hpp"
#include "suggest.hpp"

#include <boost/program_options.hpp>

#include <memory>
#include <string>
#include <vector>

namespace hookctl::cli {

namespace po = boost::program_options;

struct Globals {
    std::string config = default_config_file;
    std::string state_dir = default_state_dir;
    bool dry_run = false;
    bool json = false;
    bool simulate = false;
};

// How a daemon started hookctl, when it did so directly rather than through its
// own hook runner: then hookctl runs that runner afterwards if the config says so.
enum class DirectMode { none, dhcpcd_script, ppp_script };

struct Context {
    const Invocation& inv;
    Globals globals;
    std::vector<std::string> rest;  // arguments after the subcommand name
    DirectMode direct = DirectMode::none;
    // Set by run_hook: the program to exec once the event is handled (argv[0] its path).
    std::vector<std::string> chain;
};

class UsageError : public Error {
public:
    explicit UsageError(const std::string& message, const std::string& hint = "")
        : Error(with_hint(message, hint)) {}
};

po::options_description global_options(Globals& g);
// Whether a global option is followed by a value, from the option table itself.
bool takes_value(const std::string& arg);
// Parses `args` with the subcommand's own options plus the global ones. Global
// options given here override those given before the subcommand.
po::variables_map parse_args(Context& ctx, const std::vector<std::string>& args,
                             po::options_description own,
                             const po::positional_options_description& positional = {});

Config load(const Context& ctx);
TableNames table_names(const Config& config);
// Process start + settings.hook-budget: the lock wait, the actions and every
// command they run end there.
Deadline hook_deadline(const Context& ctx, const Config& config);
EngineOptions engine_options(const Context& ctx, const Config& config);
std::unique_ptr<Executor> executor_for(const Context& ctx, const Config& config);
std::string format_time(Timestamp t);
// Builds std::cout and the other standard streams if they are not yet (see
// iostreams.cpp): before anything prints through them.
void ensure_iostreams();

void print_report(const RunReport& r, const std::string& title, bool json);
int report_exit(const RunReport& r);
// Handles one event end to end; if the config cannot be loaded the event is still
// journaled, as an error. Every run that may act leaves one line in syslog.
int run_hook(Context& ctx, const RawEvent& raw);
// run_hook in two steps, for commands that need the config before the event is
// complete (the dispatchers read the kernel only for an uplink the config names).
Config load_for_hook(const Context& ctx, const RawEvent& raw);
// `ends_process`: the process has nothing left to do after this event (not watch,
// which handles many): it exits here with the event's status, see exit_after_hook.
int run_loaded_hook(Context& ctx, const RawEvent& raw, const Config& config,
                    bool ends_process = false);
// The one syslog line of a hook run (no newline): which event, the outcome, how many
// actions and how many failed, the journal id `events` and `replay` take, and on
// failure the first error: "dhcpcd BOUND6 on wan0: applied, 2 actions, 0 failed,
// journal #7". Control characters (daemon input can hold any) are escaped.
std::string syslog_line(const RawEvent& raw, const RunReport& r);
// Sends syslog_line() to syslog (facility daemon, tag "hookctl" with the pid): at
// info when the run applied everything, at warning otherwise. For runs that
// act on the system only: not for --dry-run, --simulate or read-only commands.
void log_hook_run(const Context& ctx, const RawEvent& raw, const RunReport& r);
RawEvent raw_now(const Context& ctx, Source source, std::string script,
                 std::vector<std::string> args, const Environment& env);

// The subcommands, one function each (commands.cpp holds the table).
int cmd_dhcpcd(Context& ctx);
int cmd_ppp(Context& ctx);
int cmd_plan(Context& ctx);
int cmd_replay(Context& ctx);
int cmd_apply(Context& ctx);
int cmd_events(Context& ctx);
int cmd_status(Context& ctx);
int cmd_check(Context& ctx);
int cmd_doctor(Context& ctx);
int cmd_watch(Context& ctx);
int cmd_networkd(Context& ctx);
int cmd_nm(Context& ctx);

}  // namespace hookctl::cli
