// nsupdate input, timing and output; see nsupdate.hpp.
#include "nsupdate.hpp"

#include "dns_wire.hpp"
#include "error.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <sys/stat.h>

namespace hookctl {

namespace {

bool address_chars_ok(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isxdigit(c) || c == ':' || c == '.';
    });
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool contains(const std::string& hay, const char* needle) {
    return hay.find(needle) != std::string::npos;
}

// The last few non-empty lines of a program's output, on one line.
std::string output_tail(const std::string& output, std::size_t max_lines = 3,
                        std::size_t max_chars = 400) {
    std::vector<std::string> lines;
    std::istringstream in(output);
    for (std::string l; std::getline(in, l);) {
        while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.pop_back();
        if (!l.empty()) lines.push_back(l);
    }
    if (lines.size() > max_lines)
        lines.erase(lines.begin(), lines.end() - static_cast<long>(max_lines));
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : " | ") + l;
    if (out.size() > max_chars) out = "..." + out.substr(out.size() - max_chars);
    return out;
}

}  // namespace

bool nsupdate_unreachable(const ProcessResult& r) {
    return r.timed_out || contains(r.output, "Communication with") ||
           contains(r.output, "timed out") || contains(r.output, "connection refused") ||
           contains(r.output, "unreachable");
}

std::string nsupdate_script(const DnsRecordObject& r, bool remove) {
    // Defence in depth: these came through parse_domain_name/parse_address, but one
    // stray newline or ';' would turn a value into another nsupdate command.
    if (!is_plain_dns_name(r.zone))
        throw Error(
            fmt::format("dns: zone '{}' is not a plain domain name", escape_for_display(r.zone)));
    if (!is_plain_dns_name(r.name))
        throw Error(
            fmt::format("dns: name '{}' is not a plain domain name", escape_for_display(r.name)));
    if (!address_chars_ok(r.server))
        throw Error(
            fmt::format("dns: server '{}' is not an address", escape_for_display(r.server)));
    const std::string name = lower(r.name), zone = lower(r.zone);
    if (name != zone && !(name.size() > zone.size() && name.ends_with("." + zone)))
        throw Error(fmt::format("dns: {} is not inside zone {}", r.name, r.zone));
    const std::string type = to_string(r.type);
    std::string s = fmt::format("server {} {}\nzone {}.\nupdate delete {}. {}\n", r.server, r.port,
                                r.zone, r.name, type);
    if (!remove) {
        if (r.value.is_v4() != (r.type == DnsType::a))
            throw Error(
                fmt::format("dns: {} {} cannot hold {}", r.name, type, r.value.to_string()));
        const std::string value = r.value.to_string();
        if (!address_chars_ok(value))
            throw Error("dns: bad address text " + escape_for_display(value));
        s += fmt::format("update add {}. {} {} {}\n", r.name, r.ttl, type, value);
    }
    s += "send\n";
    return s;
}

// nsupdate's timing (docs/daemons.md, nsupdate; measured against named 9.18): over UDP it waits
// -u seconds for an answer and resends -r times, so a silent server costs about
// (r+1)*u seconds; -t only bounds the whole exchange over TCP (or UDP with -u 0),
// and its default of 300 s must not apply to a hook that dhcpcd waits for. So the
// zone's timeout T (default 3 s) is split into r = 2 resends of u = T/3 s (at least
// 1 s: a lost datagram is retried twice, and a dead server costs T), -t T caps the
// TCP path, and the runner kills nsupdate's group 500 ms after T in case anything
// else hangs (resolving, a stuck TCP connect). The check query after a successful
// update gets two tries of T/3 (200..1000 ms): the server just answered, so a short
// wait is enough. Worst case of one action: T + 0.5 s + 2 s; against a dead server
// T + 0.5 s, once per server and hook run (DnsUpdater remembers it).
NsupdateTiming nsupdate_timing(std::uint32_t timeout_ms) {
    NsupdateTiming t;
    t.total_s = std::max<std::uint32_t>(1, timeout_ms / 1000);
    if (t.total_s >= 3) {
        t.udp_retries = 2;
        t.udp_timeout_s = t.total_s / 3;
    } else {
        t.udp_timeout_s = 1;
        t.udp_retries = t.total_s - 1;
    }
    t.kill_after_ms = std::max(timeout_ms, t.total_s * 1000) + 500;
    t.query_timeout_ms = std::clamp<std::uint32_t>(timeout_ms / 3, 200, 1000);
    t.query_tries = 2;
    return t;
}

std::vector<std::string> nsupdate_argv(const std::string& program, const DnsRecordObject& record,
                                       const NsupdateTiming& t, const std::string& script_file) {
    std::vector<std::string> argv{program};
    if (!record.key_file.empty()) {
        argv.push_back("-k");
        argv.push_back(record.key_file);
    }
    for (auto [flag, value] :
         {std::pair{"-t", t.total_s}, {"-u", t.udp_timeout_s}, {"-r", t.udp_retries}}) {
        argv.push_back(flag);
        argv.push_back(std::to_string(value));
    }
    argv.push_back(script_file);
    return argv;
}

bool nsupdate_lost_key(const std::string& output) {
    return contains(output, "could not read key");
}

std::string explain_nsupdate_failure(const ProcessResult& r, const DnsRecordObject& record) {
    const std::string server = dns_server_id(record);
    std::string why;
    if (!r.error.empty()) {
        why = fmt::format(
            "nsupdate could not be started ({}); it is in Debian's bind9-dnsutils package",
            r.error);
    } else if (r.timed_out) {
        why = fmt::format(
            "no answer from {}: nsupdate killed after {} ms (server down or unreachable)", server,
            r.elapsed_ms);
    } else if (nsupdate_lost_key(r.output)) {
        why = fmt::format("nsupdate could not read the key from {}, so the update was unsigned",
                          record.key_file);
    } else if (r.exit_code == 1) {
        why = "nsupdate rejected its input (exit 1)";
    } else if (r.exit_code == 2) {
        if (contains(r.output, "BADSIG") || contains(r.output, "BADKEY") ||
            contains(r.output, "BADTIME") || contains(r.output, "TSIG error"))
            why = fmt::format(
                "{} rejected the TSIG signature (exit 2): wrong key name, secret or algorithm in {}, "
                "or the clocks differ by more than 5 minutes",
                server, record.key_file);
        else if (contains(r.output, "REFUSED"))
            why = fmt::format(
                "{} refused the update (exit 2): its update-policy does not let this key change {}, "
                "or the update was not signed",
                server, record.name);
        else if (contains(r.output, "NOTAUTH") || contains(r.output, "NOTZONE"))
            why = fmt::format("{} is not the primary for zone {} (exit 2)", server, record.zone);
        else if (contains(r.output, "timed out"))
            why = fmt::format("no answer from {} (exit 2): server down or unreachable", server);
        else if (contains(r.output, "connection refused"))
            why = fmt::format("nothing answers DNS on {} (exit 2, connection refused): server down",
                              server);
        else if (nsupdate_unreachable(r))
            why = fmt::format("cannot reach {} (exit 2)", server);
        else
            why = "the update failed (exit 2)";
    } else {
        why = fmt::format("nsupdate failed ({})", describe(r));
    }
    const std::string tail = output_tail(r.output);
    return tail.empty() ? why : why + ": " + tail;
}

// ---- the key file ---------------------------------------------------------------

std::optional<std::string> key_file_problem(const std::string& path, uid_t required_uid) {
    // K<name>.+<alg>.+<id>.key is the public half; nsupdate reads the secret from
    // the .private file beside it, so that is the one to check.
    std::string file = path;
    const std::string base = path.substr(path.rfind('/') + 1);
    if (base.starts_with("K") && contains(base, ".+") && base.ends_with(".key"))
        file = path.substr(0, path.size() - 4) + ".private";
    const std::string owner_word = required_uid == 0 ? "root" : fmt::format("uid {}", required_uid);
    struct stat st {};
    if (::stat(file.c_str(), &st) != 0)
        return fmt::format("TSIG key file {}: {}; nothing was sent", file, std::strerror(errno));
    if (!S_ISREG(st.st_mode))
        return fmt::format("TSIG key file {} is not a regular file; nothing was sent", file);
    const unsigned mode = st.st_mode & 07777;
    const bool bad_owner = st.st_uid != required_uid;
    const bool bad_mode = (mode & 0066) != 0;
    if (bad_owner || bad_mode) {
        std::string fix;
        if (bad_owner)
            fix = fmt::format("chown {} {}",
                              required_uid == 0 ? "root" : std::to_string(required_uid), file);
        if (bad_mode) fix += fmt::format("{}chmod 600 {}", fix.empty() ? "" : " && ", file);
        return fmt::format(
            "TSIG key file {} is mode {:04o} owned by {}: a key must be owned by {} and not "
            "readable or writable by group or others; fix: {}; nothing was sent",
            file, mode, st.st_uid == 0 ? "root" : fmt::format("uid {}", st.st_uid), owner_word,
            fix);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in)
        return fmt::format("TSIG key file {}: cannot read it: {}; nothing was sent", file,
                           std::strerror(errno));
    std::string text(std::size_t{64} * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    const bool private_file = file.ends_with(".private");
    const bool looks_like_key =
        private_file ? contains(text, "Key:") : (contains(text, "key") && contains(text, "secret"));
    if (!looks_like_key)
        return fmt::format(
            "TSIG key file {} does not look like a key (expected {}); nsupdate would send the update "
            "unsigned; nothing was sent",
            file,
            private_file ? "a 'Key:' line"
                         : "a key \"NAME\" { algorithm ...; secret \"...\"; }; "
                           "statement as tsig-keygen prints it");
    return std::nullopt;
}

}  // namespace hookctl
