#!/bin/bash
# Crash safety: a renumbering event (dhcpcd REBIND6 moving the delegated /56) is
# killed with SIGKILL at every fault point in turn (hookctl-faults: the same program
# with tests/fault_on.cpp linked in): before and after each action, inside each
# file replacement (temp written, validated, renamed), inside the state save and
# the journal append. After each kill the daemon's next event (the same REBIND6)
# runs with the normal hookctl, and the system must have converged:
#   - no torn file: state.json parses; the owned file and radvd.conf hold exactly
#     the new rendition; no temp file of ours is left;
#   - no lost reload: the service (a process counting its SIGHUPs) was reloaded;
#   - no duplicate or stale rule: exactly the new prefix's rule, in the kernel;
#   - the journal: every line parses, no id twice, the recovery event recorded.
. "$(dirname "$0")/lib.sh"
netns_require_root
netns_require_tools "radvd" radvd
netns_require_tools "jq" jq
netns_setup hookctl-crash
HOOKCTL=$(netns_find_hookctl)
FAULTS=${HOOKCTL_FAULTS:-$(dirname "$HOOKCTL")/../tests/hookctl-faults}
[ -x "$FAULTS" ] || { echo "hookctl-faults not found: set HOOKCTL_FAULTS"; exit 1; }
FIXTURES=$NETNS_REPO_ROOT/tests/data/dhcpcd
A=$FIXTURES/a-initial-start/08-BOUND6.env          # 2001:db8:100::/56
B=$FIXTURES/c1-prefix-change-rebind/04-REBIND6.env # 2001:db8:1cd::/56
netns_veth wan0
netns_veth int0

# The service whose files hookctl writes: a shell that counts SIGHUPs.
SERVICE=$WORK/service
sh -c "trap 'n=\$((n+1)); echo \$n > $WORK/hups' HUP; n=0; while :; do sleep 0.05; done" &
SERVICE_PID=$!
netns_stop_on_exit SERVICE_PID
echo "$SERVICE_PID" >"$WORK/service.pid"

cat >"$WORK/hookctl.toml" <<EOF
[uplink.isp]
interface = "wan0"
sysctl.ipv6 = { accept_ra = 2 }

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[[rule]]
from = "lan.prefix"
table = 100

[radvd]
file = "$WORK/radvd.conf"
reload-pidfile = { file = "$WORK/service.pid", program = "sh" }
interface.lan = { deprecate-old = "2h" }

[[file]]
path = "$WORK/forward"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
reload-pidfile = { file = "$WORK/service.pid", program = "sh" }
EOF
chmod 600 "$WORK/hookctl.toml"

event() {  # PROGRAM FIXTURE: the event as dhcpcd runs it, in the namespace
    read_env_file "$2"
    ip netns exec "$NS" env -i "${ENV_VARS[@]}" HOOKCTL_FAULT="${FAULT:-0}" \
        "$1" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" dhcpcd >"$WORK/out" 2>&1
}
owned_rules() { ip netns exec "$NS" ip -6 rule show | grep -E 'proto (211|hookctl)' | sed 's/^[0-9]*:\s*//'; }
temps() { find "$WORK" -name '*.hookctl-*' -o -name 'state.json.tmp*' | wc -l; }

# The state every trial starts from: prefix A applied, the service reloaded for it.
# The service counts every SIGHUP; a trial needs one more than when it began.
# (The shell runs its trap when its `sleep 0.05` returns: wait a little for it.)
hups() { cat "$WORK/hups" 2>/dev/null || echo 0; }
settle_on_a() {
    event "$HOOKCTL" "$A"
    sleep 0.15
    HUPS_BEFORE=$(hups)
    FORWARD_A=$(cat "$WORK/forward")
}
settle_on_a
event "$HOOKCTL" "$B"
FORWARD_B=$(cat "$WORK/forward")
RADVD_B=$(cat "$WORK/radvd.conf")
RULES_B=$(owned_rules)
check "the renumbering itself works" '[ "$FORWARD_B" != "$FORWARD_A" ] && [ -n "$RULES_B" ]'

# How many fault points one renumbering passes.
settle_on_a
rm -f "$WORK/points"
read_env_file "$B"
ip netns exec "$NS" env -i "${ENV_VARS[@]}" HOOKCTL_FAULT_LOG="$WORK/points" \
    "$FAULTS" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" dhcpcd >/dev/null 2>&1
POINTS=$(wc -l <"$WORK/points")
echo "# a renumbering passes $POINTS fault points:"; sed 's/^/#   /' "$WORK/points"
check "there are fault points to kill at" '[ "$POINTS" -ge 10 ]'

killed=0
for n in $(seq 1 "$POINTS"); do
    settle_on_a
    where=$(sed -n "${n}p" "$WORK/points" | cut -d' ' -f2-)
    FAULT=$n event "$FAULTS" "$B"
    rc=$?
    FAULT=0
    [ $rc -eq 137 ] && killed=$((killed + 1))
    check "kill at $n ($where): it was killed" '[ $rc -eq 137 ]'
    # The daemon's next event: dhcpcd repeats the lease at its next renew.
    event "$HOOKCTL" "$B"
    rc=$?
    check_detail() { sed 's/^/    /' "$WORK/out"; }
    check "kill at $n: the next event succeeds" '[ $rc -eq 0 ]'
    unset -f check_detail
    check "kill at $n: state.json parses" 'jq -e .facts "$WORK/state/state.json" >/dev/null'
    check "kill at $n: the file is the new rendition" '[ "$(cat "$WORK/forward")" = "$FORWARD_B" ]'
    check "kill at $n: radvd.conf is the new rendition" '[ "$(cat "$WORK/radvd.conf")" = "$RADVD_B" ]'
    check "kill at $n: exactly the new rule" '[ "$(owned_rules)" = "$RULES_B" ]'
    for _ in $(seq 20); do [ "$(hups)" -gt "$HUPS_BEFORE" ] && break; sleep 0.05; done
    check "kill at $n: the service was reloaded" '[ "$(hups)" -gt "$HUPS_BEFORE" ]'
    check "kill at $n: no temp file left" '[ "$(temps)" -eq 0 ]'
    check "kill at $n: the journal parses, no id twice" \
        '[ "$(cat "$WORK"/state/journal/*.jsonl | jq -s "[.[].id] | group_by(.) | map(length) | max")" -le 2 ] &&
         ! cat "$WORK"/state/journal/*.jsonl | jq -s -e "[.[] | select(.status != \"received\") | .id] | (length != (unique | length))" >/dev/null'
    check "kill at $n: the recovery event is in the journal" \
        '"$HOOKCTL" --state-dir "$WORK/state" --json events --limit 1 | jq -e ".[0].status == \"applied\"" >/dev/null'
done
echo "# killed $killed runs at $POINTS points; each converged at the next event"
netns_done
