// hookctl doctor: reads the system once (read_system_snapshot: only reads), runs the
// pure checks of lib/doctor over it and hookctl's config, prints one finding per
// problem. Exit 1 when any finding is an error, else 0. docs/doctor.md.
#include "checks.hpp"
#include "cli.hpp"
#include "file_io.hpp"
#include "live.hpp"
#include "system_snapshot.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <iostream>

namespace hookctl::cli {

int cmd_doctor(Context& ctx) {
    SnapshotRequest request;
    bool live = false;
    po::options_description d("doctor options");
    d.add_options()("root", po::value(&request.root),
                    "read the daemons' config files and rt_tables under DIR instead of /")(
        "radvd-conf", po::value(&request.radvd_conf),
        "radvd's config (default: the config's radvd.file, else /etc/radvd.conf)")(
        "dnsmasq-conf", po::value(&request.dnsmasq_conf),
        "dnsmasq's config, read alone (default: /etc/dnsmasq.conf and /etc/dnsmasq.d/*)")(
        "kea-conf", po::value(&request.kea_dhcp6_conf),
        "kea's DHCPv6 config (default: /etc/kea/kea-dhcp6.conf)")(
        "dhcpcd-conf", po::value(&request.dhcpcd_conf),
        "dhcpcd's config (default: /etc/dhcpcd.conf)")(
        "live", po::bool_switch(&live),
        "instead: compare what hookctl applied (state.json) with the kernel, the files, DNS "
        "and radvd's answer to a router solicitation");
    parse_args(ctx, ctx.rest, d);

    DoctorInput in;
    in.config_path = ctx.globals.config;
    std::optional<Config> config;
    try {
        if (!read_file_if_exists(ctx.globals.config))
            in.config_absent = true;
        else
            config = load(ctx);
    } catch (const Error& e) {
        in.config_error = e.what();
    }
    if (config) {
        in.config = &*config;
        request.path = config->settings.path;
        if (config->radvd && request.radvd_conf.empty()) request.radvd_conf = config->radvd->file;
        for (const auto& zone : config->dns)
            if (!zone.key_file.empty()) request.key_files.push_back(zone.key_file);
    }
    // nft prints the whole ruleset: more than the runner keeps of a hook command.
    constexpr std::size_t ruleset_limit = std::size_t{16} * 1024 * 1024;
    SystemProcessRunner runner(request.path, std::chrono::milliseconds(200), ruleset_limit);
    const SystemSnapshot snapshot = read_system_snapshot(request, runner);
    in.system = &snapshot;

    std::vector<Finding> findings;
    std::size_t checks = doctor_checks().size();
    if (!live) {
        findings = run_checks(in);
    } else if (!config) {
        findings = check_config(in, Roles{});
        if (in.config_absent) findings.front().severity = Severity::error;
    } else {
        auto report = live_checks({&*config, &snapshot, ctx.globals.state_dir});
        findings = std::move(report.findings);
        checks = report.checks;
        std::stable_sort(findings.begin(), findings.end(),
                         [](const auto& a, const auto& b) { return a.severity > b.severity; });
    }
    const auto counts = count(findings);
    if (ctx.globals.json) {
        Json list = Json::array();
        for (const auto& f : findings) list.push_back(to_json(f));
        std::cout << Json{{"findings", list},
                          {"errors", counts.errors},
                          {"warnings", counts.warnings},
                          {"infos", counts.infos},
                          {"checks", checks},
                          {"live", live},
                          {"as_root", snapshot.as_root}}
                         .dump(2)
                  << "\n";
    } else {
        for (const auto& f : findings) std::cout << format_finding(f);
        std::cout << fmt::format("doctor{}: {} checks, {} errors, {} warnings, {} infos{}\n",
                                 live ? " --live" : "", checks, counts.errors, counts.warnings,
                                 counts.infos, snapshot.as_root ? "" : " (not root)");
    }
    return counts.errors > 0 ? 1 : 0;
}

}  // namespace hookctl::cli
