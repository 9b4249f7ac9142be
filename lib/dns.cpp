// Dynamic DNS: see dns.hpp. nsupdate does the signing and the UPDATE (bind's own
// TSIG code, every algorithm tsig-keygen makes, TCP fallback); hookctl builds its
// input, bounds its time, refuses keys nsupdate would silently ignore, and checks
// the outcome with a plain UDP query of its own (no fork, no dig).
#include "dns.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

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

constexpr std::uint16_t qtype_of(DnsType t) { return t == DnsType::a ? 1 : 28; }

bool name_chars_ok(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isalnum(c) || c == '.' || c == '-' || c == '_';
    });
}

bool address_chars_ok(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](unsigned char c) {
        return std::isxdigit(c) || c == ':' || c == '.';
    });
}

std::string lower(std::string s) {
    for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

bool contains(const std::string& hay, const char* needle) { return hay.find(needle) != std::string::npos; }

// The last few non-empty lines of a program's output, on one line.
std::string output_tail(const std::string& output, std::size_t max_lines = 3, std::size_t max_chars = 400) {
    std::vector<std::string> lines;
    std::istringstream in(output);
    for (std::string l; std::getline(in, l);) {
        while (!l.empty() && std::isspace(static_cast<unsigned char>(l.back()))) l.pop_back();
        if (!l.empty()) lines.push_back(l);
    }
    if (lines.size() > max_lines) lines.erase(lines.begin(), lines.end() - static_cast<long>(max_lines));
    std::string out;
    for (const auto& l : lines) out += (out.empty() ? "" : " | ") + l;
    if (out.size() > max_chars) out = "..." + out.substr(out.size() - max_chars);
    return out;
}

std::string server_id(const DnsRecordObject& r) { return fmt::format("{}#{}", r.server, r.port); }

// nsupdate could not talk to the server at all (as opposed to being answered "no").
bool communication_failed(const ProcessResult& r) {
    return r.timed_out || contains(r.output, "Communication with") || contains(r.output, "timed out") ||
           contains(r.output, "connection refused") || contains(r.output, "unreachable");
}

ActionResult failed(std::string message) { return {ActionResult::Status::failed, std::move(message)}; }

// The script file nsupdate reads: created with O_EXCL and mode 0600 by mkstemp
// (whatever the umask), removed when this goes out of scope.
class ScriptFile {
public:
    ScriptFile(const std::string& dir, const std::string& content) {
        std::string tmpl = dir + "/hookctl-nsupdate-XXXXXX";
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        const int fd = ::mkostemp(buf.data(), O_CLOEXEC);
        if (fd < 0) {
            error_ = fmt::format("cannot create the nsupdate script in {}: {}", dir, std::strerror(errno));
            return;
        }
        path_ = buf.data();
        ::fchmod(fd, 0600);
        std::size_t done = 0;
        while (done < content.size()) {
            const ssize_t n = ::write(fd, content.data() + done, content.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) {
                error_ = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
                break;
            }
            done += static_cast<std::size_t>(n);
        }
        if (::close(fd) != 0 && error_.empty()) error_ = fmt::format("cannot write {}: {}", path_, std::strerror(errno));
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

class Fd {
public:
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) ::close(fd_);
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }

private:
    int fd_;
};

std::uint32_t ms_until(Deadline d) {
    if (d == Deadline::max()) return UINT32_MAX;
    const auto now = Clock::now();
    if (d <= now) return 0;
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(d - now).count();
    return ms > UINT32_MAX ? UINT32_MAX : static_cast<std::uint32_t>(ms);
}

}  // namespace

// ---- nsupdate input -------------------------------------------------------------

std::string nsupdate_script(const DnsRecordObject& r, bool remove) {
    // Defence in depth: these came through parse_domain_name/parse_address, but one
    // stray newline or ';' would turn a value into another nsupdate command.
    if (!name_chars_ok(r.zone)) throw Error(fmt::format("dns: zone '{}' is not a plain domain name", escape_for_display(r.zone)));
    if (!name_chars_ok(r.name)) throw Error(fmt::format("dns: name '{}' is not a plain domain name", escape_for_display(r.name)));
    if (!address_chars_ok(r.server)) throw Error(fmt::format("dns: server '{}' is not an address", escape_for_display(r.server)));
    const std::string name = lower(r.name), zone = lower(r.zone);
    if (name != zone && !(name.size() > zone.size() && name.ends_with("." + zone)))
        throw Error(fmt::format("dns: {} is not inside zone {}", r.name, r.zone));
    const std::string type = to_string(r.type);
    std::string s = fmt::format("server {} {}\nzone {}.\nupdate delete {}. {}\n", r.server, r.port, r.zone, r.name, type);
    if (!remove) {
        if (r.value.is_v4() != (r.type == DnsType::a))
            throw Error(fmt::format("dns: {} {} cannot hold {}", r.name, type, r.value.to_string()));
        const std::string value = r.value.to_string();
        if (!address_chars_ok(value)) throw Error("dns: bad address text " + escape_for_display(value));
        s += fmt::format("update add {}. {} {} {}\n", r.name, r.ttl, type, value);
    }
    s += "send\n";
    return s;
}

// nsupdate's timing (contracts §4, measured against named 9.18): over UDP it waits
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
    for (auto [flag, value] : {std::pair{"-t", t.total_s}, {"-u", t.udp_timeout_s}, {"-r", t.udp_retries}}) {
        argv.push_back(flag);
        argv.push_back(std::to_string(value));
    }
    argv.push_back(script_file);
    return argv;
}

bool nsupdate_lost_key(const std::string& output) { return contains(output, "could not read key"); }

std::string explain_nsupdate_failure(const ProcessResult& r, const DnsRecordObject& record) {
    const std::string server = server_id(record);
    std::string why;
    if (!r.error.empty()) {
        why = fmt::format("nsupdate could not be started ({}); it is in Debian's bind9-dnsutils package", r.error);
    } else if (r.timed_out) {
        why = fmt::format("no answer from {}: nsupdate killed after {} ms (server down or unreachable)", server,
                          r.elapsed_ms);
    } else if (nsupdate_lost_key(r.output)) {
        why = fmt::format("nsupdate could not read the key from {}, so the update was unsigned", record.key_file);
    } else if (r.exit_code == 1) {
        why = "nsupdate rejected its input (exit 1)";
    } else if (r.exit_code == 2) {
        if (contains(r.output, "BADSIG") || contains(r.output, "BADKEY") || contains(r.output, "BADTIME") ||
            contains(r.output, "TSIG error"))
            why = fmt::format("{} rejected the TSIG signature (exit 2): wrong key name, secret or algorithm in {}, "
                              "or the clocks differ by more than 5 minutes",
                              server, record.key_file);
        else if (contains(r.output, "REFUSED"))
            why = fmt::format("{} refused the update (exit 2): its update-policy does not let this key change {}, "
                              "or the update was not signed",
                              server, record.name);
        else if (contains(r.output, "NOTAUTH") || contains(r.output, "NOTZONE"))
            why = fmt::format("{} is not the primary for zone {} (exit 2)", server, record.zone);
        else if (contains(r.output, "timed out"))
            why = fmt::format("no answer from {} (exit 2): server down or unreachable", server);
        else if (contains(r.output, "connection refused"))
            why = fmt::format("nothing answers DNS on {} (exit 2, connection refused): server down", server);
        else if (communication_failed(r))
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
    if (!S_ISREG(st.st_mode)) return fmt::format("TSIG key file {} is not a regular file; nothing was sent", file);
    const unsigned mode = st.st_mode & 07777;
    const bool bad_owner = st.st_uid != required_uid;
    const bool bad_mode = (mode & 0066) != 0;
    if (bad_owner || bad_mode) {
        std::string fix;
        if (bad_owner) fix = fmt::format("chown {} {}", required_uid == 0 ? "root" : std::to_string(required_uid), file);
        if (bad_mode) fix += fmt::format("{}chmod 600 {}", fix.empty() ? "" : " && ", file);
        return fmt::format("TSIG key file {} is mode {:04o} owned by {}: a key must be owned by {} and not "
                           "readable or writable by group or others; fix: {}; nothing was sent",
                           file, mode, st.st_uid == 0 ? "root" : fmt::format("uid {}", st.st_uid), owner_word, fix);
    }
    std::ifstream in(file, std::ios::binary);
    if (!in) return fmt::format("TSIG key file {}: cannot read it: {}; nothing was sent", file, std::strerror(errno));
    std::string text(64 * 1024, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<std::size_t>(in.gcount()));
    const bool private_file = file.ends_with(".private");
    const bool looks_like_key = private_file ? contains(text, "Key:") : (contains(text, "key") && contains(text, "secret"));
    if (!looks_like_key)
        return fmt::format("TSIG key file {} does not look like a key (expected {}); nsupdate would send the update "
                           "unsigned; nothing was sent",
                           file, private_file ? "a 'Key:' line" : "a key \"NAME\" { algorithm ...; secret \"...\"; }; "
                                                                  "statement as tsig-keygen prints it");
    return std::nullopt;
}

// ---- DNS wire format ------------------------------------------------------------

std::vector<std::uint8_t> build_query(std::uint16_t id, const std::string& name, DnsType type) {
    std::vector<std::uint8_t> p{static_cast<std::uint8_t>(id >> 8), static_cast<std::uint8_t>(id & 0xff),
                                0x00, 0x00,   // QR=0 opcode QUERY, RD=0: we ask the authoritative server
                                0x00, 0x01,   // QDCOUNT
                                0x00, 0x00, 0x00, 0x00, 0x00, 0x00};
    if (name.empty() || name.size() > 253 || !name_chars_ok(name))
        throw Error(fmt::format("dns query: bad name '{}'", escape_for_display(name)));
    std::size_t start = 0;
    while (start <= name.size()) {
        const std::size_t dot = std::min(name.find('.', start), name.size());
        const std::size_t len = dot - start;
        if (len == 0 || len > 63) throw Error(fmt::format("dns query: bad label in '{}'", name));
        p.push_back(static_cast<std::uint8_t>(len));
        p.insert(p.end(), name.begin() + static_cast<long>(start), name.begin() + static_cast<long>(dot));
        start = dot + 1;
    }
    p.push_back(0);
    const std::uint16_t qtype = qtype_of(type);
    p.insert(p.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype & 0xff), 0x00, 0x01});
    return p;
}

namespace {

struct Reader {
    const std::vector<std::uint8_t>& p;
    std::size_t pos = 0;

    void need(std::size_t n) const {
        if (pos + n > p.size()) throw Error("dns answer: truncated packet");
    }
    std::uint16_t u16() {
        need(2);
        const std::uint16_t v = static_cast<std::uint16_t>(p[pos] << 8 | p[pos + 1]);
        pos += 2;
        return v;
    }
    std::uint32_t u32() {
        const std::uint32_t hi = u16();
        return hi << 16 | u16();
    }
    // A name, following compression pointers (RFC 1035 4.1.4); lower-case, no
    // trailing dot. Pointers must point backwards, which also rules out loops.
    std::string name() {
        std::string out;
        std::size_t at = pos;
        bool jumped = false;
        std::size_t wire_length = 0;
        for (;;) {
            if (at >= p.size()) throw Error("dns answer: truncated name");
            const std::uint8_t len = p[at];
            if (len == 0) {
                if (!jumped) pos = at + 1;
                return out;
            }
            if ((len & 0xc0) == 0xc0) {
                if (at + 1 >= p.size()) throw Error("dns answer: truncated name");
                const std::size_t target = static_cast<std::size_t>((len & 0x3f) << 8 | p[at + 1]);
                if (target >= at) throw Error("dns answer: compression pointer does not point backwards");
                if (!jumped) pos = at + 2;
                jumped = true;
                at = target;
                continue;
            }
            if (len & 0xc0) throw Error("dns answer: unknown label type");
            if (at + 1 + len > p.size()) throw Error("dns answer: truncated label");
            wire_length += len + 1u;
            if (wire_length > 255) throw Error("dns answer: name longer than 255 bytes");
            if (!out.empty()) out += '.';
            for (std::size_t i = 0; i < len; ++i)
                out += static_cast<char>(std::tolower(p[at + 1 + i]));
            at += 1 + len;
        }
    }
};

}  // namespace

DnsAnswer parse_answer(const std::vector<std::uint8_t>& packet, std::uint16_t id, const std::string& name,
                       DnsType type) {
    Reader r{packet};
    if (r.u16() != id) throw Error("dns answer: other id");
    const std::uint16_t flags = r.u16();
    if (!(flags & 0x8000)) throw Error("dns answer: not a response");
    if (((flags >> 11) & 0xf) != 0) throw Error("dns answer: not a QUERY response");
    DnsAnswer a;
    a.authoritative = flags & 0x0400;
    a.truncated = flags & 0x0200;
    a.rcode = static_cast<std::uint8_t>(flags & 0xf);
    const std::uint16_t qd = r.u16(), an = r.u16();
    r.u16();  // NSCOUNT
    r.u16();  // ARCOUNT
    const std::string want = lower(name);
    const std::uint16_t qtype = qtype_of(type);
    if (qd != 1) throw Error("dns answer: not one question");
    if (r.name() != want || r.u16() != qtype || r.u16() != 1) throw Error("dns answer: other question");
    for (std::uint16_t i = 0; i < an; ++i) {
        const std::string owner = r.name();
        const std::uint16_t rtype = r.u16(), rclass = r.u16();
        r.u32();  // TTL
        const std::uint16_t rdlength = r.u16();
        r.need(rdlength);
        if (owner == want && rtype == qtype && rclass == 1) {
            IpAddress addr;
            addr.family = type == DnsType::a ? Family::v4 : Family::v6;
            const std::size_t size = type == DnsType::a ? 4 : 16;
            if (rdlength != size) throw Error(fmt::format("dns answer: {} rdata of {} bytes", to_string(type), rdlength));
            std::copy_n(packet.begin() + static_cast<long>(r.pos), size, addr.bytes.begin());
            a.addresses.push_back(addr);
        }
        r.pos += rdlength;
    }
    std::sort(a.addresses.begin(), a.addresses.end());
    return a;
}

std::string describe(const DnsAnswer& a, DnsType type) {
    static const char* rcodes[] = {"NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED"};
    std::string out;
    if (a.rcode != 0) out = a.rcode < 6 ? rcodes[a.rcode] : fmt::format("RCODE {}", a.rcode);
    else if (a.addresses.empty()) out = fmt::format("no {} record", to_string(type));
    for (const auto& x : a.addresses) out += (out.empty() ? "" : ", ") + x.to_string();
    if (!a.authoritative && a.rcode == 0) out += " (not authoritative)";
    if (a.truncated) out += " (truncated)";
    return out;
}

DnsQuerier::Result UdpDnsQuerier::query(const IpAddress& server, std::uint16_t port, const std::string& name,
                                        DnsType type, std::uint32_t timeout_ms) {
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
    Fd fd(::socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0));
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
            res.answer = parse_answer(std::vector<std::uint8_t>(buf.begin(), buf.begin() + got), id, name, type);
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
    for (const auto& z : config.dns) o.timeout_ms[zone_id(z.server, z.port, z.zone.str())] = z.timeout_ms;
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
        if (auto problem = key_file_problem(record.key_file, options_.key_owner)) return failed(*problem);
    std::string script;
    IpAddress server;
    try {
        script = nsupdate_script(record, remove);
        server = parse_address(record.server, "dns server");
    } catch (const Error& e) {
        return failed(e.what());
    }
    const std::string sid = server_id(record);
    if (unreachable_.count(sid))
        return failed(fmt::format("not sent: {} did not answer an update earlier in this run", sid));
    auto it = options_.timeout_ms.find(zone_id(record.server, record.port, record.zone));
    const NsupdateTiming timing = nsupdate_timing(it != options_.timeout_ms.end() ? it->second : 3000);

    // 2. One UPDATE message: delete the rrset, add the new value.
    ScriptFile file(options_.temp_dir, script);
    if (!file.error().empty()) return failed(file.error());
    Command command;
    command.argv = nsupdate_argv(options_.nsupdate, record, timing, file.path());
    command.timeout_ms = timing.kill_after_ms;
    const ProcessResult r = runner_.run(command, options_.deadline);
    if (!r.ok() || nsupdate_lost_key(r.output)) {
        if (communication_failed(r)) unreachable_.insert(sid);
        return failed(explain_nsupdate_failure(r, record));
    }

    // 3. The server must now answer what we sent.
    std::string sent = fmt::format("nsupdate {} ms", r.elapsed_ms);
    return confirm(record, remove, timing, sent);
}

ActionResult DnsUpdater::confirm(const DnsRecordObject& record, bool remove, const NsupdateTiming& timing,
                                 const std::string& sent) {
    const IpAddress server = parse_address(record.server, "dns server");
    DnsQuerier::Result q;
    for (std::uint32_t i = 0; i < timing.query_tries && !q.answer; ++i) {
        const std::uint32_t left = ms_until(options_.deadline);
        if (left == 0) break;
        q = querier_.query(server, record.port, record.name, record.type, std::min(left, timing.query_timeout_ms));
    }
    const std::string sid = server_id(record);
    if (!q.answer)
        return failed(fmt::format("update sent ({}) but {} did not answer the check query for {} {}: {}", sent, sid,
                                  record.name, to_string(record.type), q.error.empty() ? "deadline reached" : q.error));
    const DnsAnswer& a = *q.answer;
    const bool gone = (a.rcode == 0 || a.rcode == 3) && a.addresses.empty();
    const bool exact = a.rcode == 0 && a.addresses.size() == 1 && a.addresses.front() == record.value;
    if (a.authoritative && !a.truncated && (remove ? gone : exact))
        return {ActionResult::Status::done,
                fmt::format("{}; {} confirms {} {} {}", sent, sid, record.name, to_string(record.type),
                            remove ? "gone" : record.value.to_string())};
    return failed(fmt::format("update sent ({}) but {} answers {} for {} {} (expected {})", sent, sid,
                              describe(a, record.type), record.name, to_string(record.type),
                              remove ? "none" : record.value.to_string()));
}

// ---- status ---------------------------------------------------------------------

std::string to_string(DnsRecordStatus::State s) {
    switch (s) {
    case DnsRecordStatus::State::confirmed: return "confirmed";
    case DnsRecordStatus::State::pending: return "pending";
    case DnsRecordStatus::State::failed: return "failed";
    case DnsRecordStatus::State::held: return "held";
    }
    return "?";
}

std::vector<DnsRecordStatus> dns_status(const std::vector<OwnedObject>& desired,
                                        const std::vector<std::string>& held_keys,
                                        const std::vector<OwnedObject>& applied, const Json& journal) {
    struct LastAction {
        std::string op;
        DnsRecordObject object;
        std::string result;
        std::string message;
    };
    std::map<std::string, LastAction> last;
    if (journal.is_array())
        for (const auto& entry : journal) {
            if (!entry.is_object() || !entry.contains("actions") || !entry["actions"].is_array()) continue;
            for (const auto& act : entry["actions"]) {
                if (!act.is_object() || !act.contains("object") || !act.contains("result")) continue;
                try {
                    const Object o = object_from_json(act["object"]);
                    if (!std::holds_alternative<DnsRecordObject>(o)) continue;
                    last[key_of(o)] = {act.value("op", ""), std::get<DnsRecordObject>(o), act.value("result", ""),
                                       act.value("message", "")};
                } catch (const std::exception&) {
                    // An entry from an older or damaged journal: it only colours the status.
                }
            }
        }
    std::map<std::string, const DnsRecordObject*> applied_by_key;
    for (const auto& a : applied)
        if (const auto* d = std::get_if<DnsRecordObject>(&a.object)) applied_by_key[key_of(a.object)] = d;
    const std::set<std::string> held(held_keys.begin(), held_keys.end());

    std::vector<DnsRecordStatus> out;
    std::set<std::string> seen;
    auto base = [](const DnsRecordObject& d) {
        DnsRecordStatus s;
        s.name = d.name;
        s.type = d.type;
        s.server = server_id(d);
        return s;
    };
    auto failure = [&](const std::string& key, bool removal, const DnsRecordObject* want) -> const LastAction* {
        auto it = last.find(key);
        if (it == last.end() || it->second.result != "failed") return nullptr;
        if (removal != (it->second.op == "remove")) return nullptr;
        if (want && !(it->second.object == *want)) return nullptr;
        return &it->second;
    };
    for (const auto& o : desired) {
        const auto* d = std::get_if<DnsRecordObject>(&o.object);
        if (!d) continue;
        const std::string key = key_of(o.object);
        seen.insert(key);
        DnsRecordStatus s = base(*d);
        s.desired = d->value;
        auto ap = applied_by_key.find(key);
        if (ap != applied_by_key.end()) s.confirmed = ap->second->value;
        if (ap != applied_by_key.end() && *ap->second == *d) {
            s.state = DnsRecordStatus::State::confirmed;
        } else if (const LastAction* f = failure(key, false, d)) {
            s.state = DnsRecordStatus::State::failed;
            s.message = f->message;
        }
        out.push_back(std::move(s));
    }
    for (const auto& a : applied) {
        const auto* d = std::get_if<DnsRecordObject>(&a.object);
        if (!d) continue;
        const std::string key = key_of(a.object);
        if (!seen.insert(key).second) continue;
        DnsRecordStatus s = base(*d);
        s.confirmed = d->value;
        if (held.count(key)) {
            s.state = DnsRecordStatus::State::held;
        } else if (const LastAction* f = failure(key, true, nullptr)) {
            s.state = DnsRecordStatus::State::failed;
            s.message = f->message;
        }
        out.push_back(std::move(s));
    }
    return out;
}

std::string format_dns_status(const std::vector<DnsRecordStatus>& records) {
    std::string out;
    for (const auto& s : records) {
        std::string desired = s.desired ? s.desired->to_string()
                                        : (s.state == DnsRecordStatus::State::held ? "unknown (fact missing; kept)"
                                                                                   : "none (to be removed)");
        out += fmt::format("  {} {} @{}: desired {}, confirmed {}: {}{}\n", s.name, to_string(s.type), s.server,
                           desired, s.confirmed ? s.confirmed->to_string() : "none", to_string(s.state),
                           s.message.empty() ? "" : "\n      " + s.message);
    }
    return out;
}

Json to_json(const DnsRecordStatus& s) {
    Json j{{"name", s.name}, {"type", to_string(s.type)}, {"server", s.server}};
    j["desired"] = s.desired ? Json(s.desired->to_string()) : Json(nullptr);
    j["confirmed"] = s.confirmed ? Json(s.confirmed->to_string()) : Json(nullptr);
    j["state"] = to_string(s.state);
    if (!s.message.empty()) j["message"] = s.message;
    return j;
}

}  // namespace hookctl
