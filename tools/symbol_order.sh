#!/bin/bash
# Writes cli/symbol-order.txt: the functions hook events run, for the linker (lld's --symbol-ordering-file, cli/meson.build) to put at
# the front of hookctl's code. A hook run then touches a few hundred contiguous KB of
# the 2 MB of code instead of pages all over it: fewer page faults, less mapped,
# smaller RSS (bench/README.md has the figures).
#
#   tools/symbol_order.sh [-o FILE] [BUILD_DIR]   (root: a scratch network namespace;
#                                                  needs valgrind; default BUILD_DIR
#                                                  "build", FILE cli/symbol-order.txt)
#   HOOKCTL=/path/to/hookctl tools/symbol_order.sh ...   (another binary)
#
# Run it again after changing what a hook event runs (tests/cli/symbol_order.sh fails
# when too many listed functions no longer exist, tests/netns/symbol_order.sh when too
# many the events now run are not listed). How: the events of
# bench/hook_bench.sh (pppd's four scripts as run-parts starts them, dhcpcd's
# REBIND6 with a new prefix, RENEW6 unchanged, ROUTERADVERT), each once under
# callgrind in a namespace of its own. The functions ipv6-up runs come first (it has
# the tightest target), then those each further event adds; within an event sorted
# by name (callgrind does not keep the order of first call).
# Valgrind's CPU has no AVX-512, so glibc picks other variants of its string
# functions than real hardware does: every variant of a listed one is listed. The
# IFUNC resolvers a static binary runs at start (nm type "i") are listed too.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/lib.sh
. "$ROOT/bench/lib.sh"
OUT=$ROOT/cli/symbol-order.txt
if [ "${1:-}" = -o ]; then
    OUT=$(realpath -m "$2")
    shift 2
fi
BUILD=${1:-build}
case $BUILD in /*) ;; *) BUILD=$ROOT/$BUILD ;; esac
HK=$(realpath -m "${HOOKCTL:-$BUILD/cli/hookctl}")

if [ "$(id -u)" != 0 ]; then echo "symbol_order: needs root (a network namespace)" >&2; exit 1; fi
command -v valgrind >/dev/null || { echo "symbol_order: valgrind missing (apt-get install valgrind)" >&2; exit 1; }
[ -x "$HK" ] || { echo "symbol_order: no $HK; build it first: bash tools/build.sh" >&2; exit 1; }

if [ -z "${HOOKCTL_SYMBOL_ORDER_IN_NS:-}" ]; then
    NS=hookctl-symorder-$$
    trap 'ip netns del "$NS" 2>/dev/null || true' EXIT
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    for i in ppp0 wan0 int0; do
        ip -n "$NS" link add "$i" type veth peer name "$i-peer"
        ip -n "$NS" link set "$i" up
    done
    rc=0
    HOOKCTL_SYMBOL_ORDER_IN_NS=1 HOOKCTL=$HK ip netns exec "$NS" bash "$0" -o "$OUT" "$BUILD" || rc=$?
    exit $rc
fi

# ---- inside the namespace
WORK=$(mktemp -d /tmp/hookctl-symorder.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
STATE=$WORK/state
CONFIG=$WORK/hookctl.toml
sed -e "/^#/d" -e "s|@RADVD_DIR@|$WORK|g" "$ROOT/bench/hook_bench.toml.in" >"$CONFIG"
# The benchmark's events: PPP4_ARGS, PPP6_ARGS, HK_ENV, PPPD_ENV, RP4_ENV, RP6_ENV.
bench_hook_events "$CONFIG" "$STATE"
for s in ip-up ip-down ipv6-up ipv6-down; do
    mkdir -p "$WORK/$s.d"
    ln -s "$HK" "$WORK/$s.d/50-hookctl"
done
profile() {  # NAME ENV-ARRAY PROGRAM ARGS...
    local name=$1
    local -n env_=$2
    shift 2
    env -i "${env_[@]}" valgrind -q --tool=callgrind --demangle=no \
        --callgrind-out-file="$WORK/cg.$name" "$@" </dev/null >/dev/null 2>"$WORK/err.$name" ||
        { echo "symbol_order: $name failed: $(tail -3 "$WORK/err.$name")" >&2; exit 1; }
}
DATA=$ROOT/tests/data/dhcpcd
bench_load_env REBIND "$DATA/c1-prefix-change-rebind/04-REBIND6.env"
bench_load_env RENEW "$DATA/b3-renew-timer/02-RENEW6.env"
bench_load_env RA "$DATA/b3-renew-timer/03-ROUTERADVERT.env"

# Untimed set-up so that each profiled event acts: the link down, then up.
env -i "${PPPD_ENV[@]}" "$HK" ppp ipv6-down "${PPP6_ARGS[@]}" >/dev/null
profile ipv6-up RP6_ENV "$WORK/ipv6-up.d/50-hookctl" "${PPP6_ARGS[@]}"
profile ip-up RP4_ENV "$WORK/ip-up.d/50-hookctl" "${PPP4_ARGS[@]}"
profile rebind REBIND "$HK" dhcpcd
profile renew RENEW "$HK" dhcpcd
profile ra RA "$HK" dhcpcd
profile ip-down RP4_ENV "$WORK/ip-down.d/50-hookctl" "${PPP4_ARGS[@]}"
profile ipv6-down RP6_ENV "$WORK/ipv6-down.d/50-hookctl" "${PPP6_ARGS[@]}"
"$HK" --state-dir "$STATE" events --json --limit 7 |
    python3 -c 'import json, sys
got = [(e["name"], e["status"]) for e in json.load(sys.stdin)]
bad = [g for g in got if g[1] not in ("applied", "unchanged")]
if len(got) != 7 or bad: sys.exit(f"symbol_order: events did not run as expected: {got}")'

nm --defined-only "$HK" | awk 'NF == 3 && $2 ~ /^[tTwWi]$/ { print $3 }' | sort -u >"$WORK/defined"
python3 - "$WORK/defined" "$OUT" "$WORK"/cg.{ipv6-up,ip-up,rebind,renew,ra,ip-down,ipv6-down} <<'EOF'
import re, sys
defined_file, out, profiles = sys.argv[1], sys.argv[2], sys.argv[3:]
defined = set(open(defined_file).read().split())
# callgrind names a function once, "fn=(ID) NAME" or "cfn=(ID) NAME", then by ID only;
# NAME'N is its Nth recursion level.
order, seen = [], set()
def add(name):
    if name in defined and name not in seen:
        seen.add(name)
        order.append(name)
variant = re.compile(r'^(__\w+?)_(sse2|ssse3|sse4_1|sse4_2|sse42|avx|avx2|evex|avx512|erms|rtm)')
resolver = re.compile(r'^(\w+)_ifunc$')
# What runs on hardware but not under valgrind (seen with `perf trace -F min`: the
# functions whose first call faulted in a page outside the ordered code).
HARDWARE_ONLY = ['___pthread_mutex_lock', '___pthread_mutex_unlock']
for path in profiles:
    names = set()
    for line in open(path):
        m = re.match(r'c?fn=\(\d+\) (\S+)', line)
        if m:
            names.add(re.sub(r"'\d+$", '', m.group(1)))
    # Sorted within an event: callgrind's order changes from run to run, and a list
    # that changed only in order would be noise in the history.
    for name in sorted(names):
        add(name)
        v = variant.match(name)
        r = resolver.match(name)
        base = v.group(1) if v else '__' + r.group(1).lstrip('_') if r else None
        if base:
            for other in sorted(n for n in defined if n.startswith(base + '_')):
                add(other)
for name in HARDWARE_ONLY:
    add(name)
with open(out, 'w') as f:
    f.write('# Written by tools/symbol_order.sh: the functions hook events run, ipv6-up\'s\n'
            '# first (lld --symbol-ordering-file, cli/meson.build). Regenerate, do not edit.\n')
    f.write(''.join(n + '\n' for n in order))
print(f'symbol_order: {len(order)} functions -> {out}')
EOF
