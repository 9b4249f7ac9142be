// A daemon's hook invocation, parsed. The raw argv and environment are kept next to
// the typed result so the journal can record exactly what was received and replay it.
#pragma once

#include "error.hpp"
#include "facts.hpp"

#include <map>
#include <string>
#include <vector>

namespace hookctl {

using Environment = std::map<std::string, std::string>;

enum class Source { dhcpcd, ppp, kernel };

// What the daemon handed us, before any validation. This is what the journal stores
// and what replay feeds back through the parser.
struct RawEvent {
    Source source = Source::dhcpcd;
    // ppp: ip-up|ip-down|ipv6-up|ipv6-down; dhcpcd: empty; kernel: watch|networkd|nm
    std::string script;
    std::vector<std::string> args;  // argv[1..] (dhcpcd passes none)
    Environment env;  // only the variables the parser reads (see relevant_environment)
    std::vector<std::string> duplicated;  // of those, the names the environment held twice: refused
    // kernel: the dump taken for the event, in kernel_event.hpp's line format.
    std::vector<std::string> kernel;
    Timestamp time = 0;
};

struct Event {
    Source source = Source::dhcpcd;
    std::string name;  // "ip-up", "ipv6-down", "BOUND6", "DELEGATED6", ...
    InterfaceName interface;
    std::vector<FactsUpdate> updates;  // usually one, for `interface`
    // Entries the daemon passed that were left out of the facts, and why (a
    // link-local or multicast prefix from a router, say); journaled and shown.
    std::vector<std::string> warnings;
    Timestamp time = 0;
};

std::string to_string(Source s);  // "dhcpcd", "ppp", "kernel"

// The event names each source passes: the one list of each, used by its parser
// and by the config check of `on.<event>` keys. pppd: ip-up ip-down ipv6-up
// ipv6-down (docs/daemons.md, pppd scripts); dhcpcd: every `reason` dhcpcd-run-hooks(8)
// documents (docs/daemons.md, dhcpcd reasons).
const std::vector<std::string>& ppp_script_names();
const std::vector<std::string>& dhcpcd_reason_names();

bool is_ppp_script(std::string_view name);
// Infers the ppp script from how the binary was invoked: argv[0] named after the
// script (with or without ".sh" and a run-parts style "NN-" prefix is *not*
// stripped: the link's directory decides), or living in /etc/ppp/<script>.d/.
// Returns empty when argv0 says nothing.
std::string ppp_script_from_argv0(std::string_view argv0);
// Whether argv0 names the script itself (".../ip-up", pppd's ip-up-script pointing
// at a link), as opposed to a link in /etc/ppp/<script>.d/ that a wrapper runs.
bool ppp_invoked_directly(std::string_view argv0);

// Pure parsers. Throw InputError naming the variable or argument at fault.
Event parse_ppp_event(const RawEvent& raw);
Event parse_dhcpcd_event(const RawEvent& raw);
Event parse_event(const RawEvent& raw);  // dispatches on raw.source

// The subset of a process environment a parser reads, so the journal does not keep
// unrelated variables (and never a full root environment).
Environment relevant_environment(Source source, const Environment& full);

// Reads the env-file format of the dhcpcd fixtures (and `hookctl --env-file`): one
// VAR=value per line, `\\` and `\n` escapes in values, blank lines and lines
// starting with '#' ignored. `file` names the source in errors ("file:3: ...").
Environment parse_env_file(const std::string& text, const std::string& file);

}  // namespace hookctl
