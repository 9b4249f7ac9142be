#!/bin/bash
# Per-event wall time of hookctl's system side (tests/netns_driver: SystemExecutor,
# netlink and /proc, no child processes) against a shell script doing the same
# with `echo > /proc/...` and `ip rule`, side by side in one throwaway network
# namespace. Small and reusable; the issue-3 benchmark on the real CLI comes later.
#
#   bench/netlink_bench.sh [-n ITERATIONS] [BUILD_DIR]     (root; default 200, build-netlink)
#
# Events: ipv6-up (4 sysctls, values alternate so every run writes), ip-up (2 rules
# added), ip-down (the 2 rules removed), prefix change (rule swap: del old, add new).
# Columns: median wall ms per event for a driver process and for the shell
# script, and the driver's in-process time (sum of ActionResult.elapsed_us).
set -eu
. "$(dirname "$0")/lib.sh"

bench_args build-netlink "$@"
DRIVER=$BUILD/tests/netns_driver

if [ "$(id -u)" != 0 ]; then echo "needs root (network namespaces)" >&2; exit 77; fi
[ -x "$DRIVER" ] || { echo "no $DRIVER; build it first: ninja -C $BUILD tests/netns_driver" >&2; exit 1; }

bench_in_netns hookctl-bench ppp0

# ---- inside the namespace ------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SYS=/proc/sys/net/ipv6/conf/ppp0

# Two value sets so each event really writes all four keys.
sysctl_batch() {  # $1 = 0 or 1
    local a=$1 b=$((1 - $1))
    printf 'sysctl net.ipv6.conf.ppp0.use_tempaddr %s\nsysctl net.ipv6.conf.ppp0.forwarding %s\n' "$a" "$b"
    printf 'sysctl net.ipv6.conf.ppp0.autoconf %s\nsysctl net.ipv6.conf.ppp0.accept_ra %s\n' "$a" "$a"
}
sysctl_shell() {
    local a=$1 b=$((1 - $1))
    echo "echo $a > $SYS/use_tempaddr; echo $b > $SYS/forwarding; echo $a > $SYS/autoconf; echo $a > $SYS/accept_ra"
}
rules_up_batch() {
    echo "add-rule to 198.51.100.10/32 priority 10000 table 199"
    echo "add-rule to 203.0.113.20/32 priority 10000 table 199"
}
rules_down_batch() { rules_up_batch | sed 's/^add-rule/del-rule/'; }
rules_up_shell() {
    echo "ip rule add to 198.51.100.10/32 priority 10000 table 199 protocol 212; ip rule add to 203.0.113.20/32 priority 10000 table 199 protocol 212"
}
rules_down_shell() { rules_up_shell | sed 's/rule add/rule del/g'; }
swap_batch() {  # $1 old index, $2 new index
    echo "del-rule from 2001:db8:$1::/64 priority 10001 table 199"
    echo "add-rule from 2001:db8:$2::/64 priority 10001 table 199"
}
swap_shell() {
    echo "ip -6 rule del from 2001:db8:$1::/64 priority 10001 table 199 protocol 212; ip -6 rule add from 2001:db8:$2::/64 priority 10001 table 199 protocol 212"
}

# time_us CMD... : wall time of one command in microseconds ($EPOCHREALTIME: no fork).
time_us() {
    local t0=$EPOCHREALTIME
    "$@" >"$WORK/out" 2>&1 || { echo "failed: $*" >&2; cat "$WORK/out" >&2; exit 1; }
    local t1=$EPOCHREALTIME
    echo $(( (${t1/./} - ${t0/./}) ))
}
# The driver's own per-event time: sum of the elapsed_us it printed per action.
inproc_us() { awk '{ sub(/us$/, "", $NF); s += $NF } END { print s }' "$WORK/out"; }

# A here-string, not a pipeline: one fork+exec per event, like `sh -c` below.
run_driver() { "$DRIVER" batch <<<"$1"; }

# event NAME DRIVER_INPUT SHELL_SCRIPT: one measured run of each, appended to files.
measure() {
    local name=$1 input=$2 script=$3
    time_us run_driver "$input" >>"$WORK/$name.driver"
    inproc_us >>"$WORK/$name.inproc"
    time_us sh -c "$script" >>"$WORK/$name.shell"
}

# The prefix rules the first swap replaces. The shell's rules carry protocol 212
# so they and ours (211) never collide.
"$DRIVER" add-rule from 2001:db8:0::/64 priority 10001 table 199 >/dev/null
ip -6 rule add from 2001:db8:0::/64 priority 10001 table 199 protocol 212

for i in $(seq 1 "$N"); do
    v=$((i % 2))
    measure ipv6-up "$(sysctl_batch "$v")" "$(sysctl_shell $((1 - v)))"
    measure ip-up "$(rules_up_batch)" "$(rules_up_shell)"
    measure ip-down "$(rules_down_batch)" "$(rules_down_shell)"
    old=$(printf '%x' $(((i - 1) % 4096))) new=$(printf '%x' $((i % 4096)))
    measure prefix-change "$(swap_batch "$old" "$new")" "$(swap_shell "$old" "$new")"
done

echo "netlink_bench: $N iterations per event, $(uname -r), median wall time per event"
printf '%-28s %14s %14s %18s\n' "event" "driver ms" "shell ms" "driver in-proc ms"
for e in ipv6-up ip-up ip-down prefix-change; do
    case $e in
        ipv6-up) label="ipv6-up (4 sysctls)" ;;
        ip-up) label="ip-up (2 rules)" ;;
        ip-down) label="ip-down (2 rules)" ;;
        prefix-change) label="prefix change (rule swap)" ;;
    esac
    printf '%-28s %14s %14s %18s\n' "$label" "$(bench_ms "$(bench_median "$WORK/$e.driver")")" \
        "$(bench_ms "$(bench_median "$WORK/$e.shell")")" "$(bench_ms "$(bench_median "$WORK/$e.inproc")")"
done
# iproute2 6.1 does not filter `ip rule show` by protocol: grep.
echo "left: $(ip rule show | grep -c 'proto 211') tagged IPv4 rules (expect 0)," \
    "$(ip -6 rule show | grep -c '^10001:') IPv6 prefix rules (expect 2: ours and the shell's)"
bench_for_scale
