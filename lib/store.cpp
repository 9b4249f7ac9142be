// State directory I/O: atomic replace, flock, JSON facts and applied objects.
#include "store.hpp"

#include "error.hpp"
#include "json_io.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

namespace hookctl {

namespace {

std::string errno_text() { return std::strerror(errno); }

void write_all(int fd, const std::string& content, const std::string& path) {
    const char* p = content.data();
    std::size_t left = content.size();
    while (left > 0) {
        ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            throw Error(fmt::format("{}: write failed: {}", path, errno_text()));
        }
        p += n;
        left -= static_cast<std::size_t>(n);
    }
}

std::string dir_of(const std::string& path) {
    auto slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    return slash == 0 ? "/" : path.substr(0, slash);
}

}  // namespace

void write_file_atomic(const std::string& path, const std::string& content, unsigned mode, bool durable) {
    const std::string tmp = fmt::format("{}.tmp.{}", path, ::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) throw Error(fmt::format("{}: cannot create: {}", tmp, errno_text()));
    try {
        write_all(fd, content, tmp);
        if (::fchmod(fd, mode) != 0) throw Error(fmt::format("{}: chmod failed: {}", tmp, errno_text()));
        if (durable && ::fsync(fd) != 0) throw Error(fmt::format("{}: fsync failed: {}", tmp, errno_text()));
    } catch (...) {
        ::close(fd);
        ::unlink(tmp.c_str());
        throw;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const std::string why = errno_text();
        ::unlink(tmp.c_str());
        throw Error(fmt::format("{}: cannot replace: {}", path, why));
    }
    if (durable) {
        int dfd = ::open(dir_of(path).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd >= 0) {
            ::fsync(dfd);
            ::close(dfd);
        }
    }
}

std::optional<std::string> read_file_if_exists(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return std::nullopt;
        throw Error(fmt::format("{}: cannot open: {}", path, errno_text()));
    }
    std::string out;
    char buf[65536];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            ::close(fd);
            throw Error(fmt::format("{}: read failed: {}", path, errno_text()));
        }
        if (n == 0) break;
        out.append(buf, static_cast<std::size_t>(n));
    }
    ::close(fd);
    return out;
}

StateLock& StateLock::operator=(StateLock&& o) noexcept {
    if (this != &o) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = o.fd_;
        o.fd_ = -1;
    }
    return *this;
}

StateLock::~StateLock() {
    if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

void StateDir::ensure_exists() const {
    for (const std::string& d : {path_, path_ + "/journal"}) {
        if (::mkdir(d.c_str(), 0755) != 0 && errno != EEXIST)
            throw Error(fmt::format("{}: cannot create state directory: {} (use --state-dir to choose another)", d,
                                    errno_text()));
    }
}

StateLock StateDir::lock() {
    ensure_exists();
    const std::string p = path_ + "/lock";
    int fd = ::open(p.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) throw Error(fmt::format("{}: cannot open lock file: {}", p, errno_text()));
    while (::flock(fd, LOCK_EX) != 0) {
        if (errno == EINTR) continue;
        const std::string why = errno_text();
        ::close(fd);
        throw Error(fmt::format("{}: flock failed: {}", p, why));
    }
    return StateLock(fd);
}

namespace {

Json parse_json_file(const std::string& path, const std::string& text) {
    try {
        return Json::parse(text);
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: not valid JSON ({}); move it away to start from empty state", path, e.what()));
    }
}

}  // namespace

Facts StateDir::load_facts() const {
    const std::string p = path_ + "/facts.json";
    auto text = read_file_if_exists(p);
    facts_text_ = text;
    if (!text) return {};
    try {
        return facts_from_json(parse_json_file(p, *text));
    } catch (const Error& e) {
        throw Error(fmt::format("{}: {}", p, e.what()));
    }
}

void StateDir::save_facts(const Facts& f) const {
    std::string text = to_json(f).dump(2) + "\n";
    if (facts_text_ && *facts_text_ == text) return;
    write_file_atomic(path_ + "/facts.json", text, 0644, durable_);
    facts_text_ = std::move(text);
}

std::vector<OwnedObject> StateDir::load_applied() const {
    const std::string p = path_ + "/applied.json";
    auto text = read_file_if_exists(p);
    applied_text_ = text;
    if (!text) return {};
    std::vector<OwnedObject> out;
    try {
        const Json doc = parse_json_file(p, *text);  // named: the loop must not outlive it
        for (const auto& j : doc.at("objects")) out.push_back(owned_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: {}", p, e.what()));
    }
    return out;
}

void StateDir::save_applied(const std::vector<OwnedObject>& applied) const {
    Json a = Json::array();
    for (const auto& o : applied) a.push_back(to_json(o));
    std::string text = Json{{"objects", a}}.dump(2) + "\n";
    if (applied_text_ && *applied_text_ == text) return;
    write_file_atomic(path_ + "/applied.json", text, 0644, durable_);
    applied_text_ = std::move(text);
}

std::vector<ServiceAction> StateDir::load_pending_reloads() const {
    const std::string p = path_ + "/pending-reloads.json";
    auto text = read_file_if_exists(p);
    pending_text_ = text;
    std::vector<ServiceAction> out;
    if (!text) return out;
    try {
        const Json doc = parse_json_file(p, *text);
        for (const auto& j : doc.at("reloads")) out.push_back(service_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}: {}", p, e.what()));
    }
    return out;
}

void StateDir::save_pending_reloads(const std::vector<ServiceAction>& pending) const {
    const std::string p = path_ + "/pending-reloads.json";
    if (pending.empty()) {
        if (pending_text_) ::unlink(p.c_str());
        pending_text_.reset();
        return;
    }
    Json a = Json::array();
    for (const auto& s : pending) a.push_back(to_json(s));
    std::string text = Json{{"reloads", a}}.dump(2) + "\n";
    if (pending_text_ && *pending_text_ == text) return;
    write_file_atomic(p, text, 0644, durable_);
    pending_text_ = std::move(text);
}

}  // namespace hookctl
