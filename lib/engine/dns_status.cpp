// DNS record status; see dns_status.hpp.
#include "dns_status.hpp"

#include <fmt/format.h>

#include <map>
#include <set>

namespace hookctl {

std::string to_string(DnsRecordStatus::State s) {
    switch (s) {
    case DnsRecordStatus::State::confirmed: return "confirmed";
    case DnsRecordStatus::State::pending: return "pending";
    case DnsRecordStatus::State::failed: return "failed";
    case DnsRecordStatus::State::held: return "held";
    }
    return "?";
}

namespace {

struct LastAction {
    std::string op;
    DnsRecordObject object;
    std::string result;
    std::string message;
};

// The newest journaled action per DNS record key.
std::map<std::string, LastAction> last_dns_actions(const Json& journal) {
    std::map<std::string, LastAction> last;
    if (!journal.is_array()) return last;
    for (const auto& entry : journal) {
        if (!entry.is_object() || !entry.contains("actions") || !entry["actions"].is_array())
            continue;
        for (const auto& act : entry["actions"]) {
            if (!act.is_object() || !act.contains("object") || !act.contains("result")) continue;
            try {
                const Object o = object_from_json(act["object"]);
                if (!std::holds_alternative<DnsRecordObject>(o)) continue;
                last[key_of(o)] = {act.value("op", ""), std::get<DnsRecordObject>(o),
                                   act.value("result", ""), act.value("message", "")};
            } catch (const std::exception&) {
                // An entry from an older or damaged journal: it only colours the status.
            }
        }
    }
    return last;
}

}  // namespace

std::vector<DnsRecordStatus> dns_status(const std::vector<OwnedObject>& desired,
                                        const std::vector<std::string>& held_keys,
                                        const std::vector<OwnedObject>& applied,
                                        const Json& journal) {
    const std::map<std::string, LastAction> last = last_dns_actions(journal);
    std::map<std::string, const DnsRecordObject*> applied_by_key;
    for (const auto& a : applied)
        if (const auto* d = std::get_if<DnsRecordObject>(&a.object))
            applied_by_key[key_of(a.object)] = d;
    const std::set<std::string> held(held_keys.begin(), held_keys.end());

    std::vector<DnsRecordStatus> out;
    std::set<std::string> seen;
    auto base = [](const DnsRecordObject& d) {
        DnsRecordStatus s;
        s.name = d.name;
        s.type = d.type;
        s.server = dns_server_id(d);
        return s;
    };
    auto failure = [&](const std::string& key, bool removal,
                       const DnsRecordObject* want) -> const LastAction* {
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
        std::string desired =
            s.desired ? s.desired->to_string()
                      : (s.state == DnsRecordStatus::State::held ? "unknown (fact missing; kept)"
                                                                 : "none (to be removed)");
        out +=
            fmt::format("  {} {} @{}: desired {}, confirmed {}: {}{}\n", s.name, to_string(s.type),
                        s.server, desired, s.confirmed ? s.confirmed->to_string() : "none",
                        to_string(s.state), s.message.empty() ? "" : "\n      " + s.message);
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
