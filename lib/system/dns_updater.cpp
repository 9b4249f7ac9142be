// DnsUpdater and UdpDnsQuerier; see dns_updater.hpp. nsupdate does the signing
// and the UPDATE (bind's own TSIG code, every algorithm tsig-keygen makes, TCP
// fallback); hookctl builds its input, bounds its time, refuses keys nsupdate
// would silently ignore, and checks the outcome with a plain UDP query of its own
// (no fork, no dig).
#include "dns_updater.hpp"

#include "fd.hpp"
#include "file_io.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <random>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hookctl {

namespace {

using Clock = std::chrono::steady_clock;

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

ActionResult failed(std::string message) {
    return {ActionResult::Status::failed, std::move(message)};
}

// The script file nsupdate reads: created with O_EXCL and mode 0600 by mkstemp
// (whatever the umask), removed when this goes out of scope.
class ScriptFile {
public:
    ScriptFile(const std::string& dir, const std::string& content) {
        std::string tmpl = dir + "/hookctl-nsupdate-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        UniqueFd fd(::mkostemp(buf.data(), O_CLOEXEC));
        if (!fd) {
            error_ = fmt::format("cannot create the nsupdate script in {}: {}", dir, errno_text());
            return;
        }
        path_ = buf.data();
        ::fchmod(fd.get(), 0600);
        if (!write_all(fd.get(), content))
            error_ = fmt::format("cannot write {}: {}", path_, errno_text());
        if (::close(fd.release()) != 0 && error_.empty())
            error_ = fmt::format("cannot write {}: {}", path_, errno_text());
    }
    ~ScriptFile() {
        if (!path_.empty()) ::unlink(path_.c_str());
    }
    ScriptFile(const ScriptFile&) = delete;
    ScriptFile& operator=(const ScriptFile&) = delete;
    const std::string& path() const { return path_; }
    const std::string& error() const { return error_; }

private:
    std::string path_;
    std::string error_;
};

std::uint32_t ms_until(Deadline d) {
    if (d == Deadline::max()) return UINT32_MAX;
    const auto now = Clock::now();
    if (d <= now) return 0;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d - now).count();
    return ms > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(ms);
}

}  // namespace

DnsQuerier::Result UdpDnsQuerier::query(const IpAddress& server, std::uint16_t port,
                                        const std::string& name, DnsType type,
                                        std::uint32_t timeout_ms) {
    Result res;
    sockaddr_storage ss{};
    socklen_t ss_len = 0;
    if (server.is_v4()) {
        auto* sin = reinterpret_cast<sockaddr_in*>(&ss);
        sin->sin_family = AF_INET;
        sin->sin_port = htons(port);
        std::memcpy(&sin->sin_addr, server.bytes.data(), 4);
        ss_len = sizeof(sockaddr_in);
    } else {
        auto* sin6 = reinterpret_cast<sockaddr_in6*>(&ss);
        sin6->sin6_family = AF_INET6;
        sin6->sin6_port = htons(port);
        std::memcpy(&sin6->sin6_addr, server.bytes.data(), 16);
        ss_len = sizeof(sockaddr_in6);
    }
    UniqueFd fd(::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (fd.get() < 0) {
        res.error = fmt::format("socket: {}", std::strerror(errno));
        return res;
    }
    // Connected: the kernel drops datagrams from anyone but the server, and a
    // closed port comes back as ECONNREFUSED instead of a silent timeout.
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&ss), ss_len) != 0) {
        res.error = fmt::format("connect: {}", std::strerror(errno));
        return res;
    }
    std::random_device rd;
    const auto id = static_cast<std::uint16_t>(rd());
    std::vector<std::uint8_t> q;
    try {
        q = build_query(id, name, type);
    } catch (const Error& e) {
        res.error = e.what();
        return res;
    }
    if (::send(fd.get(), q.data(), q.size(), 0) != static_cast<ssize_t>(q.size())) {
        res.error = fmt::format("send: {}", std::strerror(errno));
        return res;
    }
    const auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    std::vector<std::uint8_t> buf(65535);
    for (;;) {
        const std::uint32_t left = ms_until(deadline);
        if (left == 0) break;
        pollfd pfd{fd.get(), POLLIN, 0};
        const int n = ::poll(&pfd, 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) break;
        const ssize_t got = ::recv(fd.get(), buf.data(), buf.size(), 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            res.error = errno == ECONNREFUSED ? "connection refused" : std::strerror(errno);
            return res;
        }
        try {
            res.answer = parse_answer(std::vector<std::uint8_t>(buf.begin(), buf.begin() + got), id,
                                      name, type);
            return res;
        } catch (const Error&) {
            // Not our answer (a late reply to an earlier try, garbage): keep waiting.
        }
    }
    res.error = fmt::format("no answer within {} ms", timeout_ms);
    return res;
}

// ---- the executor ---------------------------------------------------------------

std::string zone_id(const std::string& server, std::uint16_t port, const std::string& zone) {
    return fmt::format("{}#{} {}", server, port, lower(zone));
}

DnsUpdaterOptions dns_updater_options(const Config& config, Deadline deadline) {
    DnsUpdaterOptions o;
    o.deadline = deadline;
    for (const auto& z : config.dns)
        o.timeout_ms[zone_id(z.server, z.port, z.zone.str())] = z.timeout_ms;
    return o;
}

DnsUpdater::DnsUpdater(ProcessRunner& runner, DnsQuerier& querier, DnsUpdaterOptions options)
    : runner_(runner), querier_(querier), options_(std::move(options)) {}

ActionResult DnsUpdater::apply(const Action& action) {
    if (!action.object || !std::holds_alternative<DnsRecordObject>(*action.object))
        return failed("dns: not a DNS record action");
    const auto& record = std::get<DnsRecordObject>(*action.object);
    switch (action.op) {
    case Action::Op::add:
    case Action::Op::replace: return update(record, false);
    case Action::Op::remove: return update(record, true);
    default: return failed(fmt::format("dns: cannot {} a DNS record", to_string(action.op)));
    }
}

ActionResult DnsUpdater::update(const DnsRecordObject& record, bool remove) {
    // 1. Nothing leaves the machine with a key nsupdate would skip or others can read.
    if (!record.key_file.empty())
        if (auto problem = key_file_problem(record.key_file, options_.key_owner))
            return failed(*problem);
    std::string script;
    IpAddress server;
    try {
        script = nsupdate_script(record, remove);
        server = parse_address(record.server, "dns server");
    } catch (const Error& e) {
        return failed(e.what());
    }
    const std::string sid = dns_server_id(record);
    if (unreachable_.count(sid))
        return failed(
            fmt::format("not sent: {} did not answer an update earlier in this run", sid));
    auto it = options_.timeout_ms.find(zone_id(record.server, record.port, record.zone));
    const NsupdateTiming timing =
        nsupdate_timing(it != options_.timeout_ms.end() ? it->second : 3000);

    // 2. One UPDATE message: delete the rrset, add the new value.
    ScriptFile file(options_.temp_dir, script);
    if (!file.error().empty()) return failed(file.error());
    Command command;
    command.argv = nsupdate_argv(options_.nsupdate, record, timing, file.path());
    command.timeout_ms = timing.kill_after_ms;
    const ProcessResult r = runner_.run(command, options_.deadline);
    if (!r.ok() || nsupdate_lost_key(r.output)) {
        if (nsupdate_unreachable(r)) unreachable_.insert(sid);
        return failed(explain_nsupdate_failure(r, record));
    }

    // 3. The server must now answer what we sent.
    std::string sent = fmt::format("nsupdate {} ms", r.elapsed_ms);
    return confirm(record, remove, timing, sent);
}

ActionResult DnsUpdater::confirm(const DnsRecordObject& record, bool remove,
                                 const NsupdateTiming& timing, const std::string& sent) {
    const IpAddress server = parse_address(record.server, "dns server");
    DnsQuerier::Result q;
    for (std::uint32_t i = 0; i < timing.query_tries && !q.answer; ++i) {
        const std::uint32_t left = ms_until(options_.deadline);
        if (left == 0) break;
        q = querier_.query(server, record.port, record.name, record.type,
                           std::min(left, timing.query_timeout_ms));
    }
    const std::string sid = dns_server_id(record);
    if (!q.answer)
        return failed(fmt::format(
            "update sent ({}) but {} did not answer the check query for {} {}: {}", sent, sid,
            record.name, to_string(record.type), q.error.empty() ? "deadline reached" : q.error));
    const DnsAnswer& a = *q.answer;
    const bool gone = (a.rcode == 0 || a.rcode == 3) && a.addresses.empty();
    const bool exact =
        a.rcode == 0 && a.addresses.size() == 1 && a.addresses.front() == record.value;
    if (a.authoritative && !a.truncated && (remove ? gone : exact))
        return {ActionResult::Status::done,
                fmt::format("{}; {} confirms {} {} {}", sent, sid, record.name,
                            to_string(record.type), remove ? "gone" : record.value.to_string())};
    return failed(fmt::format("update sent ({}) but {} answers {} for {} {} (expected {})", sent,
                              sid, describe(a, record.type), record.name, to_string(record.type),
                              remove ? "none" : record.value.to_string()));
}

}  // namespace hookctl
