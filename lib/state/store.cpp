// State directory I/O: atomic replace, flock, JSON facts and applied objects.
#include "store.hpp"

#include "error.hpp"
#include "file_io.hpp"
#include "json_io.hpp"

#include <fmt/format.h>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

namespace hookctl {

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
        if (::mkdir(d.c_str(), 0755) == 0) {
            ::chmod(d.c_str(), 0755);  // mkdir's mode is cut by the umask (077 under pppd)
        } else if (errno != EEXIST) {
            throw Error(fmt::format(
                "{}: cannot create state directory: {} (use --state-dir to choose another)", d,
                errno_text()));
        }
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
        throw Error(fmt::format("{}: not valid JSON ({}); move it away to start from empty state",
                                path, e.what()));
    }
}

}  // namespace

// The document as on disk (empty object when there is none), parsed once per
// StateDir; load_* read their part of it.
const Json& StateDir::document() const {
    if (document_) return *document_;
    const std::string p = path_ + "/state.json";
    auto text = read_file_if_exists(p);
    text_ = text;
    document_ = text ? parse_json_file(p, *text) : Json::object();
    if (!document_->is_object())
        throw Error(
            fmt::format("{}: not a JSON object; move it away to start from empty state", p));
    return *document_;
}

Facts StateDir::load_facts() const {
    try {
        const Json& doc = document();
        return doc.contains("facts") ? facts_from_json(doc.at("facts")) : Facts{};
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: facts: {}", path_, e.what()));
    }
}

std::vector<OwnedObject> StateDir::load_applied() const {
    std::vector<OwnedObject> out;
    try {
        const Json& doc = document();
        if (doc.contains("applied"))
            for (const auto& j : doc.at("applied")) out.push_back(owned_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: applied: {}", path_, e.what()));
    }
    return out;
}

std::vector<ServiceAction> StateDir::load_pending_reloads() const {
    std::vector<ServiceAction> out;
    try {
        const Json& doc = document();
        if (doc.contains("pending-reloads"))
            for (const auto& j : doc.at("pending-reloads")) out.push_back(service_from_json(j));
    } catch (const std::exception& e) {
        throw Error(fmt::format("{}/state.json: pending-reloads: {}", path_, e.what()));
    }
    return out;
}

void StateDir::save(const Facts& facts, const std::vector<OwnedObject>& applied,
                    const std::vector<ServiceAction>& pending) const {
    Json a = Json::array(), r = Json::array();
    for (const auto& o : applied) a.push_back(to_json(o));
    for (const auto& x : pending) r.push_back(to_json(x));
    Json doc{{"facts", to_json(facts)}, {"applied", a}};
    if (!pending.empty()) doc["pending-reloads"] = r;
    std::string text = doc.dump(2) + "\n";
    if (text_ && *text_ == text) return;  // most events change nothing: no write at all
    write_file_atomic(path_ + "/state.json", text, 0644, durable_);
    text_ = std::move(text);
    document_ = std::move(doc);
}

}  // namespace hookctl
