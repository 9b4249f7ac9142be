#!/bin/bash
# Shared by the bench scripts (source it; bash only):
#
#   . "$(dirname "$0")/lib.sh"
#   bench_args DEFAULT_BUILD "$@"     # N (-n RUNS, default $BENCH_DEFAULT_N or 200), ROUNDS
#                                     # (-r, default 7), BUILD (made absolute), ROOT
#   bench_in_netns PREFIX IFACE...    # unless already inside one: a namespace PREFIX-$$ (lo
#                                     # and veths IFACE, peer IFACE-peer, up), this script run
#                                     # again inside it (and in private mount and UTS
#                                     # namespaces) with the same arguments, the namespace
#                                     # removed, exit with the inner run's status
#   bench_netns_run PREFIX IFACE...   # the same, but returns the inner run's status
#   bench_median [FILE]               # median of the numbers (one a line) in FILE or stdin
#   bench_ms US                       # microseconds as milliseconds, 3 decimals
#   bench_for_scale                   # prints what a fork+exec of /bin/true takes here
#   bench_hook_events CONFIG STATE    # the events' argv and environments, as pppd, Debian's
#                                     # wrappers and dhcpcd pass them (see there)
#   bench_load_env NAME FILE          # array NAME: a dhcpcd capture's variables + HK_ENV

# bench_args DEFAULT_BUILD [-n RUNS] [-r ROUNDS] [BUILD_DIR] (N, ROUNDS: for the caller)
# shellcheck disable=SC2034
bench_args() {
    BUILD=$1
    shift
    BENCH_ARGV=("$@")
    N=${BENCH_DEFAULT_N:-200}
    ROUNDS=7
    while [ $# -gt 0 ]; do
        case $1 in
            -n) N=$2; shift 2 ;;
            -r) ROUNDS=$2; shift 2 ;;
            *) break ;;
        esac
    done
    BUILD=${1:-$BUILD}
    ROOT=$(cd "$(dirname "$0")/.." && pwd)
    case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
}

# bench_in_netns PREFIX IFACE...: see above. Inside, $HOOKCTL_BENCH_IN_NS is set and
# this returns at once; the caller's exported variables (HOOKCTL) reach the inner run.
# The inner run has its own mount namespace with private propagation (what it mounts
# never reaches the host) and its own UTS namespace (a hostname it sets stays inside).
BENCH_NS=
bench_in_netns() {
    [ -z "${HOOKCTL_BENCH_IN_NS:-}" ] || return 0
    bench_netns_run "$@"
    exit
}
bench_netns_run() {
    local i rc=0
    BENCH_NS=$1-$$
    shift
    trap 'ip netns del "$BENCH_NS" 2>/dev/null' EXIT
    ip netns add "$BENCH_NS"
    ip -n "$BENCH_NS" link set lo up
    for i in "$@"; do
        ip -n "$BENCH_NS" link add "$i" type veth peer name "$i-peer"
        ip -n "$BENCH_NS" link set "$i" up
    done
    # Inside the namespace, so the commands timed are exec'd directly (no `ip netns exec` per run).
    HOOKCTL_BENCH_IN_NS=1 ip netns exec "$BENCH_NS" \
        unshare --mount --propagation private --uts bash "$0" "${BENCH_ARGV[@]}" || rc=$?
    ip netns del "$BENCH_NS"
    trap - EXIT
    return $rc
}

# bench_hook_events CONFIG STATE: what bench/hook_bench.sh and tools/symbol_order.sh
# run hookctl with. PPP4_ARGS, PPP6_ARGS: pppd's script arguments (interface, tty,
# speed, local and remote address, ipparam); HK_ENV: hookctl's config and state (pppd's
# `set`, dhcpcd's `env`); PPPD_ENV: pppd's own variables as they are by a reconnect
# (they accumulate; no PATH); RP4_ENV, RP6_ENV: what a script in /etc/ppp/<script>.d
# gets from Debian's wrapper through run-parts.
# shellcheck disable=SC2034
bench_hook_events() {
    local wrap_path=PATH=/usr/local/sbin:/usr/sbin:/sbin:/usr/local/bin:/usr/bin:/bin
    PPP4_ARGS=(ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom)
    PPP6_ARGS=(ppp0 /dev/ttyS0 115200 fe80::1 fe80::2 tkom)
    HK_ENV=("HOOKCTL_CONFIG=$1" "HOOKCTL_STATE_DIR=$2")
    PPPD_ENV=(IFNAME=ppp0 UNIT=0 PPPD_PID=4242 PPPLOGNAME=root DEVICE=/dev/ttyS0
              IPLOCAL=192.0.2.1 IPREMOTE=192.0.2.2 LLLOCAL=fe80::1 LLREMOTE=fe80::2
              CONNECT_TIME=3600 BYTES_SENT=1000000 BYTES_RCVD=9000000 "${HK_ENV[@]}")
    RP4_ENV=("${PPPD_ENV[@]}" "$wrap_path" PPP_IFACE=ppp0 PPP_TTY=/dev/ttyS0 PPP_SPEED=115200
             PPP_LOCAL=192.0.2.1 PPP_REMOTE=192.0.2.2 PPP_IPPARAM=tkom PPP_TTYNAME=ttyS0)
    RP6_ENV=("${PPPD_ENV[@]}" "$wrap_path" PPP_IFACE=ppp0 PPP_TTY=/dev/ttyS0 PPP_SPEED=115200
             PPP_LOCAL=fe80::1 PPP_REMOTE=fe80::2 PPP_IPPARAM=tkom)
}

# bench_load_env NAME FILE: array NAME holds FILE's variables (a dhcpcd capture,
# tests/data/dhcpcd) and HK_ENV (bench_hook_events first).
bench_load_env() {
    local -n arr=$1
    mapfile -t arr < <(grep -v -e '^#' -e '^$' "$2")
    arr+=("${HK_ENV[@]}")
}

# Inputs are whole numbers, so one decimal keeps a median exact.
bench_median() {
    sort -n ${1:+"$1"} |
        awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.1f\n", m }'
}
bench_ms() { awk -v u="$1" 'BEGIN { printf "%.3f", u / 1000 }'; }
bench_for_scale() {
    local t0 t1
    t0=$EPOCHREALTIME; for _ in $(seq 1 50); do /bin/true; done; t1=$EPOCHREALTIME
    echo "for scale: fork+exec of /bin/true takes $(bench_ms $(((${t1/./} - ${t0/./}) / 50))) ms here"
}
