// Dynamic DNS: DNS records (DnsRecordObject) pushed with RFC 2136 UPDATE signed with
// TSIG, through bind's nsupdate, then confirmed by querying the same server with a
// small native UDP client. The pure parts (nsupdate script and argv, timing, the
// query packet and its parser, status) are separate from the two that touch the
// system (DnsUpdater runs nsupdate through a ProcessRunner; UdpDnsQuerier sends one
// query) so that unit tests check them byte for byte.
#pragma once

#include "config.hpp"
#include "executor.hpp"
#include "json_io.hpp"
#include "objects.hpp"
#include "process.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <sys/types.h>

namespace hookctl {

// ---- nsupdate input -------------------------------------------------------------

// The nsupdate commands for one action: one UPDATE message, applied atomically by
// the server.
//   server <addr> <port>
//   zone <zone>.
//   update delete <name>. <TYPE>                  (the old rrset, whatever it holds)
//   update add <name>. <ttl> <TYPE> <value>       (add/replace only)
//   send
// The values were validated when they were parsed; this checks again that no
// field can smuggle a second command (only [A-Za-z0-9._-] in names, an address of
// the record's family, the name inside the zone) and throws Error otherwise.
std::string nsupdate_script(const DnsRecordObject& record, bool remove);

// How long nsupdate may take, derived from the zone's `timeout` (ms).
struct NsupdateTiming {
    std::uint32_t udp_timeout_s = 1;   // -u: wait for one UDP answer
    std::uint32_t udp_retries = 2;     // -r: UDP resends after the first try
    std::uint32_t total_s = 3;         // -t: the whole update (bounds TCP; see dns.cpp)
    std::uint32_t kill_after_ms = 3500;  // the runner kills nsupdate's group then
    std::uint32_t query_timeout_ms = 1000;  // confirmation query: one try
    std::uint32_t query_tries = 2;
    // Upper bound of one action: nsupdate (killed at the latest then) plus the
    // confirmation. Against a server that does not answer, only the first part.
    std::uint32_t worst_case_ms() const { return kill_after_ms + query_tries * query_timeout_ms; }
};
NsupdateTiming nsupdate_timing(std::uint32_t timeout_ms);

// nsupdate [-k KEYFILE] -t T -u U -r R SCRIPTFILE (no -k when the zone has no key).
std::vector<std::string> nsupdate_argv(const std::string& program, const DnsRecordObject& record,
                                       const NsupdateTiming& timing, const std::string& script_file);

// A readable explanation of a failed nsupdate run (exit 1: our input; exit 2:
// refused, bad signature, or no answer), with the tail of its output.
std::string explain_nsupdate_failure(const ProcessResult& r, const DnsRecordObject& record);

// True when nsupdate's output says it could not load the key: it then sends the
// update unsigned (contracts §4), so even exit 0 must not count as success.
bool nsupdate_lost_key(const std::string& output);

// ---- the key file ---------------------------------------------------------------

// Nothing is sent unless the TSIG key file is a regular file owned by `required_uid`
// with no group/other read or write bit, and looks like a key (a `key "..." { ... secret
// ...; };` statement, or a K<name>.+NNN.+NNNNN.{key,private} pair, where the .private
// half is checked). Returns the problem as a message naming the file, its mode and
// owner and the fix, or nullopt when the file is fine.
std::optional<std::string> key_file_problem(const std::string& path, uid_t required_uid);

// ---- DNS wire format (RFC 1035), just enough to ask for A/AAAA -------------------

// A standard query, RD clear (we ask the authoritative server we updated), one
// question: `name` (without trailing dot) IN A/AAAA. Throws Error for a name that
// is not a valid sequence of 1..63 byte labels within 255 bytes.
std::vector<std::uint8_t> build_query(std::uint16_t id, const std::string& name, DnsType type);

struct DnsAnswer {
    std::uint8_t rcode = 0;           // 0 NOERROR, 3 NXDOMAIN, 5 REFUSED, ...
    bool authoritative = false;       // AA bit
    bool truncated = false;           // TC bit
    std::vector<IpAddress> addresses; // the answer section's records of the asked type at the asked name
};

// Parses the reply to build_query(id, name, type). Throws Error when it is not that
// reply (other id, not a response, other question) or is malformed (short, bad
// compression pointer, wrong rdata length). Records of other types or at other
// names (a CNAME chain) are skipped.
DnsAnswer parse_answer(const std::vector<std::uint8_t>& packet, std::uint16_t id, const std::string& name,
                       DnsType type);

// "2001:db8::1", "2001:db8::1, 2001:db8::2", "no AAAA record", "NXDOMAIN", ...
std::string describe(const DnsAnswer& a, DnsType type);

// One question to one server. The real one is UdpDnsQuerier; tests script answers.
class DnsQuerier {
public:
    struct Result {
        std::optional<DnsAnswer> answer;  // nullopt: see error
        std::string error;                // "timed out after 1000 ms", "connection refused", ...
    };
    virtual ~DnsQuerier() = default;
    virtual Result query(const IpAddress& server, std::uint16_t port, const std::string& name, DnsType type,
                         std::uint32_t timeout_ms) = 0;
};

// One UDP datagram to server:port from a connected socket (so only the server's
// replies are read), a random id, answers with another id ignored until the timeout.
class UdpDnsQuerier : public DnsQuerier {
public:
    Result query(const IpAddress& server, std::uint16_t port, const std::string& name, DnsType type,
                 std::uint32_t timeout_ms) override;
};

// ---- the executor for DNS actions ------------------------------------------------

struct DnsUpdaterOptions {
    std::string nsupdate = "nsupdate";  // resolved on settings.path by the runner
    uid_t key_owner = 0;                // tests use their own uid for temp key files
    std::string temp_dir = "/tmp";      // for the script file (0600, O_EXCL, removed after)
    Deadline deadline = Deadline::max();  // the hook's own deadline
    // [[dns]] timeout per zone, by zone_id(); zones not listed get 3000 ms.
    std::map<std::string, std::uint32_t> timeout_ms;
};

// "server#port zone": the key of DnsUpdaterOptions::timeout_ms.
std::string zone_id(const std::string& server, std::uint16_t port, const std::string& zone);
// The options for the real run: every zone's timeout from the config, and `deadline`.
DnsUpdaterOptions dns_updater_options(const Config& config, Deadline deadline);

// Applies add/replace/remove of DnsRecordObject:
//   1. key file checked (key_file_problem) — failed before anything is sent;
//   2. nsupdate runs the script (nsupdate_script) from a private temp file, bounded
//      by nsupdate_timing(zone timeout);
//   3. the server is asked for name/type: add/replace is done only when it answers
//      exactly the new value, remove only when it answers nothing.
// Anything else is `failed` (the engine keeps the old applied value, so the record
// stays pending and the next event or `hookctl apply` retries).
// A server that did not answer is not tried again by the same DnsUpdater (one hook
// run): the run then costs one timeout per unreachable server, not one per record.
class DnsUpdater {
public:
    DnsUpdater(ProcessRunner& runner, DnsQuerier& querier, DnsUpdaterOptions options = {});
    ActionResult apply(const Action& action);

private:
    ActionResult update(const DnsRecordObject& record, bool remove);
    ActionResult confirm(const DnsRecordObject& record, bool remove, const NsupdateTiming& timing,
                         const std::string& sent);

    ProcessRunner& runner_;
    DnsQuerier& querier_;
    DnsUpdaterOptions options_;
    std::set<std::string> unreachable_;  // "server#port" that timed out in this run
};

// ---- status ---------------------------------------------------------------------

struct DnsRecordStatus {
    enum class State {
        confirmed,  // the server confirmed the desired value (it is in the applied set of state.json)
        pending,    // desired differs from the confirmed value; not tried yet or skipped
        failed,     // the last attempt for this value failed (`message`)
        held,       // its fact is unknown now: the confirmed value is kept
    };
    std::string name;                    // fully qualified, no trailing dot
    DnsType type = DnsType::aaaa;
    std::string server;                  // "::1#5300"
    std::optional<IpAddress> desired;    // nullopt: held, or no longer configured (to be removed)
    std::optional<IpAddress> confirmed;  // nullopt: never confirmed / removed
    State state = State::pending;
    std::string message;                 // failed: the last error
};

std::string to_string(DnsRecordStatus::State s);

// One entry per DNS record that is desired, held or still applied, in desired
// order then applied order. `journal` is a JSON array of journal entries, oldest
// first (each with "actions": [{ "object", "result", "message" }]); the newest
// result of an action for the same record and the same desired value decides
// between pending and failed.
std::vector<DnsRecordStatus> dns_status(const std::vector<OwnedObject>& desired,
                                        const std::vector<std::string>& held_keys,
                                        const std::vector<OwnedObject>& applied, const Json& journal);

// "  router.dyn.example.org AAAA @::1#5300: desired X, confirmed Y, failed: ..." lines.
std::string format_dns_status(const std::vector<DnsRecordStatus>& records);
Json to_json(const DnsRecordStatus& s);

}  // namespace hookctl
