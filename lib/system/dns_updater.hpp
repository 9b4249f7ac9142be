// The executor for DNS actions: DnsUpdater checks the key file, runs nsupdate
// (nsupdate.hpp) through a ProcessRunner, and confirms the result with one query
// through a DnsQuerier (UdpDnsQuerier for real, a scripted one in tests).
#pragma once

#include "config.hpp"
#include "dns_wire.hpp"
#include "executor.hpp"
#include "nsupdate.hpp"
#include "process.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <sys/types.h>

namespace hookctl {

// One question to one server. The real one is UdpDnsQuerier; tests script answers.
class DnsQuerier {
public:
    struct Result {
        std::optional<DnsAnswer> answer;  // nullopt: see error
        std::string error;                // "timed out after 1000 ms", "connection refused", ...
    };
    virtual ~DnsQuerier() = default;
    virtual Result query(const IpAddress& server, std::uint16_t port, const std::string& name,
                         DnsType type, std::uint32_t timeout_ms) = 0;
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
    std::string nsupdate = "nsupdate";    // resolved on settings.path by the runner
    uid_t key_owner = 0;                  // tests use their own uid for temp key files
    std::string temp_dir = "/tmp";        // for the script file (0600, O_EXCL, removed after)
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

}  // namespace hookctl
