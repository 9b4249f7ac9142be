// nsupdate's side of dynamic DNS, all pure but the key-file check: the command
// script for one record (RFC 2136 UPDATE: delete the rrset, add the new value),
// nsupdate's argv and timing bounds, and reading its exit status and output.
// Facts about nsupdate relied on here are in docs/daemons.md (nsupdate).
#pragma once

#include "objects.hpp"
#include "process.hpp"

#include <cstdint>
#include <optional>
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
    std::uint32_t udp_timeout_s = 1;        // -u: wait for one UDP answer
    std::uint32_t udp_retries = 2;          // -r: UDP resends after the first try
    std::uint32_t total_s = 3;              // -t: the whole update (bounds TCP; see dns.cpp)
    std::uint32_t kill_after_ms = 3500;     // the runner kills nsupdate's group then
    std::uint32_t query_timeout_ms = 1000;  // confirmation query: one try
    std::uint32_t query_tries = 2;
    // Upper bound of one action: nsupdate (killed at the latest then) plus the
    // confirmation. Against a server that does not answer, only the first part.
    std::uint32_t worst_case_ms() const { return kill_after_ms + query_tries * query_timeout_ms; }
};
NsupdateTiming nsupdate_timing(std::uint32_t timeout_ms);

// nsupdate [-k KEYFILE] -t T -u U -r R SCRIPTFILE (no -k when the zone has no key).
std::vector<std::string> nsupdate_argv(const std::string& program, const DnsRecordObject& record,
                                       const NsupdateTiming& timing,
                                       const std::string& script_file);

// A readable explanation of a failed nsupdate run (exit 1: our input; exit 2:
// refused, bad signature, or no answer), with the tail of its output.
std::string explain_nsupdate_failure(const ProcessResult& r, const DnsRecordObject& record);

// True when nsupdate's output says it could not load the key: it then sends the
// update unsigned (docs/daemons.md, nsupdate), so even exit 0 must not count as success.
bool nsupdate_lost_key(const std::string& output);

// nsupdate could not talk to the server at all (as opposed to being answered "no").
bool nsupdate_unreachable(const ProcessResult& r);

// ---- the key file ---------------------------------------------------------------

// Nothing is sent unless the TSIG key file is a regular file owned by `required_uid`
// with no group/other read or write bit, and looks like a key (a `key "..." { ... secret
// ...; };` statement, or a K<name>.+NNN.+NNNNN.{key,private} pair, where the .private
// half is checked). Returns the problem as a message naming the file, its mode and
// owner and the fix, or nullopt when the file is fine.
std::optional<std::string> key_file_problem(const std::string& path, uid_t required_uid);

}  // namespace hookctl
