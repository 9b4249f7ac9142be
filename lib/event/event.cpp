// Event plumbing shared by both sources: naming the pppd script from argv[0],
// dispatching to the pppd or dhcpcd parser, cutting a process environment down to
// what the parsers read (for the journal), and the env-file format used by tests
// and `hookctl --env-file`.
#include "event.hpp"

#include "kernel_event.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

namespace hookctl {

namespace {

// Constant lists, not sets: built at compile time, where a std::set is built at every
// process start (a tenth of a hook run's instructions went to static initialisers).

// Every variable parse_ppp_event reads, plus the pppd/Debian context worth keeping
// in the journal when replaying (PPPD_PID, UNIT, LINKNAME, ...).
constexpr std::string_view ppp_variables[] = {
    "IFNAME",    "IPLOCAL",   "IPREMOTE",   "DNS1",        "DNS2",    "LLLOCAL",   "LLREMOTE",
    "PPP_IFACE", "PPP_LOCAL", "PPP_REMOTE", "PPP_IPPARAM", "PPP_TTY", "PPP_SPEED", "USEPEERDNS",
    "PPPD_PID",  "UNIT",      "LINKNAME",   "CALL_FILE",   "DEVICE",
};

// What networkd-dispatcher and NetworkManager's dispatcher pass that says which
// interface and why; their address lists are not read (the kernel dump is).
constexpr std::string_view dispatcher_variables[] = {
    "IFACE",           "STATE",           "AdministrativeState",  "OperationalState",
    "DEVICE_IFACE",    "DEVICE_IP_IFACE", "NM_DISPATCHER_ACTION", "CONNECTION_ID",
    "CONNECTION_UUID",
};

constexpr std::string_view dhcpcd_variables[] = {
    "reason", "interface", "protocol", "pid", "if_up", "if_down", "ifcarrier", "if_configured",
};

template <std::size_t N>
bool listed(const std::string_view (&names)[N], std::string_view name) {
    return std::find(std::begin(names), std::end(names), name) != std::end(names);
}

bool starts_with(std::string_view s, std::string_view p) {
    return s.substr(0, p.size()) == p;
}

bool is_dhcpcd_variable(std::string_view name) {
    if (listed(dhcpcd_variables, name)) return true;
    if (starts_with(name, "new_") || starts_with(name, "old_")) return true;
    // RA variables are ndN_*; a bare "nd" prefix would also catch unrelated names.
    return name.size() > 2 && starts_with(name, "nd") && name[2] >= '0' && name[2] <= '9';
}

// A whole environment is bounded by the kernel (ARG_MAX), but the journal keeps
// these: refuse absurd amounts instead of storing them. Per-value limits that give
// a precise error live in the parsers.
constexpr std::size_t max_relevant_variables = 1024;
constexpr std::size_t max_relevant_value_bytes = std::size_t{64} * 1024;

bool is_env_name(std::string_view name) {
    if (name.empty() || (name[0] >= '0' && name[0] <= '9')) return false;
    return std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_';
    });
}

}  // namespace

std::string to_string(Source s) {
    switch (s) {
    case Source::ppp: return "ppp";
    case Source::kernel: return "kernel";
    case Source::dhcpcd: break;
    }
    return "dhcpcd";
}

Event parse_event(const RawEvent& raw) {
    if (!raw.duplicated.empty())
        throw InputError(raw.duplicated.front(),
                         "set more than once in the environment; which value was meant is "
                         "unknowable, so the event is refused");
    switch (raw.source) {
    case Source::ppp: return parse_ppp_event(raw);
    case Source::kernel: return parse_kernel_event(raw);
    case Source::dhcpcd: break;
    }
    return parse_dhcpcd_event(raw);
}

Environment relevant_environment(Source source, const Environment& full) {
    Environment out;
    for (const auto& [name, value] : full) {
        const bool keep = source == Source::ppp      ? listed(ppp_variables, name)
                          : source == Source::kernel ? listed(dispatcher_variables, name)
                                                     : is_dhcpcd_variable(name);
        if (!keep) continue;
        if (value.size() > max_relevant_value_bytes)
            throw InputError(name, fmt::format("value too long ({} bytes)", value.size()));
        if (out.size() == max_relevant_variables)
            throw InputError("environment", fmt::format("more than {} relevant variables",
                                                        max_relevant_variables));
        out.emplace(name, value);
    }
    return out;
}

Environment parse_env_file(const std::string& text, const std::string& file) {
    Environment env;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        ++line_no;
        auto end = text.find('\n', pos);
        if (end == std::string::npos) end = text.size();
        const std::string_view line(text.data() + pos, end - pos);
        pos = end + 1;
        const std::string where = fmt::format("{}:{}", file, line_no);
        if (line.empty() || line[0] == '#') continue;
        const auto eq = line.find('=');
        if (eq == std::string_view::npos)
            throw InputError(where,
                             "expected VAR=value, got " +
                                 fmt::format("\"{}\"", escape_for_display(std::string(line))));
        const std::string name(line.substr(0, eq));
        if (!is_env_name(name))
            throw InputError(where,
                             fmt::format("bad variable name \"{}\"", escape_for_display(name)));
        std::string value;
        const auto raw = line.substr(eq + 1);
        for (std::size_t i = 0; i < raw.size(); ++i) {
            if (raw[i] != '\\') {
                value += raw[i];
                continue;
            }
            const char next = i + 1 < raw.size() ? raw[i + 1] : '\0';
            if (next == '\\')
                value += '\\';
            else if (next == 'n')
                value += '\n';
            else
                throw InputError(where,
                                 fmt::format("{}: unknown escape (only \\\\ and \\n)", name));
            ++i;
        }
        if (!env.emplace(name, std::move(value)).second)
            throw InputError(where, fmt::format("{} set twice", name));
    }
    return env;
}

}  // namespace hookctl
