#!/bin/bash
# Wall time of `hookctl doctor` on a clean router namespace: wan0 (veth) the IPv6
# uplink with accept_ra=2, lan0 a bridge, the default rules, an nftables input chain
# with policy drop that accepts UDP 546 (so nft runs and its JSON is walked), the
# daemons' config files and a 0600 key in a temp dir. Every run must give no finding
# (exit 0); the median and the slowest run are printed. Not a test (bench/README.md).
#
#   bench/doctor_bench.sh [-n RUNS] [BUILD_DIR]      (root; default 200 runs, build dir "build")
set -eu
. "$(dirname "$0")/lib.sh"

bench_args build "$@"
HK=${HOOKCTL:-$BUILD/cli/hookctl}

if [ "$(id -u)" != 0 ]; then echo "needs root (network namespaces)" >&2; exit 77; fi
[ -x "$HK" ] || { echo "no $HK; build it first: ninja -C $BUILD" >&2; exit 1; }
command -v nft >/dev/null || { echo "needs nft (nftables)" >&2; exit 77; }

export HOOKCTL=$HK
bench_in_netns hookctl-doctorbench wan0

# ---- inside the namespace ------------------------------------------------------
WORK=$(mktemp -d)
trap 'nft flush ruleset; rm -rf "$WORK"' EXIT
sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
ip link add lan0 type bridge
ip link set lan0 up
sysctl -qw net.ipv6.conf.all.forwarding=1 net.ipv4.ip_forward=1 net.ipv6.conf.wan0.accept_ra=2
ip addr add 192.0.2.2/24 dev wan0
ip route add default via 192.0.2.1 dev wan0
ip -6 addr add 2001:db8:ff::2/64 dev wan0 nodad
ip -6 route add default via fe80::1 dev wan0
ip -6 addr add 2001:db8:1::1/64 dev lan0 nodad
nft -f - <<'NFT'
table inet filter {
    chain input {
        type filter hook input priority filter; policy drop;
        ct state established,related accept
        iifname "lo" accept
        meta l4proto ipv6-icmp accept
        udp dport 546 accept
        tcp dport 22 accept
    }
}
NFT
mkdir -p "$WORK/root"
cat >"$WORK/hookctl.toml" <<TOML
[uplink.isp]
interface = "wan0"

[lan.home]
interface = "lan0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::1"

[tables]
isp = 100

[[rule]]
from = "isp.prefix"
table = "isp"

[[dns]]
server = "2001:db8:53::1"
key = "$WORK/ddns.key"
zone = "dyn.example.org"
records = [ { name = "router", aaaa = "home.address" } ]
TOML
printf 'interface lan0 {\n    AdvSendAdvert on;\n    AdvManagedFlag on;\n    prefix 2001:db8:1::/64 { };\n};\n' >"$WORK/radvd.conf"
cat >"$WORK/kea-dhcp6.conf" <<'KEA'
{ "Dhcp6": { "subnet6": [ { "subnet": "2001:db8:1::/64", "interface": "lan0",
  "pools": [ { "pool": "2001:db8:1::100-2001:db8:1::1ff" } ] } ] } }
KEA
: >"$WORK/dnsmasq.conf"
printf 'interface wan0\n  ia_pd 1 lan0/0/64/0x801\n' >"$WORK/dhcpcd.conf"
printf 'key "ddns" { algorithm hmac-sha256; secret "c2VjcmV0"; };\n' >"$WORK/ddns.key"
chmod 0600 "$WORK/ddns.key"

doctor=("$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" doctor
    --root "$WORK/root" --radvd-conf "$WORK/radvd.conf" --dnsmasq-conf "$WORK/dnsmasq.conf"
    --kea-conf "$WORK/kea-dhcp6.conf" --dhcpcd-conf "$WORK/dhcpcd.conf")
out=$("${doctor[@]}") || { echo "doctor is not clean here:"; echo "$out"; exit 1; }
[ "$out" = "doctor: 12 checks, 0 errors, 0 warnings, 0 infos" ] || { echo "not clean: $out"; exit 1; }

for _ in $(seq 1 "$N"); do
    t0=$EPOCHREALTIME
    "${doctor[@]}" >/dev/null || { echo "a run found something" >&2; exit 1; }
    t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./}))
done >"$WORK/wall"

echo "doctor_bench: $N runs on a clean router namespace, $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "hookctl doctor wall median: $(bench_ms "$(bench_median "$WORK/wall")") ms, slowest $(bench_ms "$(sort -n "$WORK/wall" | tail -1)") ms"
echo "of which nft -j list ruleset alone, median of 20:"
for _ in $(seq 1 20); do
    t0=$EPOCHREALTIME; nft -j list ruleset >/dev/null; t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./}))
done >"$WORK/nft"
echo "  $(bench_ms "$(bench_median "$WORK/nft")") ms"
bench_for_scale
