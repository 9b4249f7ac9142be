// desired(): the objects hookctl should own now, from config + facts. Every rule,
// route, sysctl, file and DNS record is computed here and nowhere else, so the plan
// (applied vs desired) is the only place that decides what changes.
#include "desired.hpp"

#include "radvd.hpp"
#include "resolve.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>

namespace hookctl {

namespace {

// The interface names whose facts an expression reads, for the plan's "why".
void add_dependency(std::vector<std::string>& deps, const Config& c, const std::string& owner) {
    std::string ifname;
    if (const auto* u = c.find_uplink(owner)) ifname = u->interface.str();
    if (const auto* l = c.find_lan(owner)) {
        if (const auto* u = c.find_uplink(l->prefix_from)) ifname = u->interface.str();
    }
    if (!ifname.empty() && std::find(deps.begin(), deps.end(), ifname) == deps.end())
        deps.push_back(ifname);
}

std::optional<std::uint32_t> resolve_table(const TableRef& t, const TableNames& names) {
    if (t.id) return t.id;
    auto it = names.find(t.name);
    if (it == names.end()) return std::nullopt;
    return it->second;
}

std::string origin_of(const std::string& what, const SourceLocation& where) {
    return fmt::format("{} {}", where.to_string(), what);
}

class Builder {
public:
    Builder(const Config& c, const Facts& f, const TableNames& t, Timestamp now)
        : config_(c), facts_(f), tables_(t), now_(now) {}

    DesiredState build() {
        sysctls();
        rules();
        routes();
        radvd();
        files();
        dns();
        return std::move(out_);
    }

private:
    void add(Object o, std::string origin, std::vector<std::string> deps) {
        out_.objects.push_back(OwnedObject{std::move(o), std::move(origin), std::move(deps)});
    }

    void sysctl_set(const InterfaceName& ifname, const Sysctls& s, bool v4, bool v6,
                    const std::string& origin) {
        for (const auto& [k, v] : s.ipv4)
            if (v4)
                add(SysctlObject{fmt::format("net.ipv4.conf.{}.{}", ifname.str(), k), v}, origin,
                    {ifname.str()});
        for (const auto& [k, v] : s.ipv6)
            if (v6)
                add(SysctlObject{fmt::format("net.ipv6.conf.{}.{}", ifname.str(), k), v}, origin,
                    {ifname.str()});
    }

    void sysctls() {
        for (const auto& [name, u] : config_.uplinks)
            sysctl_set(u.interface, u.sysctl, uplink_is_up(u, facts_, Family::v4),
                       uplink_is_up(u, facts_, Family::v6),
                       origin_of("[uplink." + name + "] sysctl", u.where));
        // A LAN interface is static: its sysctls are always desired.
        for (const auto& [name, l] : config_.lans)
            sysctl_set(l.interface, l.sysctl, true, true,
                       origin_of("[lan." + name + "] sysctl", l.where));
    }

    // nullopt: some fact is unknown now, or the value cannot be derived from it (a
    // subnet that does not fit the delegated prefix, a token that does not fit an
    // RA prefix); the entry contributes nothing. Only the second is a problem: it
    // is reported, and everything else still applies.
    std::optional<ResolvedValue> value(const ValueExpr& e, std::vector<std::string>& deps,
                                       const std::string& origin) {
        if (e.field != ValueExpr::Field::none) add_dependency(deps, config_, e.owner);
        try {
            return resolve(e, config_, facts_);
        } catch (const Error& err) {
            problem(origin, err.what());
            return std::nullopt;
        }
    }

    void problem(const std::string& origin, const std::string& why) {
        const std::string text = fmt::format("{}: left out: {}", origin, why);
        if (std::find(out_.problems.begin(), out_.problems.end(), text) == out_.problems.end())
            out_.problems.push_back(text);
    }

    // A selector that came out as a /0 would match every packet: never installed.
    bool narrow(const IpPrefix& p, const ValueExpr& e, const std::string& origin) {
        if (p.length > 0 || e.field == ValueExpr::Field::none) return true;
        problem(origin,
                fmt::format("'{}' is {}, which would match everything", e.text, p.to_string()));
        return false;
    }

    bool while_ok(const std::string& while_up, std::optional<Family> fam,
                  std::vector<std::string>& deps) {
        if (while_up.empty()) return true;
        const UplinkConfig* u = config_.find_uplink(while_up);
        if (!u) return false;
        add_dependency(deps, config_, while_up);
        return uplink_is_up(*u, facts_, fam);
    }

    void rules() {
        for (const auto& r : config_.rules) {
            const std::string origin = origin_of("[[rule]]", r.where);
            auto table = resolve_table(r.table, tables_);
            if (r.action == RuleAction::lookup && !table) {
                out_.warnings.push_back(
                    fmt::format("{}: table '{}' is not in rt_tables; rule skipped",
                                r.where.to_string(), r.table.to_string()));
                continue;
            }
            // from × to; an empty side is "all".
            std::vector<std::optional<ValueExpr>> froms, tos;
            for (const auto& e : r.from) froms.push_back(e);
            for (const auto& e : r.to) tos.push_back(e);
            if (froms.empty()) froms.push_back(std::nullopt);
            if (tos.empty()) tos.push_back(std::nullopt);
            for (const auto& fe : froms)
                for (const auto& te : tos) rule_one(r, origin, table.value_or(0), fe, te);
        }
    }

    void rule_one(const RuleConfig& r, const std::string& origin, std::uint32_t table,
                  const std::optional<ValueExpr>& fe, const std::optional<ValueExpr>& te) {
        std::vector<std::string> deps;
        RuleObject o;
        std::optional<Family> fam = r.family;
        if (fe) {
            auto v = value(*fe, deps, origin);
            if (!v || !narrow(as_prefix(*v), *fe, origin)) return;
            o.from = as_prefix(*v);
            fam = o.from->family();
        }
        if (te) {
            auto v = value(*te, deps, origin);
            if (!v || !narrow(as_prefix(*v), *te, origin)) return;
            o.to = as_prefix(*v);
            if (fam && *fam != o.to->family()) {
                out_.warnings.push_back(
                    fmt::format("{}: from {} and to {} are of different families; rule skipped",
                                r.where.to_string(), o.from->to_string(), o.to->to_string()));
                return;
            }
            fam = o.to->family();
        }
        if (!fam) fam = Family::v4;
        if (!while_ok(r.while_up, fam, deps)) return;
        o.family = *fam;
        o.priority = r.priority.value_or(config_.settings.rule_priority);
        o.iif = r.iif;
        o.oif = r.oif;
        o.fwmark = r.fwmark;
        o.fwmask = r.fwmask;
        o.action = r.action;
        o.table = r.action == RuleAction::lookup ? table : 0;
        add(o, origin, deps);
    }

    void routes() {
        for (const auto& r : config_.routes) {
            std::vector<std::string> deps;
            const std::string origin = origin_of("[[route]]", r.where);
            auto table = resolve_table(r.table, tables_);
            if (!table) {
                out_.warnings.push_back(
                    fmt::format("{}: table '{}' is not in rt_tables; route skipped",
                                r.where.to_string(), r.table.to_string()));
                continue;
            }
            auto dst = value(r.to, deps, origin);
            if (!dst || !narrow(as_prefix(*dst), r.to, origin)) continue;
            RouteObject o;
            o.destination = as_prefix(*dst);
            if (r.via) {
                auto via = value(*r.via, deps, origin);
                if (!via) continue;
                o.via = as_address(*via);
            }
            if (!while_ok(r.while_up, o.destination.family(), deps)) continue;
            o.dev = r.dev;
            o.table = *table;
            o.metric = r.metric.value_or(0);
            o.type = r.type;
            add(o, origin, deps);
        }
    }

    void radvd() {
        if (!config_.radvd) return;
        const RadvdConfig& rc = *config_.radvd;
        std::vector<RadvdInterfaceInput> inputs;
        std::vector<std::string> deps;
        for (const auto& ic : rc.interfaces) {
            const LanConfig* lan = config_.find_lan(ic.lan);
            if (!lan) continue;
            add_dependency(deps, config_, ic.lan);
            RadvdInterfaceInput in;
            in.interface = lan->interface;
            in.config = &ic;
            try {
                if (auto p = lan_prefix(*lan, config_, facts_)) in.current.push_back(*p);
            } catch (const Error& err) {
                problem(origin_of("[radvd]", rc.where), err.what());
            }
            if (auto it = facts_.retired.find(ic.lan); it != facts_.retired.end())
                for (const auto& rp : it->second)
                    if (rp.since + static_cast<Timestamp>(ic.deprecate_old_seconds) > now_ &&
                        std::find(in.current.begin(), in.current.end(), rp.prefix) ==
                            in.current.end())
                        in.deprecated.push_back(rp.prefix);
            for (const auto& e : ic.rdnss) {
                auto v = value(e, deps, origin_of("[radvd]", rc.where));
                if (v) in.rdnss.push_back(as_address(*v));
            }
            inputs.push_back(std::move(in));
        }
        // radvd rejects a file without an interface block; keep the last one instead.
        if (inputs.empty()) return;
        FileObject f;
        f.path = rc.file;
        f.content = render_radvd_conf(inputs);
        f.mode = 0644;
        f.validate = rc.validate;
        f.on_change = rc.reload;
        add(f, origin_of("[radvd]", rc.where), deps);
    }

    void files() {
        for (const auto& fc : config_.files) {
            std::vector<std::string> deps;
            std::string text = owned_marker("#") + "\n";
            bool complete = true;
            for (const auto& part : fc.content) {
                text += part.literal;
                if (!part.expr) continue;
                auto v = value(*part.expr, deps, origin_of("[[file]] " + fc.path, fc.where));
                if (!v) {
                    complete = false;
                    break;
                }
                text += to_string(*v);
            }
            FileObject f;
            f.path = fc.path;
            if (!complete) {
                out_.held_keys.push_back(key_of(Object{f}));
                continue;
            }
            f.content = std::move(text);
            f.mode = fc.mode;
            f.owner = fc.owner;
            f.group = fc.group;
            f.validate = fc.validate;
            f.on_change = fc.on_change;
            add(f, origin_of("[[file]] " + fc.path, fc.where), deps);
        }
    }

    void dns() {
        for (const auto& z : config_.dns) {
            for (const auto& r : z.records) {
                std::vector<std::string> deps;
                DnsRecordObject o;
                o.server = z.server;
                o.port = z.port;
                o.key_file = z.key_file;
                o.zone = z.zone.str();
                o.name =
                    (r.name == "@" || r.name.empty()) ? z.zone.str() : r.name + "." + z.zone.str();
                o.type = r.type;
                o.ttl = r.ttl.value_or(z.ttl);
                auto v = value(r.value, deps,
                               origin_of("[[dns]] " + o.name + " " + to_string(o.type), r.where));
                if (!v) {
                    o.value = IpAddress{};
                    out_.held_keys.push_back(key_of(Object{o}));
                    continue;
                }
                o.value = as_address(*v);
                add(o, origin_of("[[dns]] " + o.name + " " + to_string(o.type), r.where), deps);
            }
        }
    }

    const Config& config_;
    const Facts& facts_;
    const TableNames& tables_;
    Timestamp now_;
    DesiredState out_;
};

}  // namespace

Facts retire_prefixes(const Config& config, const Facts& before, Facts after, Timestamp now) {
    for (const auto& entry : config.lans) {
        const std::string& name = entry.first;
        const LanConfig& lan = entry.second;
        // A prefix that cannot be derived is no current prefix (desired() says why).
        auto derivable = [&](const Facts& f) -> std::optional<IpPrefix> {
            try {
                return lan_prefix(lan, config, f);
            } catch (const Error&) {
                return std::nullopt;
            }
        };
        auto old_prefix = derivable(before);
        auto new_prefix = derivable(after);
        auto& list = after.retired[name];
        if (old_prefix && old_prefix != new_prefix) {
            auto same = [&](const RetiredPrefix& r) { return r.prefix == *old_prefix; };
            list.erase(std::remove_if(list.begin(), list.end(), same), list.end());
            list.push_back(RetiredPrefix{*old_prefix, now});
        }
        if (new_prefix) {
            auto same = [&](const RetiredPrefix& r) { return r.prefix == *new_prefix; };
            list.erase(std::remove_if(list.begin(), list.end(), same), list.end());
        }
        std::uint32_t window = default_deprecate_old_seconds;
        if (config.radvd)
            for (const auto& ic : config.radvd->interfaces)
                if (ic.lan == name) window = ic.deprecate_old_seconds;
        auto expired = [&](const RetiredPrefix& r) {
            return r.since + static_cast<Timestamp>(window) <= now;
        };
        list.erase(std::remove_if(list.begin(), list.end(), expired), list.end());
        if (list.empty()) after.retired.erase(name);
    }
    // Lans that left the config leave nothing behind.
    for (auto it = after.retired.begin(); it != after.retired.end();)
        it = config.lans.count(it->first) ? std::next(it) : after.retired.erase(it);
    return after;
}

DesiredState desired(const Config& config, const Facts& facts, const TableNames& tables,
                     Timestamp now) {
    return Builder(config, facts, tables, now).build();
}

std::vector<Action> event_triggers(const Config& config, const Event& event) {
    std::vector<Action> out;
    auto add_from = [&](const EventCommands& on, const std::string& origin) {
        auto it = on.find(event.name);
        if (it == on.end()) return;
        for (const auto& cmd : it->second) {
            Action a;
            a.op = Action::Op::run;
            a.command = cmd;
            a.origin = origin;
            a.why = fmt::format("event {} on {}", event.name, event.interface.str());
            out.push_back(std::move(a));
        }
    };
    for (const auto& [name, u] : config.uplinks)
        if (u.interface == event.interface)
            add_from(u.on, origin_of("[uplink." + name + "] on." + event.name, u.where));
    return out;
}

}  // namespace hookctl
