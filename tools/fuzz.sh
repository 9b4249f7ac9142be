#!/bin/bash
# Runs one libFuzzer target for a while from seeds made of the project's own inputs
# (the dhcpcd captures, pppd argv, the example configs, state and journal files
# hookctl writes while replaying the captures), and reports its executions.
#   bash tools/fuzz.sh FUZZER NAME [SECONDS]   (HOOKCTL_FUZZ_SECONDS, default 30)
# A crash fails the run and leaves the input in tests/fuzz/regressions/NAME/, so it
# becomes a regression input (committed, it runs in every build's unit suite).
set -uo pipefail
cd "$(dirname "$0")/.."
fuzzer=$1 name=$2 seconds=${3:-${HOOKCTL_FUZZ_SECONDS:-30}}
work=$(mktemp -d /tmp/hookctl-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
corpus=$work/corpus
mkdir -p "$corpus"
case $name in
dhcpcd)
    cp tests/data/dhcpcd/*/*.env "$corpus"/ 2>/dev/null
    n=0; for f in tests/data/dhcpcd/*/*.env; do cp "$f" "$corpus/$((n++)).env"; done
    ;;
ppp)
    printf '\x00ppp0\neth0\n0\n198.51.100.7\n203.0.113.1\n\nIFNAME=ppp0\nDNS1=192.0.2.53\n' >"$corpus/ip-up"
    printf '\x02ppp0\neth0\n0\nfe80::1\nfe80::2\nLLLOCAL=fe80::1\n' >"$corpus/ipv6-up"
    printf '\x01IFNAME=ppp0\nIPLOCAL=198.51.100.7\nPPP_IFACE=ppp0\n' >"$corpus/ip-down-env"
    ;;
kernel)
    printf '\x00link ext up lower-up\naddr ext 2001:db8:a::dead:b0a1/64 mngtmpaddr preferred 3600 valid 7200\naddr ext 192.0.2.7/24 permanent preferred forever valid forever\nlink wan0 absent\n' >"$corpus/watch"
    printf '\x01IFACE=ext\nSTATE=routable\nlink ext up no-carrier\n' >"$corpus/networkd"
    printf '\x02argv ext\nargv dhcp6-change\nlink ext down\n' >"$corpus/nm"
    ;;
config | toml_plain)
    cp examples/*.toml "$corpus"/
    ;;
state)
    hookctl=${HOOKCTL:-build/cli/hookctl}
    cp examples/lab.toml "$work/lab.toml"
    sed -i "s#/etc/radvd.conf#$work/radvd.conf#; s#/run/radvd.pid#$work/radvd.pid#" "$work/lab.toml"
    chmod 600 "$work/lab.toml"
    for f in tests/data/dhcpcd/a-initial-start/*.env tests/data/dhcpcd/c1-prefix-change-rebind/*.env; do
        mapfile -t vars < <(grep -v '^#' "$f")
        env -i "${vars[@]}" "$hookctl" --config "$work/lab.toml" --state-dir "$work/state" --simulate dhcpcd >/dev/null 2>&1
    done
    cp "$work/state/state.json" "$corpus/state.json" 2>/dev/null
    n=0; while IFS= read -r line; do printf '%s\n' "$line" >"$corpus/journal-$((n++))"; done < <(cat "$work"/state/journal/*.jsonl)
    ;;
esac
echo "# fuzz_$name: $(ls "$corpus" | wc -l) seeds, $seconds s"
"$fuzzer" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=1024 -artifact_prefix="$work/" \
    -print_final_stats=1 "$corpus" >"$work/log" 2>&1
rc=$?
runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
echo "# fuzz_$name: ${runs:-?} executions, exit $rc"
if [ $rc -ne 0 ]; then
    tail -40 "$work/log"
    mkdir -p "tests/fuzz/regressions/$name"
    for a in "$work"/crash-* "$work"/timeout-* "$work"/leak-* "$work"/oom-*; do
        [ -e "$a" ] && cp "$a" "tests/fuzz/regressions/$name/" && echo "kept $(basename "$a") in tests/fuzz/regressions/$name/"
    done
    echo "# 0 passed, 1 failed"
    exit 1
fi
echo "# 1 passed, 0 failed"
