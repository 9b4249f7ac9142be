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
