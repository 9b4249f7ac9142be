#!/bin/bash
# Per-event wall time of the real hookctl binary, run as pppd and dhcpcd run it,
# against the same change made the way users' hook scripts make it (`sh -c` with
# `echo N > /proc/sys/...` and `ip rule add/del`), side by side in one run, in a
# private network namespace. Not a test: it prints a table (bench/README.md).
#
#   bench/hook_bench.sh [-n RUNS] [BUILD_DIR]        (root; default 200 runs, build dir "build")
#   chrt -f 1 bench/hook_bench.sh ...                 (on a busy machine: see bench/README.md)
#
# Events (each run really changes something; the undo step before it is not timed):
#   ipv6-up        4 sysctls on ppp0 (use_tempaddr=1 forwarding=0 autoconf=1 accept_ra=1).
#                  Undo: ipv6-down, then the four set to the opposite values, as a
#                  freshly created ppp0 would have them differ.
#   ip-up          2 rules to table kd.  Undo: ip-down.
#   prefix change  DHCPv6 REBIND6 to the other of two delegated prefixes: the LAN
#                  /64's rule swapped (del old, add new). Alternates A->B, B->A.
# hookctl runs with --json so that its in-process time (`elapsed-us`, from reading
# the event to the last state write) comes from the same runs as its wall time.
# State in a temp dir; durable-state stays at its default (false).
# Timing with bash's $EPOCHREALTIME around the command (no fork for the clock).
set -eu
. "$(dirname "$0")/lib.sh"

bench_args build "$@"
HK=${HOOKCTL:-$BUILD/cli/hookctl}

if [ "$(id -u)" != 0 ]; then echo "needs root (network namespaces)" >&2; exit 77; fi
[ -x "$HK" ] || { echo "no $HK; build it first: ninja -C $BUILD" >&2; exit 1; }

export HOOKCTL=$HK
bench_in_netns hookctl-hookbench ppp0 wan0 int0

# ---- inside the namespace ------------------------------------------------------
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
SYS=/proc/sys/net/ipv6/conf/ppp0
DATA=$ROOT/tests/data/dhcpcd

cat >"$WORK/hookctl.toml" <<'EOF'
[tables]
kd = 199

[uplink.tkom]
interface = "ppp0"
sysctl.ipv6 = { use_tempaddr = 1, forwarding = 0, autoconf = 1, accept_ra = 1 }

[uplink.isp]
interface = "wan0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }

[[rule]]
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = "kd"
while = "tkom"

[[rule]]
from = "lan.prefix"
table = "kd"
EOF

HKARGS=(--config "$WORK/hookctl.toml" --state-dir "$WORK/state")
# pppd's argv: interface tty speed local remote ipparam
PPP6=(ppp0 /dev/ttyS0 115200 fe80::1 fe80::2 tkom)
PPP4=(ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom)

# The two prefix-change events: dhcpcd's REBIND6 capture with prefix1 set to A or B.
for p in a b; do
    sed -e "s/^new_dhcp6_ia_pd1_prefix1=.*/new_dhcp6_ia_pd1_prefix1=2001:db8:${p}00::/" \
        "$DATA/c1-prefix-change-rebind/04-REBIND6.env" >"$WORK/rebind-$p.env"
done
# REBIND_ENV[a|b]: the fixture's variables as `VAR=value` words for eval, so
# hookctl gets them as one fork+exec like any command (no `env` in between);
# hookctl reads only the variables dhcpcd sets.
declare -A REBIND_ENV
for p in a b; do
    REBIND_ENV[$p]=$(while IFS= read -r l; do printf '%q ' "$l"; done <"$WORK/rebind-$p.env")
done

hk() { "$HK" "${HKARGS[@]}" "$@"; }
hk_dhcpcd() {  # a|b, then hookctl options
    local p=$1
    shift
    eval "${REBIND_ENV[$p]}" '"$HK" "${HKARGS[@]}" "$@" dhcpcd'
}

# What the users' scripts do. The shell's rules use other priorities than
# hookctl's (10000) so the two sides never touch each other's rules.
SH_SYSCTL_UNDO="echo 0 > $SYS/use_tempaddr; echo 1 > $SYS/forwarding; echo 0 > $SYS/autoconf; echo 0 > $SYS/accept_ra"
SH_IPV6_UP="echo 1 > $SYS/use_tempaddr; echo 0 > $SYS/forwarding; echo 1 > $SYS/autoconf; echo 1 > $SYS/accept_ra"
SH_IP_UP="ip rule add to 198.51.100.10/32 priority 10100 table 199; ip rule add to 203.0.113.20/32 priority 10100 table 199"
SH_IP_DOWN="ip rule del to 198.51.100.10/32 priority 10100 table 199; ip rule del to 203.0.113.20/32 priority 10100 table 199"
sh_swap() {  # old new
    echo "ip -6 rule del from 2001:db8:$1::/64 priority 10101 table 199; ip -6 rule add from 2001:db8:$2::/64 priority 10101 table 199"
}

fail() { echo "hook_bench: $*" >&2; cat "$WORK/out" >&2; exit 1; }
# timed FILE CMD...: run CMD (output to $WORK/out), append its wall time in us to FILE.
timed() {
    local file=$1 t0 t1
    shift
    t0=$EPOCHREALTIME
    "$@" >"$WORK/out" 2>&1 || fail "failed: $*"
    t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./})) >>"$file"
}
quiet() { "$@" >"$WORK/out" 2>&1 || fail "failed: $*"; }
# inproc EVENT DONE: hookctl's own elapsed-us from the --json report in $WORK/out,
# after checking that it applied exactly DONE actions (so every run did the work).
inproc() {
    local done_count
    done_count=$(grep -c '^      "result": "done",\?$' "$WORK/out" || true)
    [ "$done_count" = "$2" ] || fail "$1: expected $2 actions done, got $done_count"
    grep -q '^  "status": "applied",\?$' "$WORK/out" || fail "$1: not applied"
    sed -n 's/^  "elapsed-us": \([0-9]*\),\?$/\1/p' "$WORK/out" >>"$WORK/$1.inproc"
}

# Starting point: IPv4 link down, IPv6 link down, prefix A delegated; the shell's
# prefix rule for A in place.
quiet hk_dhcpcd a
ip -6 rule add from 2001:db8:a00::/64 priority 10101 table 199

cur=a
for i in $(seq 1 "$N"); do
    # ipv6-up: 4 sysctl writes
    quiet hk ppp ipv6-down "${PPP6[@]}"
    quiet sh -c "$SH_SYSCTL_UNDO"
    timed "$WORK/ipv6-up.hk" hk --json ppp ipv6-up "${PPP6[@]}"
    inproc ipv6-up 4
    quiet sh -c "$SH_SYSCTL_UNDO"
    timed "$WORK/ipv6-up.sh" sh -c "$SH_IPV6_UP"

    # ip-up: 2 rules added
    quiet hk ppp ip-down "${PPP4[@]}"
    timed "$WORK/ip-up.hk" hk --json ppp ip-up "${PPP4[@]}"
    inproc ip-up 2
    [ "$i" -gt 1 ] && quiet sh -c "$SH_IP_DOWN"
    timed "$WORK/ip-up.sh" sh -c "$SH_IP_UP"

    # prefix change: rule swap
    if [ $cur = a ]; then next=b; else next=a; fi
    timed "$WORK/prefix.hk" hk_dhcpcd $next --json
    inproc prefix 2
    timed "$WORK/prefix.sh" sh -c "$(sh_swap ${cur}00 ${next}00)"
    cur=$next
done

# The end state is what it should be: checks, not timings.
[ "$(cat $SYS/use_tempaddr $SYS/forwarding $SYS/autoconf $SYS/accept_ra | tr '\n' ' ')" = "1 0 1 1 " ] ||
    { echo "hook_bench: sysctls not as configured" >&2; exit 1; }
[ "$(ip -4 rule show | grep -c 'proto 211')" = 2 ] || { echo "hook_bench: expected 2 tagged IPv4 rules" >&2; exit 1; }
[ "$(ip -6 rule show | grep 'proto 211' | grep -c "from 2001:db8:${cur}00::/64 lookup")" = 1 ] &&
    [ "$(ip -6 rule show | grep -c 'proto 211')" = 1 ] || { echo "hook_bench: expected 1 tagged IPv6 rule" >&2; exit 1; }

# Child processes on these paths: strace counts process creation (clone, fork,
# vfork) and execve; the one execve is hookctl's own.
STRACE=(strace -f -qq -e trace=clone,clone3,fork,vfork,execve -o "$WORK/strace")
children() {  # label: reports on $WORK/strace
    local forks execs
    forks=$(grep -cE '(clone|clone3|fork|vfork)\(' "$WORK/strace" || true)
    execs=$(grep -c 'execve(' "$WORK/strace" || true)
    echo "  $1: $forks clone/fork/vfork, $execs execve"
}

median() { bench_ms "$(bench_median "$1")"; }
echo "hook_bench: $N runs per event, median ms, $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)," \
     "scheduling $(chrt -p $$ | sed -n 's/.*scheduling policy: //p')"
printf '%-28s | %19s | %25s | %18s\n' "event" "hookctl wall median" "hookctl in-process median" "shell script median"
printf '%-28s | %19s | %25s | %18s\n' "----" "----" "----" "----"
for e in ipv6-up ip-up prefix; do
    case $e in
        ipv6-up) label="ipv6-up (4 sysctls)" ;;
        ip-up) label="ip-up (2 rules)" ;;
        prefix) label="prefix change (rule swap)" ;;
    esac
    printf '%-28s | %19s | %25s | %18s\n' "$label" "$(median "$WORK/$e.hk")" "$(median "$WORK/$e.inproc")" \
        "$(median "$WORK/$e.sh")"
done

echo "child processes of one hookctl run (strace -f):"
if command -v strace >/dev/null; then
    quiet hk ppp ipv6-down "${PPP6[@]}"
    quiet sh -c "$SH_SYSCTL_UNDO"
    "${STRACE[@]}" "$HK" "${HKARGS[@]}" ppp ipv6-up "${PPP6[@]}" >/dev/null 2>&1 || true
    children "ipv6-up"
    quiet hk ppp ip-down "${PPP4[@]}"
    "${STRACE[@]}" "$HK" "${HKARGS[@]}" ppp ip-up "${PPP4[@]}" >/dev/null 2>&1 || true
    children "ip-up"
    if [ $cur = a ]; then next=b; else next=a; fi
    eval "${REBIND_ENV[$next]}" '"${STRACE[@]}" "$HK" "${HKARGS[@]}" dhcpcd' >/dev/null 2>&1 || true
    children "prefix change"
else
    echo "  not checked: strace is not installed (apt-get install strace)"
fi
bench_for_scale
