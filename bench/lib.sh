#!/bin/bash
# Shared by the bench scripts (source it; bash only):
#
#   . "$(dirname "$0")/lib.sh"
#   bench_args DEFAULT_BUILD "$@"     # N (-n RUNS, default 200), BUILD (made absolute), ROOT
#   bench_in_netns PREFIX IFACE...    # unless already inside one: a namespace PREFIX-$$ (lo
#                                     # and veths IFACE, peer IFACE-peer, up), this script run
#                                     # again inside it with the same -n and build dir, the
#                                     # namespace removed, exit with the inner run's status
#   bench_median [FILE]               # median of the numbers (one a line) in FILE or stdin
#   bench_ms US                       # microseconds as milliseconds, 3 decimals
#   bench_for_scale                   # prints what a fork+exec of /bin/true takes here

# bench_args DEFAULT_BUILD [-n RUNS] [BUILD_DIR]
bench_args() {
    BUILD=$1
    shift
    N=200
    if [ "${1:-}" = "-n" ]; then N=$2; shift 2; fi
    BUILD=${1:-$BUILD}
    ROOT=$(cd "$(dirname "$0")/.." && pwd)
    case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
}

# bench_in_netns PREFIX IFACE...: see above. Inside, $HOOKCTL_BENCH_IN_NS is set and
# this returns at once; the caller's exported variables (HOOKCTL) reach the inner run.
BENCH_NS=
bench_in_netns() {
    [ -z "${HOOKCTL_BENCH_IN_NS:-}" ] || return 0
    local i
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
    HOOKCTL_BENCH_IN_NS=1 ip netns exec "$BENCH_NS" bash "$0" -n "$N" "$BUILD"
    exit
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
