// hookctl doctor --live; see live.hpp.
#include "live.hpp"

#include "daemon_configs.hpp"
#include "dns_updater.hpp"
#include "file_io.hpp"
#include "router_advert.hpp"
#include "store.hpp"
#include "system_executor.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>

namespace hookctl {

namespace {

constexpr std::uint32_t dns_timeout_ms = 3000;

std::vector<Finding> live_kernel(const Config& config, const std::vector<OwnedObject>& applied) {
    std::vector<Finding> out;
    auto ex =
        make_system_executor(config, std::chrono::steady_clock::now() + std::chrono::seconds(5));
    const std::vector<Object> present = ex->list_owned();
    std::vector<bool> accounted(present.size(), false);
    for (const auto& a : applied) {
        const bool rule = std::holds_alternative<RuleObject>(a.object);
        if (!rule && !std::holds_alternative<RouteObject>(a.object)) continue;
        bool found = false;
        for (std::size_t i = 0; i < present.size() && !found; ++i)
            if (!accounted[i] && ex->matches(a.object, present[i])) found = accounted[i] = true;
        if (found) continue;
        out.push_back({"live-kernel",
                       Severity::error,
                       describe(a.object),
                       fmt::format("an owned {} is not in the kernel", rule ? "rule" : "route"),
                       {"state.json applied: " + describe(a.object), "from " + a.origin,
                        fmt::format("kernel: no {} tagged protocol {} matches it",
                                    rule ? "rule" : "route", config.settings.route_protocol)},
                       "hookctl believes it is there, but something removed it (ip rule flush, "
                       "a network manager, a reboot): its traffic takes another path until the "
                       "next run repairs it",
                       "hookctl apply (it re-adds what is missing); find what removed it"});
    }
    return out;
}

// The first line where two texts differ, 1-based, for the evidence.
std::string first_difference(const std::string& disk, const std::string& rendered) {
    int line = 1;
    std::size_t i = 0;
    while (i < disk.size() && i < rendered.size() && disk[i] == rendered[i]) {
        if (disk[i] == '\n') ++line;
        ++i;
    }
    auto line_at = [&](const std::string& text) {
        const auto start = text.rfind('\n', i == 0 ? 0 : i - 1);
        const auto from = start == std::string::npos || i == 0 ? 0 : start + 1;
        return text.substr(from, text.find('\n', from) - from);
    };
    return fmt::format("line {}: on disk '{}', rendered '{}'", line, line_at(disk),
                       line_at(rendered));
}

std::vector<Finding> live_files(const std::vector<OwnedObject>& applied) {
    std::vector<Finding> out;
    for (const auto& a : applied) {
        const auto* file = std::get_if<FileObject>(&a.object);
        if (file == nullptr) continue;
        std::optional<std::string> disk;
        try {
            disk = read_file_if_exists(file->path);
        } catch (const Error& e) {
            out.push_back({"not-read",
                           Severity::info,
                           file->path,
                           "an owned file could not be read",
                           {e.what()},
                           "it could not be compared",
                           "run doctor --live as root"});
            continue;
        }
        if (disk && *disk == file->content) continue;
        out.push_back(
            {"live-file",
             Severity::error,
             file->path,
             disk ? "an owned file does not carry the bytes hookctl rendered"
                  : "an owned file is missing",
             {disk ? first_difference(*disk, file->content) : file->path + ": does not exist",
              "from " + a.origin},
             "the daemon reading it runs with other settings than hookctl applied "
             "(edited by hand, restored from a backup, written by another tool)",
             "hookctl apply rewrites it; to keep a hand edit, remove hookctl's marker "
             "line (the file is then the user's)"});
    }
    return out;
}

std::vector<Finding> live_dns(const std::vector<OwnedObject>& applied) {
    std::vector<Finding> out;
    UdpDnsQuerier querier;
    for (const auto& a : applied) {
        const auto* record = std::get_if<DnsRecordObject>(&a.object);
        if (record == nullptr) continue;
        const std::string subject = fmt::format("{} {}", record->name, to_string(record->type));
        const std::string asked = fmt::format("asked {} for {} {}", dns_server_id(*record),
                                              record->name, to_string(record->type));
        Finding f{"live-dns", Severity::error, subject, "", {asked}, "", ""};
        try {
            const auto server = parse_address(record->server, "dns server");
            const auto r =
                querier.query(server, record->port, record->name, record->type, dns_timeout_ms);
            if (!r.answer) {
                f.what = "the DNS server does not answer";
                f.evidence.push_back(r.error);
            } else if (r.answer->rcode != 0 ||
                       std::find(r.answer->addresses.begin(), r.answer->addresses.end(),
                                 record->value) == r.answer->addresses.end()) {
                std::vector<std::string> got;
                for (const auto& x : r.answer->addresses) got.push_back(x.to_string());
                f.what =
                    fmt::format("resolves to {} at its server, hookctl applied {}",
                                got.empty() ? "nothing" : fmt::format("{}", fmt::join(got, ", ")),
                                record->value.to_string());
                f.evidence.push_back(fmt::format(
                    "answer: rcode {}, {}", r.answer->rcode,
                    got.empty() ? "no records" : fmt::format("{}", fmt::join(got, " "))));
            } else {
                continue;
            }
        } catch (const Error& e) {
            f.what = "the DNS server could not be asked";
            f.evidence.push_back(e.what());
        }
        f.evidence.push_back("from " + a.origin);
        f.why =
            "names resolve to another address than hookctl set: changed by hand or by "
            "another updater, or the zone was reloaded from an old file";
        f.fix = "hookctl apply pushes the value again; find who else updates the name";
        out.push_back(std::move(f));
    }
    return out;
}

std::vector<IpAddress> link_locals(const SystemSnapshot& s, unsigned index) {
    std::vector<IpAddress> out;
    for (const auto& a : s.addresses) {
        const auto& ip = a.address.address.address;
        if (a.index == index && ip.is_v6() && ip.is_link_local()) out.push_back(ip);
    }
    return out;
}

std::string describe_advert(const RouterAdvert& ra) {
    std::vector<std::string> prefixes;
    for (const auto& p : ra.prefixes)
        prefixes.push_back(fmt::format("{} (preferred {}, valid {})", p.prefix.to_string(),
                                       p.preferred.seconds, p.valid.seconds));
    return fmt::format("advertisement from {}: M={} O={}, prefixes {}", ra.source.to_string(),
                       ra.managed ? 1 : 0, ra.other ? 1 : 0,
                       prefixes.empty() ? "none" : fmt::format("{}", fmt::join(prefixes, ", ")));
}

// One LAN block of the rendered radvd.conf against what a solicitation brings back.
void live_radvd_lan(const LiveRequest& request, const RadvdConf& conf, const TextFile& file,
                    const RadvdInterfaceBlock& block, std::vector<Finding>& out) {
    const auto where = cite(file.path, block.line, line_of(file.text, block.line));
    const auto* link = request.system->link(block.interface);
    const auto from = link ? link_locals(*request.system, link->index) : std::vector<IpAddress>{};
    if (from.empty()) {
        out.push_back({"live-radvd",
                       Severity::error,
                       block.interface,
                       "the LAN has no link-local address to advertise from",
                       {where},
                       "radvd cannot advertise on it",
                       "bring the LAN interface up"});
        return;
    }
    const auto result = solicit_router_adverts(block.interface, from, request.ra_wait,
                                               std::chrono::milliseconds(1000));
    if (!result.error.empty()) {
        out.push_back({"not-read",
                       Severity::info,
                       block.interface,
                       "could not send a router solicitation",
                       {result.error},
                       "radvd's announcement was not checked",
                       "run doctor --live as root"});
        return;
    }
    const auto ours =
        std::find_if(result.adverts.begin(), result.adverts.end(), [&](const auto& ra) {
            return std::find(from.begin(), from.end(), ra.source) != from.end();
        });
    if (ours == result.adverts.end()) {
        out.push_back(
            {"live-radvd",
             Severity::error,
             block.interface,
             "no router advertisement from this router answers a solicitation",
             {fmt::format("router solicitation to ff02::2 on {}: no advertisement from "
                          "{} within {} ms",
                          block.interface, from.front().to_string(), request.ra_wait.count()),
              where},
             "radvd is not running (or not on this interface): hosts on the LAN get "
             "no prefix and no default route",
             "systemctl restart radvd; radvd -c -C " + conf.path + " shows config errors"});
        return;
    }
    for (const auto& p : block.prefixes) {
        const bool carried = std::any_of(ours->prefixes.begin(), ours->prefixes.end(),
                                         [&](const auto& a) { return a.prefix == p.prefix; });
        if (carried) continue;
        out.push_back(
            {"live-radvd",
             Severity::error,
             block.interface,
             "the advertisement lacks the prefix " + p.prefix.to_string(),
             {cite(file.path, p.line, line_of(file.text, p.line)), describe_advert(*ours)},
             "radvd runs with an older config (the reload did not happen): hosts keep "
             "the old prefix",
             "reload radvd (systemctl reload radvd) so it reads " + file.path});
    }
    if (ours->managed != block.managed)
        out.push_back({"live-radvd",
                       Severity::error,
                       block.interface,
                       "the advertisement's Managed flag differs from the rendered radvd.conf",
                       {where, describe_advert(*ours)},
                       "radvd runs with an older config (the reload did not happen)",
                       "reload radvd so it reads " + file.path});
}

std::vector<Finding> live_radvd(const LiveRequest& request,
                                const std::vector<OwnedObject>& applied) {
    std::vector<Finding> out;
    if (!request.config->radvd) return out;
    for (const auto& a : applied) {
        const auto* file = std::get_if<FileObject>(&a.object);
        if (file == nullptr || file->path != request.config->radvd->file) continue;
        const TextFile text{file->path, file->content};
        const auto conf = parse_radvd_conf(text);
        for (const auto& block : conf.interfaces) live_radvd_lan(request, conf, text, block, out);
    }
    return out;
}

}  // namespace

LiveReport live_checks(const LiveRequest& request) {
    StateDir state(request.state_dir);
    const auto& applied = state.load_applied();
    LiveReport report;
    auto& out = report.findings;
    if (applied.empty())
        out.push_back({"not-read",
                       Severity::info,
                       request.state_dir + "/state.json",
                       "hookctl has applied nothing yet: nothing to compare",
                       {request.state_dir + "/state.json: no applied objects"},
                       "--live compares what hookctl applied with the system",
                       "run hookctl apply (or wait for the first event), or pass --state-dir"});
    auto kernel = [&] {
        try {
            return live_kernel(*request.config, applied);
        } catch (const Error& e) {
            return std::vector<Finding>{{"not-read",
                                         Severity::info,
                                         "rtnetlink",
                                         "owned rules and routes not compared",
                                         {e.what()},
                                         "the kernel could not be read",
                                         "run doctor --live as root"}};
        }
    };
    // The comparisons, in the order they report; the summary counts this table.
    const std::vector<std::function<std::vector<Finding>()>> comparisons{
        kernel,
        [&] { return live_files(applied); },
        [&] { return live_dns(applied); },
        [&] { return live_radvd(request, applied); },
    };
    for (const auto& compare : comparisons) {
        auto found = compare();
        out.insert(out.end(), std::make_move_iterator(found.begin()),
                   std::make_move_iterator(found.end()));
    }
    report.checks = comparisons.size();
    return report;
}

}  // namespace hookctl
