// One problem `hookctl doctor` found: which check, how bad, what is wrong, the
// evidence (the exact sysctl, rule or config line, with its file:line), why it
// breaks and what fixes it. Severity:
//   error    something is broken now, or will be the next time the daemon acts
//            (no IPv6 on the uplink, traffic black-holed, updates refused);
//   warning  the setup contradicts itself or breaks for some hosts or later
//            (clients that never ask DHCPv6, an interface created tomorrow);
//   info     not a problem found, but a check that could not look (not root, a rule
//            it cannot evaluate) or something worth knowing.
#pragma once

#include "json_io.hpp"

#include <string>
#include <vector>

namespace hookctl {

enum class Severity { info, warning, error };

std::string to_string(Severity s);

struct Finding {
    std::string check;  // the check's id: "uplink-ra-ignored"
    Severity severity = Severity::error;
    std::string subject;  // what it is about: "wan0", "/etc/radvd.conf"
    std::string what;     // one line
    std::vector<std::string> evidence;
    std::string why;
    std::string fix;
};

// "error uplink-ra-ignored wan0: ..." then indented evidence, why and fix lines.
std::string format_finding(const Finding& f);
Json to_json(const Finding& f);

// Counts by severity, for the summary line and the exit status.
struct FindingCounts {
    int errors = 0;
    int warnings = 0;
    int infos = 0;
};
FindingCounts count(const std::vector<Finding>& findings);

}  // namespace hookctl
