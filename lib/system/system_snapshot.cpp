// read_system_snapshot: /proc/sys, four rtnetlink dumps on one socket, the firewall
// tools, the daemons' config files. Only reads; see system_snapshot.hpp.
#include "system_snapshot.hpp"

#include "file_io.hpp"
#include "netlink_socket.hpp"
#include "rt_tables.hpp"

#include <fmt/format.h>

#include <dirent.h>
#include <linux/rtnetlink.h>
#include <sys/stat.h>
#include <unistd.h>
#include <algorithm>
#include <cstring>

namespace hookctl {

std::optional<std::string> SystemSnapshot::sysctl(const std::string& key) const {
    auto it = sysctls.find(key);
    if (it == sysctls.end()) return std::nullopt;
    return it->second;
}

const netlink::KernelLink* SystemSnapshot::link(const std::string& name) const {
    for (const auto& l : links)
        if (l.name == name) return &l;
    return nullptr;
}

const netlink::KernelLink* SystemSnapshot::link(unsigned index) const {
    for (const auto& l : links)
        if (l.index == index) return &l;
    return nullptr;
}

namespace {

bool exists(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0;
}

// Names in `dir` (no "." entries), sorted; empty when it does not exist.
std::vector<std::string> list_dir(const std::string& dir) {
    std::vector<std::string> names;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return names;
    while (const dirent* e = ::readdir(d))
        if (e->d_name[0] != '.') names.emplace_back(e->d_name);
    ::closedir(d);
    std::sort(names.begin(), names.end());
    return names;
}

// The file, or nullopt when it does not exist; a file that exists but cannot be
// read is noted in `unreadable`.
std::optional<TextFile> read_text(const std::string& path, std::vector<std::string>& unreadable) {
    try {
        if (auto text = read_file_if_exists(path)) return TextFile{path, std::move(*text)};
    } catch (const Error& e) {
        unreadable.push_back(e.what());
    }
    return std::nullopt;
}

std::string trimmed(std::string s) {
    while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
    return s;
}

void read_sysctls(const std::string& proc_sys, SystemSnapshot& s) {
    struct Family {
        const char* dir;
        const char* prefix;
        std::vector<const char*> leaves;
    };
    const Family families[] = {{"net/ipv4/conf", "net.ipv4.conf.", {"forwarding"}},
                               {"net/ipv6/conf", "net.ipv6.conf.", {"forwarding", "accept_ra"}}};
    for (const auto& f : families) {
        const std::string dir = proc_sys + "/" + f.dir;
        for (const auto& ifname : list_dir(dir))
            for (const char* leaf : f.leaves) {
                const std::string path = fmt::format("{}/{}/{}", dir, ifname, leaf);
                try {
                    if (auto v = read_file_if_exists(path))
                        s.sysctls[f.prefix + ifname + "." + leaf] = trimmed(*v);
                } catch (const Error& e) {
                    s.unreadable.push_back(e.what());
                }
            }
    }
}

// Links, addresses, rules and routes: one socket, six dumps.
void read_kernel(SystemSnapshot& s) {
    netlink::Socket socket;
    netlink::Reply reply;
    auto dump = [&](netlink::Message request, const char* what, auto&& on_message,
                    auto&& on_restart) {
        if (const int e = socket.transact(request, on_message, reply, on_restart); e != 0)
            throw Error(fmt::format("rtnetlink: dump {}: {}", what, std::strerror(e)));
    };
    dump(
        netlink::link_dump_request(), "links",
        [&](const nlmsghdr* m) {
            if (auto l = netlink::parse_link(m)) s.links.push_back(std::move(*l));
        },
        [&] { s.links.clear(); });
    dump(
        netlink::address_dump_request(), "addresses",
        [&](const nlmsghdr* m) {
            if (auto a = netlink::parse_address(m)) s.addresses.push_back(*a);
        },
        [&] { s.addresses.clear(); });
    auto interface_name = [&](unsigned index) -> std::optional<InterfaceName> {
        const auto* l = s.link(index);
        if (!l) return std::nullopt;
        try {
            return parse_interface_name(l->name, "kernel interface name");
        } catch (const Error&) {
            return std::nullopt;
        }
    };
    for (Family family : {Family::v4, Family::v6}) {
        std::vector<netlink::KernelRule> rules;
        dump(
            netlink::dump_request(RTM_GETRULE, family), "rules",
            [&](const nlmsghdr* m) {
                if (auto k = netlink::parse_rule(m)) rules.push_back(std::move(*k));
            },
            [&] { rules.clear(); });
        s.rules.insert(s.rules.end(), rules.begin(), rules.end());
        std::vector<netlink::KernelRoute> routes;
        dump(
            netlink::dump_request(RTM_GETROUTE, family), "routes",
            [&](const nlmsghdr* m) {
                if (auto k = netlink::parse_route(m, interface_name))
                    routes.push_back(std::move(*k));
            },
            [&] { routes.clear(); });
        s.routes.insert(s.routes.end(), routes.begin(), routes.end());
    }
    s.kernel_read = true;
}

ProbeOutput run_probe(ProcessRunner& runner, std::vector<std::string> argv,
                      const SnapshotRequest& request) {
    ProbeOutput p;
    p.command = format_argv(argv);
    if (SystemProcessRunner::resolve(argv[0], request.path).empty()) {
        p.status = ProbeOutput::Status::absent;
        p.note = fmt::format("{} is not installed (not on PATH {})", argv[0], request.path);
        return p;
    }
    Command command{std::move(argv), request.command_timeout_ms};
    const ProcessResult r = runner.run(command, Deadline::max());
    if (!r.ok() || r.output_truncated) {
        p.status = ProbeOutput::Status::failed;
        p.note = r.output_truncated ? "output too long" : describe(r);
        if (!r.output.empty()) p.note += ": " + trimmed(r.output.substr(0, 300));
        return p;
    }
    p.status = ProbeOutput::Status::ok;
    p.text = r.output;
    return p;
}

// nftables: only where nf_tables is in the kernel already (built in, or its module
// loaded): asking nft otherwise makes the kernel load the module, a change.
ProbeOutput read_nftables(ProcessRunner& runner, const SnapshotRequest& request, bool as_root) {
    const bool loaded = !exists("/proc/modules") || exists("/sys/module/nf_tables");
    if (!loaded) {
        ProbeOutput p;
        p.command = "nft -j list ruleset";
        p.note = "nf_tables is not loaded: there is no nftables ruleset";
        return p;
    }
    if (!as_root) {
        ProbeOutput p;
        p.command = "nft -j list ruleset";
        p.status = ProbeOutput::Status::skipped;
        p.note = "reading the nftables ruleset needs root (CAP_NET_ADMIN)";
        return p;
    }
    return run_probe(runner, {"nft", "-j", "list", "ruleset"}, request);
}

// Legacy ip6tables: /proc/net/ip6_tables_names lists the tables of this network
// namespace, without loading anything; none listed, nothing to read.
ProbeOutput read_ip6tables_legacy(ProcessRunner& runner, const SnapshotRequest& request,
                                  bool as_root, std::vector<std::string>& unreadable) {
    ProbeOutput p;
    p.command = "ip6tables-legacy-save";
    std::optional<std::string> names;
    try {
        names = read_file_if_exists("/proc/net/ip6_tables_names");
    } catch (const Error& e) {
        if (!as_root) {
            p.status = ProbeOutput::Status::skipped;
            p.note = "reading legacy ip6tables needs root";
            return p;
        }
        unreadable.push_back(e.what());
    }
    if (!names || trimmed(*names).empty()) {
        p.note = "no legacy ip6tables tables in this network namespace";
        return p;
    }
    if (!as_root) {
        p.status = ProbeOutput::Status::skipped;
        p.note = "reading legacy ip6tables needs root";
        return p;
    }
    return run_probe(runner, {"ip6tables-legacy-save"}, request);
}

}  // namespace

SystemSnapshot read_system_snapshot(const SnapshotRequest& request, ProcessRunner& runner) {
    SystemSnapshot s;
    s.proc_sys = request.proc_sys;
    s.as_root = ::geteuid() == 0;
    read_sysctls(request.proc_sys, s);
    try {
        read_kernel(s);
    } catch (const Error& e) {
        s.kernel_error = e.what();
    }
    s.nftables = read_nftables(runner, request, s.as_root);
    s.ip6tables_legacy = read_ip6tables_legacy(runner, request, s.as_root, s.unreadable);

    const std::string etc = request.root + "/etc";
    s.radvd_conf = read_text(request.radvd_conf.empty() ? etc + "/radvd.conf" : request.radvd_conf,
                             s.unreadable);
    if (!request.dnsmasq_conf.empty()) {
        if (auto f = read_text(request.dnsmasq_conf, s.unreadable)) s.dnsmasq.push_back(*f);
    } else {
        // Debian's dnsmasq reads /etc/dnsmasq.d (conf-dir with .dpkg-* excluded).
        if (auto f = read_text(etc + "/dnsmasq.conf", s.unreadable)) s.dnsmasq.push_back(*f);
        for (const auto& name : list_dir(etc + "/dnsmasq.d")) {
            if (name.find(".dpkg-") != std::string::npos || name.back() == '~') continue;
            if (auto f = read_text(fmt::format("{}/dnsmasq.d/{}", etc, name), s.unreadable))
                s.dnsmasq.push_back(*f);
        }
    }
    s.kea_dhcp6 = read_text(
        request.kea_dhcp6_conf.empty() ? etc + "/kea/kea-dhcp6.conf" : request.kea_dhcp6_conf,
        s.unreadable);
    s.dhcpcd_conf = read_text(
        request.dhcpcd_conf.empty() ? etc + "/dhcpcd.conf" : request.dhcpcd_conf, s.unreadable);
    if (auto f = read_text(etc + "/ppp/options", s.unreadable)) s.ppp.push_back(*f);
    for (const auto& name : list_dir(etc + "/ppp/peers"))
        if (auto f = read_text(fmt::format("{}/ppp/peers/{}", etc, name), s.unreadable))
            s.ppp.push_back(*f);
    s.rt_tables = read_table_names(request.root);

    for (const auto& path : request.key_files) {
        FileStat st;
        st.path = path;
        struct stat info {};
        if (::lstat(path.c_str(), &info) == 0) {
            st.exists = true;
            st.mode = info.st_mode & 07777;
            st.uid = info.st_uid;
            st.gid = info.st_gid;
            st.regular = S_ISREG(info.st_mode);
        } else if (errno != ENOENT) {
            st.error = fmt::format("{}: {}", path, std::strerror(errno));
        }
        s.key_files.push_back(std::move(st));
    }
    return s;
}

}  // namespace hookctl
