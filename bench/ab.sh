#!/bin/bash
# Before/after of one change: two hookctl binaries run with the same arguments,
# alternating batches (A B, B A, ...) in one run, each run timed from outside by
# bench/timer.c (spawn to reaped exit). Prints per binary the median wall time, the
# median over rounds of (B batch median / A batch median), and from GNU time one run's
# minor page faults and peak RSS. No root needed for arguments that change nothing
# (--version, check FILE, plan ...). bench/README.md keeps the results.
# -e FILE: each run gets only the NAME=value lines of FILE as its environment (a
# daemon's, like a dhcpcd capture); -N NETNS: runs inside `ip netns exec NETNS` (root),
# for a hook event against a scratch namespace's kernel. -c: cold, a `/bin/sh -c :` between
# runs, so each starts with its code and data out of the CPU caches as a hook does (back to
# back they stay warm); -b CMD: a shell command run untimed before each run, `{}` in it the
# binary of that side (e.g. the ipv6-down before a timed ipv6-up, so that every run acts).
#
#   bench/ab.sh [-n RUNS] [-r ROUNDS] [-e ENVFILE] [-N NETNS] [-c] [-b CMD] BINARY_A BINARY_B [ARGS...]
#   (default 100 x 7)
set -eu
N=100
ROUNDS=7
ENV_FILE=
NETNS=
COLD=
BEFORE=
while [ $# -gt 0 ]; do
    case $1 in
        -n) N=$2; shift 2 ;;
        -r) ROUNDS=$2; shift 2 ;;
        -e) ENV_FILE=$2; shift 2 ;;
        -N) NETNS=$2; shift 2 ;;
        -c) COLD=1; shift ;;
        -b) BEFORE=$2; shift 2 ;;
        *) break ;;
    esac
done
[ $# -ge 2 ] || { sed -n 's/^#   //p' "$0" >&2; exit 2; }
A=$(realpath -s "$1")
B=$(realpath -s "$2")
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
WORK=$(mktemp -d /tmp/hookctl-ab.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
cc -O2 -static -o "$WORK/timer" "$ROOT/bench/timer.c"
# The prefix every run is started under: the environment and the namespace asked for.
PREFIX=()
[ -z "$NETNS" ] || PREFIX+=(ip netns exec "$NETNS")
if [ -n "$ENV_FILE" ]; then
    mapfile -t VARS < <(grep -v '^#' "$ENV_FILE" | grep '=')
    PREFIX+=(env -i "${VARS[@]}")
fi

for bin in "$A" "$B"; do "${PREFIX[@]}" "$bin" "$@" >/dev/null || { echo "ab: $bin $* failed" >&2; exit 1; }; done
for ((r = 1; r <= ROUNDS; r++)); do
    if [ $((r % 2)) = 1 ]; then order="a b"; else order="b a"; fi
    for side in $order; do
        if [ "$side" = a ]; then bin=$A; else bin=$B; fi
        # One bash per batch inside the prefix: the timer measures hookctl alone.
        "${PREFIX[@]}" bash -c 'for ((i = 0; i < $1; i++)); do
                if [ -n "$3" ]; then eval "$3" >/dev/null; fi
                if [ -n "$2" ]; then /bin/sh -c :; fi
                "$4" "$5" "${@:6}" >/dev/null
            done' _ "$N" "$COLD" "${BEFORE//\{\}/$bin}" "$WORK/timer" "$WORK/$side.$r" "$bin" "$@"
    done
done

side_med() { local r; for ((r = 1; r <= ROUNDS; r++)); do cat "$WORK/$1.$r"; done | bench_median; }
ratio=$(for ((r = 1; r <= ROUNDS; r++)); do
    awk -v a="$(bench_median "$WORK/a.$r")" -v b="$(bench_median "$WORK/b.$r")" 'BEGIN { printf "%.4f\n", b / a }'
done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                                       printf "%.2f (rounds %.2f-%.2f)", m, v[1], v[NR] }')
echo "ab: $ROUNDS rounds x $N runs per binary, args: $*; load $(cut -d' ' -f1-3 /proc/loadavg)"
for side in a b; do
    if [ "$side" = a ]; then bin=$A; else bin=$B; fi
    "${PREFIX[@]}" /usr/bin/time -f '%R %M' -o "$WORK/time" "$bin" "$@" >/dev/null
    read -r faults rss <"$WORK/time"
    printf '  %s %-50s wall median %s ms, %s minor faults, peak RSS %s KB\n' "$side" "$bin" \
        "$(bench_ms "$(side_med $side)")" "$faults" "$rss"
done
echo "  B/A wall, median of round ratios: $ratio"
