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
# shellcheck source=tests/netns/doctor_lib.sh
. "$(dirname "$0")/../tests/netns/doctor_lib.sh"
doctor_clean_router "$WORK" || { echo "staging the clean router failed" >&2; exit 1; }

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
