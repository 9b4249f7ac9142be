// Finding output; see finding.hpp.
#include "finding.hpp"

#include <fmt/format.h>

namespace hookctl {

std::string to_string(Severity s) {
    switch (s) {
    case Severity::info: return "info";
    case Severity::warning: return "warning";
    case Severity::error: return "error";
    }
    return "?";
}

std::string format_finding(const Finding& f) {
    std::string out =
        fmt::format("{} [{}] {}: {}\n", to_string(f.severity), f.check, f.subject, f.what);
    for (const auto& e : f.evidence) out += "    evidence: " + e + "\n";
    if (!f.why.empty()) out += "    why: " + f.why + "\n";
    if (!f.fix.empty()) out += "    fix: " + f.fix + "\n";
    return out;
}

Json to_json(const Finding& f) {
    return Json{{"check", f.check},
                {"severity", to_string(f.severity)},
                {"subject", f.subject},
                {"what", f.what},
                {"evidence", f.evidence},
                {"why", f.why},
                {"fix", f.fix}};
}

FindingCounts count(const std::vector<Finding>& findings) {
    FindingCounts c;
    for (const auto& f : findings) {
        if (f.severity == Severity::error) ++c.errors;
        if (f.severity == Severity::warning) ++c.warnings;
        if (f.severity == Severity::info) ++c.infos;
    }
    return c;
}

}  // namespace hookctl
