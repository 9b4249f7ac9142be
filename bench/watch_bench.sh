#!/bin/bash
# `hookctl watch` and the dispatcher hooks, measured (bench/README.md):
#
#   1. latency: from the kernel's notification of a new address on `ext` to hookctl's
#      rule for the new prefix being in the kernel, both as timestamped by one
#      `ip -ts monitor address rule` in the namespace; N renumberings (A->B, B->A,
#      ...; the new address added, the old one deprecated in one `ip -batch`), with
#      watch-settle = 0 (hookctl's own reaction) and = 200ms (the default, included);
#      median and worst;
#   2. idle: CPU time, context switches and RSS of watch over IDLE seconds without a
#      change (no RAs);
#   3. one-shot: `hookctl networkd` run the way networkd-dispatcher runs it (a link in
#      routable.d, its environment), against the shell dispatcher script doing the
#      seed's perl logic (read the prefix from `ip -6 addr`, compare with the one
#      saved, `ip -6 rule del` the old, `add` the new, save), alternating, each run a
#      real renumbering; wall time per event from outside.
#
#   bench/watch_bench.sh [-n RUNS] [BUILD_DIR]     (root; default 100 runs; IDLE=60)
set -eu
. "$(dirname "$0")/lib.sh"

bench_args build "$@"
[ "${N:-200}" = 200 ] && N=100
HK=${HOOKCTL:-$BUILD/cli/hookctl}
if [ "$(id -u)" != 0 ]; then echo "needs root (network namespaces)" >&2; exit 77; fi
[ -x "$HK" ] || { echo "no $HK; build it first: ninja -C $BUILD" >&2; exit 1; }
export HOOKCTL=$HK
IDLE=${IDLE:-60}
export IDLE
bench_in_netns hookctl-watchbench ext

# ---- inside the namespace ------------------------------------------------------
ip link set ext-peer up   # a veth has carrier only with both ends up
WORK=$(mktemp -d)
WATCH_PID=
MON_PID=
cleanup() {
    for p in $WATCH_PID $MON_PID; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
    rm -rf "$WORK"
}
trap cleanup EXIT

write_config() {  # settle
    cat >"$WORK/hookctl.toml" <<EOF
[settings]
watch-settle = "$1"

[tables]
kd = 199

[uplink.ext]
interface = "ext"
source = "kernel"
token = "::dead:b0a1"

[[rule]]
from = "ext.prefix"
table = "kd"
EOF
}

start_watch() {
    "$HK" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" watch >>"$WORK/watch.log" 2>&1 &
    WATCH_PID=$!
}
stop_watch() { kill "$WATCH_PID"; wait "$WATCH_PID" 2>/dev/null || true; WATCH_PID=; }
has_rule() { ip -6 rule show | grep -q "from $1/64 lookup 199 proto 211"; }
wait_rule() { for _ in $(seq 500); do has_rule "$1" && return 0; sleep 0.01; done; echo "no rule for $1" >&2; cat "$WORK/watch.log" >&2; return 1; }
# renumber OLD NEW: NEW::dead:b0a1 added, OLD's deprecated, in one batch.
renumber() {
    printf 'address replace %sdead:b0a1/64 dev ext nodad preferred_lft 1800 valid_lft 3600\naddress change %sdead:b0a1/64 dev ext preferred_lft 0 valid_lft 3600\n' \
        "$2" "$1" | ip -batch -
}
# microseconds since the epoch from `ip -ts` "[2026-11-30T14:10:11.123456]".
ts_us() { date -d "$(sed 's/T/ /' <<<"$1")" +%s%6N; }

latency_run() {  # settle label
    write_config "$1"
    rm -rf "$WORK/state" "$WORK/watch.log"
    ip -6 addr flush dev ext scope global
    ip -6 addr add 2001:db8:a::dead:b0a1/64 dev ext nodad preferred_lft 1800 valid_lft 3600
    start_watch
    wait_rule 2001:db8:a::
    ip -ts monitor address rule >"$WORK/monitor" 2>&1 &
    MON_PID=$!
    sleep 0.3
    local old=2001:db8:a:: new i
    for i in $(seq 1 "$N"); do
        if [ $((i % 2)) = 1 ]; then new=2001:db8:b::; else new=2001:db8:a::; fi
        echo "# $i $new" >>"$WORK/marks"
        renumber "$old" "$new"
        wait_rule "$new"
        # The old rule is gone too before the next round.
        for _ in $(seq 500); do has_rule "$old" || break; sleep 0.01; done
        old=$new
        sleep 0.05
    done
    sleep 0.3
    kill "$MON_PID"; wait "$MON_PID" 2>/dev/null || true; MON_PID=
    stop_watch
    # Engine runs for the N renumberings (the first, at start, not counted).
    echo $(($(grep -c 'kernel watch on ext: applied' "$WORK/watch.log") - 1)) >"$WORK/runs.$2"
    # Pair each new address notification with the next rule added for its prefix.
    awk '
        /inet6 2001:db8:[ab]::dead:b0a1\/64/ && !/Deleted/ && !/deprecated/ {
            t = substr($1, 2, length($1) - 2); split($0, w, "inet6 "); split(w[2], a, "dead:b0a1");
            if (!(a[1] in pending)) pending[a[1]] = t
        }
        /lookup 199 proto 211/ && !/Deleted/ {
            t = substr($1, 2, length($1) - 2); split($0, w, "from "); split(w[2], p, "/64");
            if (p[1] in pending) { print pending[p[1]], t; delete pending[p[1]] }
        }' "$WORK/monitor" | tail -n +1 >"$WORK/pairs"
    : >"$WORK/lat.$2"
    while read -r t_addr t_rule; do
        echo $(($(ts_us "$t_rule") - $(ts_us "$t_addr"))) >>"$WORK/lat.$2"
    done <"$WORK/pairs"
}

echo "watch_bench: $N renumberings, $(uname -r), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)"
latency_run 0ms settle0
latency_run 200ms settle200
worst() { sort -n "$1" | tail -1; }
printf '%-44s | %8s | %8s | %5s\n' "notification -> rule in the kernel" "median" "worst" "pairs"
printf '%-44s | %8s | %8s | %5s\n' "watch-settle = 0 (hookctl's own reaction)" \
    "$(bench_ms "$(bench_median "$WORK/lat.settle0")")" "$(bench_ms "$(worst "$WORK/lat.settle0")")" \
    "$(wc -l <"$WORK/lat.settle0")"
printf '%-44s | %8s | %8s | %5s\n' "watch-settle = 200ms (default)" \
    "$(bench_ms "$(bench_median "$WORK/lat.settle200")")" "$(bench_ms "$(worst "$WORK/lat.settle200")")" \
    "$(wc -l <"$WORK/lat.settle200")"
echo "(ms; engine runs for the $N renumberings: $(cat "$WORK/runs.settle0") with settle 0, where the" \
    "two changes of one renumbering may be read apart, $(cat "$WORK/runs.settle200") with 200ms)"

# ---- 2. idle ---------------------------------------------------------------------------
write_config 200ms
start_watch
sleep 1
stat_ticks() { awk '{ print $14 + $15 }' "/proc/$WATCH_PID/stat"; }
switches() { awk '/ctxt_switches/ { s += $2 } END { print s }' "/proc/$WATCH_PID/status"; }
t0=$(stat_ticks) s0=$(switches)
sleep "$IDLE"
t1=$(stat_ticks) s1=$(switches)
hz=$(getconf CLK_TCK)
echo "idle ${IDLE} s: CPU $(awk -v t=$((t1 - t0)) -v hz="$hz" 'BEGIN { printf "%.3f", t / hz }') s," \
    "$((s1 - s0)) context switches (wake-ups), RSS $(awk '/^VmRSS/ { print $2 }' "/proc/$WATCH_PID/status") kB," \
    "peak $(awk '/^VmHWM/ { print $2 }' "/proc/$WATCH_PID/status") kB"
stop_watch

# ---- 3. one-shot dispatcher path -------------------------------------------------------
write_config 200ms
rm -rf "$WORK/state"
mkdir -p "$WORK/networkd-dispatcher/routable.d" "$WORK/shell/routable.d"
ln -s "$HK" "$WORK/networkd-dispatcher/routable.d/50-hookctl"
# The seed's logic as a dispatcher script: the prefix from `ip -6 addr`, the old one
# from a file, the rule swapped when they differ.
cat >"$WORK/shell/routable.d/50-kd-rule" <<'EOF'
#!/bin/sh
[ "$IFACE" = ext ] || exit 0
new=$(ip -6 -o addr show dev ext scope global -deprecated -tentative | sed -n 's/.* inet6 \([0-9a-f:]*\)::dead:b0a1\/64 .*/\1::/p' | head -1)
old=$(cat "$RUNDIR/kd-rule.prefix" 2>/dev/null)
[ "$new" = "$old" ] && exit 0
[ -n "$old" ] && ip -6 rule del from "$old/64" lookup 199 priority 10100
[ -n "$new" ] && ip -6 rule add from "$new/64" lookup 199 priority 10100
echo "$new" >"$RUNDIR/kd-rule.prefix"
EOF
chmod 0755 "$WORK/shell/routable.d/50-kd-rule"
ENV=(RUNDIR="$WORK" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 IFACE=ext STATE=routable ADDR= ESSID= IP_ADDRS=
     AdministrativeState=configured OperationalState=routable "json={}"
     "HOOKCTL_CONFIG=$WORK/hookctl.toml" "HOOKCTL_STATE_DIR=$WORK/state")
old=2001:db8:b:: cur=2001:db8:a::
env -i "${ENV[@]}" "$WORK/networkd-dispatcher/routable.d/50-hookctl" >/dev/null
env -i "${ENV[@]}" "$WORK/shell/routable.d/50-kd-rule" >/dev/null
: >"$WORK/hk_times"; : >"$WORK/sh_times"
for i in $(seq 1 "$N"); do
    new=$old old=$cur cur=$new
    renumber "$old" "$cur"
    ip -6 addr del "${old}dead:b0a1/64" dev ext
    t0=$EPOCHREALTIME
    env -i "${ENV[@]}" "$WORK/networkd-dispatcher/routable.d/50-hookctl" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./})) >>"$WORK/hk_times"
    t0=$EPOCHREALTIME
    env -i "${ENV[@]}" "$WORK/shell/routable.d/50-kd-rule" >/dev/null 2>&1
    t1=$EPOCHREALTIME
    echo $((${t1/./} - ${t0/./})) >>"$WORK/sh_times"
    has_rule "$cur" || { echo "hookctl did not move the rule to $cur" >&2; exit 1; }
    ip -6 rule show | grep -q "10100:.*from $cur/64 lookup 199" || { echo "the shell did not move its rule" >&2; exit 1; }
done
hk_ms=$(bench_ms "$(bench_median "$WORK/hk_times")")
sh_ms=$(bench_ms "$(bench_median "$WORK/sh_times")")
printf '%-44s | %8s\n' "one-shot dispatcher, per renumbering" "median ms"
printf '%-44s | %8s\n' "hookctl networkd (link in routable.d)" "$hk_ms"
printf '%-44s | %8s\n' "shell dispatcher script (seed's logic)" "$sh_ms"
echo "shell/hookctl: $(awk -v a="$sh_ms" -v b="$hk_ms" 'BEGIN { printf "%.2f", a / b }')x"
