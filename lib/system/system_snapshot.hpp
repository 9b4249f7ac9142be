// What `hookctl doctor` reads of a router, gathered once and then only looked at:
// the forwarding and accept_ra sysctls of every interface, links, addresses, rules
// and routes over rtnetlink, the firewall as its own tools print it, and the text of
// the daemons' config files. read_system_snapshot() is the only part that touches
// the system, and it only reads (files opened O_RDONLY, netlink dumps, the key
// files stat()ed but never opened, programs that print); the checks are pure
// functions of a SystemSnapshot, so unit tests build one by hand.
#pragma once

#include "config.hpp"
#include "netlink_codec.hpp"
#include "process.hpp"

#include <sys/types.h>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace hookctl {

// One file as read, for parsers that report "path:line".
struct TextFile {
    std::string path;
    std::string text;
};

// A file's metadata (the TSIG keys: never their content).
struct FileStat {
    std::string path;
    bool exists = false;
    std::uint32_t mode = 0;  // permission bits (07777)
    uid_t uid = 0;
    gid_t gid = 0;
    bool regular = false;
    std::string error;  // stat failed for another reason than ENOENT
};

// The output of a program that prints part of the system's state.
struct ProbeOutput {
    enum class Status {
        ok,       // ran, exit 0: `text` is its output
        absent,   // the program or the kernel subsystem is not there: nothing to read
        skipped,  // not tried: needs root (`note` says why)
        failed,   // ran and failed (`note` has its status and output)
    };
    Status status = Status::absent;
    std::string command;  // "nft -j list ruleset"
    std::string text;
    std::string note;
};

struct SystemSnapshot {
    std::string proc_sys = "/proc/sys";  // for evidence: "/proc/sys/net/ipv6/conf/wan0/forwarding"
    // "net.ipv6.conf.<if>.<leaf>" and "net.ipv4.conf.<if>.forwarding" for every
    // interface directory including "all" and "default"; leaves read: forwarding,
    // accept_ra (IPv6).
    std::map<std::string, std::string> sysctls;

    bool kernel_read = false;  // the dumps below are complete
    std::string kernel_error;  // why not
    std::vector<netlink::KernelLink> links;
    std::vector<netlink::KernelAddressMessage> addresses;
    std::vector<netlink::KernelRule> rules;    // both families, kernel order
    std::vector<netlink::KernelRoute> routes;  // both families, every table

    ProbeOutput nftables;          // nft -j list ruleset
    ProbeOutput ip6tables_legacy;  // ip6tables-legacy-save

    std::optional<TextFile> radvd_conf;
    std::vector<TextFile> dnsmasq;  // dnsmasq.conf, then dnsmasq.d/* in name order
    std::optional<TextFile> kea_dhcp6;
    std::optional<TextFile> dhcpcd_conf;
    std::vector<TextFile> ppp;        // ppp/options, then ppp/peers/* in name order
    TableNames rt_tables;             // builtins + iproute2's files
    std::vector<FileStat> key_files;  // the TSIG keys the hookctl config names

    bool as_root = false;                 // effective uid 0
    std::vector<std::string> unreadable;  // "path: Permission denied": files that exist

    // Helpers for the checks.
    std::optional<std::string> sysctl(const std::string& key) const;
    const netlink::KernelLink* link(const std::string& name) const;
    const netlink::KernelLink* link(unsigned index) const;
};

// Where read_system_snapshot looks. `root` ("" = "/") is put in front of the
// distribution paths (etc/radvd.conf, etc/dnsmasq.conf, etc/dnsmasq.d,
// etc/kea/kea-dhcp6.conf, etc/dhcpcd.conf, etc/ppp/options, etc/ppp/peers,
// iproute2's rt_tables): tests stage files there. /proc/sys and the kernel are
// always the running system's (of the network namespace it runs in).
struct SnapshotRequest {
    std::string root;
    std::string proc_sys = "/proc/sys";
    // "" = the distribution path under `root`; set: that file only (for dnsmasq, no
    // conf-dir then). The CLI passes the hookctl config's radvd.file as radvd_conf.
    std::string radvd_conf;      // <root>/etc/radvd.conf
    std::string dnsmasq_conf;    // <root>/etc/dnsmasq.conf and <root>/etc/dnsmasq.d/*
    std::string kea_dhcp6_conf;  // <root>/etc/kea/kea-dhcp6.conf
    std::string dhcpcd_conf;     // <root>/etc/dhcpcd.conf
    std::vector<std::string> key_files;
    std::string path = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    std::uint32_t command_timeout_ms = 3000;
};

// `runner` runs nft and ip6tables-legacy-save (only when they can have something to
// say: nf_tables loaded, legacy ip6tables tables present, and as root). Never throws:
// what cannot be read is recorded in the snapshot.
SystemSnapshot read_system_snapshot(const SnapshotRequest& request, ProcessRunner& runner);

}  // namespace hookctl
