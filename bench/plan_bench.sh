#!/bin/bash
# Time of `hookctl plan` per event, median of many runs, for two dhcpcd events against
# a lab.toml-like config and a state dir prepared with --simulate (the lab's bind):
#
#   no change      b3-renew-timer/02-RENEW6: the state already holds the same prefix
#   prefix change  c1-prefix-change-rebind/04-REBIND6: the /56 moves; rule swap,
#                  radvd.conf and the forwarder file rewritten, DNS record replaced
#
# `plan` writes nothing, so every run sees the same state. Needs no root. Columns:
#   wall        fork+exec to exit: hyperfine -N (no shell) when installed, else a
#               loop around the command timed with bash's $EPOCHREALTIME
#   in-process  the report's `elapsed-us` from `plan --json` (parse, merge, diff,
#               desired, plan; not process start-up, config loading or printing)
#   outside     wall - in-process: process start, dynamic linking, config, output
# plus two reference rows: `hookctl --version` (start-up alone) and `hookctl check`
# (start-up + loading the config). Not a test: it prints a table (bench/README.md).
#
#   bench/plan_bench.sh [-n RUNS] [BUILD_DIR]       (default 200 runs, build dir "build")
set -eu
. "$(dirname "$0")/lib.sh"

bench_args build "$@"
HK=${HOOKCTL:-$BUILD/cli/hookctl}
[ -x "$HK" ] || { echo "no hookctl at $HK (build first, or set HOOKCTL)" >&2; exit 1; }
FIX=$ROOT/tests/data/dhcpcd

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-plan-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
CONFIG=$WORK/hookctl.toml
STATE=$WORK/state
export HOOKCTL_CONFIG=$CONFIG HOOKCTL_STATE_DIR=$STATE   # never the system's defaults

# examples/lab.toml with its paths in $WORK, plus a DNS zone and a file on the prefix.
sed -e "s#/etc/radvd.conf#$WORK/radvd.conf#" -e "s#/run/radvd.pid#$WORK/radvd.pid#" \
    "$ROOT/examples/lab.toml" >"$CONFIG"
cat >>"$CONFIG" <<EOF

[[dns]]
server = "2001:db8:53::1"
zone = "dyn.example.org"
records = [ { name = "router", aaaa = "lan.address" }, { name = "desk", aaaa = "lan.prefix + ::c0a0:808" } ]

[[file]]
path = "$WORK/rdp-forward"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
restart = "rdp-forward.service"
EOF

# The fixture's variables, read line by line (values hold spaces; never sourced).
env_of() {
    ENV_VARS=()
    local line
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] || [ "${line:0:1}" = "#" ] || ENV_VARS+=("$line")
    done <"$1"
}

# State: the lab's start-up through the bind, on the model (--simulate).
for f in "$FIX"/a-initial-start/*.env; do
    env_of "$f"
    env -i HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "${ENV_VARS[@]}" \
        "$HK" --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd >/dev/null
done

declare -A EVENT_FILE=([no change]=$FIX/b3-renew-timer/02-RENEW6.env
                       [prefix change]=$FIX/c1-prefix-change-rebind/04-REBIND6.env)
declare -A EXPECT=([no change]=0 [prefix change]=8)

# wall_ms CMD...: median wall time in ms over N runs.
wall_ms() {
    if command -v hyperfine >/dev/null; then
        hyperfine -N --style none --warmup 5 --runs "$N" --export-json "$WORK/h.json" -- "$(printf '%q ' "$@")" \
            >/dev/null 2>&1
        python3 -c 'import json,sys; print("%.3f" % (json.load(open(sys.argv[1]))["results"][0]["median"] * 1000))' \
            "$WORK/h.json"
    else
        local i t0 t1
        for ((i = 0; i < N; i++)); do
            t0=$EPOCHREALTIME
            "$@" >/dev/null
            t1=$EPOCHREALTIME
            echo "$(((${t1/./} - ${t0/./})))"
        done | bench_median | awk '{printf "%.3f\n", $1 / 1000}'
    fi
}

# in_process_ms EVENT: median of the reports' elapsed-us over N runs, in ms; checks
# that each run planned the expected number of actions and wrote nothing.
in_process_ms() {
    local i
    for ((i = 0; i < N; i++)); do
        "$HK" --config "$CONFIG" --state-dir "$STATE" --json plan --env-file "${EVENT_FILE[$1]}"
    done | python3 -c '
import json, sys
want = int(sys.argv[1])
dec = json.JSONDecoder()
text = sys.stdin.read()
pos, us = 0, []
while pos < len(text):
    while pos < len(text) and text[pos].isspace():
        pos += 1
    if pos == len(text):
        break
    r, pos = dec.raw_decode(text, pos)
    assert r["status"] == "planned" and len(r["actions"]) == want, (r["status"], len(r["actions"]))
    us.append(r["elapsed-us"])
us.sort()
n = len(us)
m = us[n // 2] if n % 2 else (us[n // 2 - 1] + us[n // 2]) / 2
print("%.3f" % (m / 1000))
' "${EXPECT[$1]}"
}

before=$(sha256sum <"$STATE/state.json")
journal_before=$(ls "$STATE/journal" | wc -l)

echo "# hookctl plan, median of $N runs; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg); $("$HK" --version)"
echo "# wall via $(command -v hyperfine >/dev/null && hyperfine --version || echo 'bash $EPOCHREALTIME loop')"
printf '%-18s | %12s | %16s | %14s\n' "event" "wall ms" "in-process ms" "outside ms"
for ev in "no change" "prefix change"; do
    wall=$(wall_ms "$HK" --config "$CONFIG" --state-dir "$STATE" plan --env-file "${EVENT_FILE[$ev]}")
    inproc=$(in_process_ms "$ev")
    printf '%-18s | %12s | %16s | %14s\n' "$ev" "$wall" "$inproc" "$(awk -v a="$wall" -v b="$inproc" 'BEGIN {printf "%.3f", a - b}')"
done
printf '%-18s | %12s | %16s | %14s\n' "start-up only" "$(wall_ms "$HK" --version)" "-" "(--version)"
printf '%-18s | %12s | %16s | %14s\n' "start + config" "$(wall_ms "$HK" check "$CONFIG")" "-" "(check)"

# plan must not have written anything.
[ "$(sha256sum <"$STATE/state.json")" = "$before" ] || { echo "state changed!" >&2; exit 1; }
[ "$(ls "$STATE/journal" | wc -l)" = "$journal_before" ] || { echo "journal grew!" >&2; exit 1; }
