#!/bin/bash
# The clean router `hookctl doctor` must find nothing wrong with, staged for real;
# sourced by tests/netns/doctor.sh and bench/doctor_bench.sh. Its files are
# tests/data/doctor/clean-router/ (the unit tests read the same hookctl.toml).

DOCTOR_CLEAN_ROUTER=$(cd "$(dirname "${BASH_SOURCE[0]}")/../data/doctor/clean-router" && pwd)

# doctor_clean_router DIR [NS]: in network namespace NS (default: this one), with
# wan0 already there (a veth: the IPv6 uplink), lan0 a new bridge, forwarding on,
# accept_ra=2 on wan0, the uplink's and LAN's addresses and default routes, and
# nftables.conf as the ruleset; in DIR the daemons' files and a 0600 key, the
# config's key path moved into DIR. Returns non-zero at the first step that fails.
doctor_clean_router() {
    local dir=$1 ns=${2:-}
    in_ns() { if [ -n "$ns" ]; then ip netns exec "$ns" "$@"; else "$@"; fi; }
    mkdir -p "$dir/root" || return 1
    in_ns sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 || return 1
    in_ns ip link add lan0 type bridge || return 1
    in_ns ip link set wan0 up && in_ns ip link set lan0 up || return 1
    in_ns sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 || return 1
    in_ns sysctl -qw net.ipv6.conf.wan0.accept_ra=2 || return 1
    in_ns ip addr add 192.0.2.2/24 dev wan0 &&
        in_ns ip route add default via 192.0.2.1 dev wan0 &&
        in_ns ip -6 addr add 2001:db8:ff::2/64 dev wan0 nodad &&
        in_ns ip -6 route add default via fe80::1 dev wan0 &&
        in_ns ip -6 addr add 2001:db8:1::1/64 dev lan0 nodad || return 1
    in_ns nft -f "$DOCTOR_CLEAN_ROUTER/nftables.conf" || return 1
    local f
    for f in radvd.conf kea-dhcp6.conf dnsmasq.conf dhcpcd.conf; do
        cp "$DOCTOR_CLEAN_ROUTER/$f" "$dir/$f" || return 1
    done
    sed "s#\"/etc/hookctl/ddns.key\"#\"$dir/ddns.key\"#" "$DOCTOR_CLEAN_ROUTER/hookctl.toml" \
        >"$dir/hookctl.toml" || return 1
    grep -qF "\"$dir/ddns.key\"" "$dir/hookctl.toml" || return 1
    install -m 0600 "$DOCTOR_CLEAN_ROUTER/ddns.key" "$dir/ddns.key"
}
