#!/bin/bash
# Harsh operators and failing disks, through the real CLI in a network namespace:
#   - a full disk (a small tmpfs as the state dir, filled up): the hook still applies
#     the kernel side, says what it could not record, exits 1; once there is room
#     again the next events record normally and no journal id is used twice;
#   - a read-only state dir (the tmpfs remounted ro): the same;
#   - a lock held by another process: the hook waits no longer than its budget and
#     names the holder;
#   - SIGTERM while a command runs (pppd's child-timeout): the command is stopped,
#     the run records what it did and exits at once;
#   - bytes that are not UTF-8 in a daemon's variable and in a command's output:
#     refused or escaped, journaled, never an internal error.
. "$(dirname "$0")/lib.sh"
netns_require_root
netns_require_tools "jq" jq
netns_setup hookctl-faults
HOOKCTL=$(netns_find_hookctl)
netns_veth ppp0

STATE=$WORK/state
mkdir -p "$STATE"
mount -t tmpfs -o size=256k,mode=0700 hookctl-test "$STATE"
cleanup_mount() { umount "$STATE" 2>/dev/null || umount -l "$STATE" 2>/dev/null; true; }
trap 'cleanup_mount; netns_cleanup' EXIT

# The command SIGTERM interrupts sleeps 30.PID seconds: an argument no other process on
# the machine has, so pgrep finds this one only (a plain "sleep 30" also matched, say,
# someone's "sleep 300").
SLEEP_ARG=30.$$
cat >"$WORK/hookctl.toml" <<EOF
[settings]
hook-budget = "2s"

[uplink.tkom]
interface = "ppp0"
on.ipv6-up = [["/bin/sh", "-c", "echo started; sleep $SLEEP_ARG"]]
on.ip-down = [["/usr/bin/printf", "caf\\\\351 \\\\377\\\\n"]]

[[rule]]
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = 199
while = "tkom"
EOF
chmod 600 "$WORK/hookctl.toml"
hk() { ip netns exec "$NS" "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$STATE" "$@"; }
rules() { ip netns exec "$NS" ip -4 rule show | grep -cE 'proto (211|hookctl)'; }
up() { hk ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >"$WORK/out" 2>"$WORK/err"; }
down() { hk ppp ip-down ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >"$WORK/out" 2>"$WORK/err"; }
ids_unique() {
    "$HOOKCTL" --state-dir "$STATE" --json events --limit 100000 | jq -e '[.[].id] | length == (unique | length)' >/dev/null
}
check_detail() { sed 's/^/    /' "$WORK/out" "$WORK/err" | head -20; }

up; rc=$?
check "a normal ip-up" '[ $rc -eq 0 ] && [ "$(rules)" -eq 2 ]'
down

# ---- a full disk ----------------------------------------------------------------
dd if=/dev/zero of="$STATE/fill" bs=1k count=1024 2>/dev/null   # fills the tmpfs
up; rc=$?
check "disk full: the rules are in the kernel anyway" '[ "$(rules)" -eq 2 ]'
check "disk full: exit 1" '[ $rc -eq 1 ]'
check "disk full: says what it could not record" 'grep -q "No space left on device" "$WORK/err"'
check "disk full: no temp file left" '[ -z "$(find "$STATE" -name "*.tmp*")" ]'
down; rc=$?
check "disk full: ip-down takes the rules away" '[ "$(rules)" -eq 0 ]'
rm -f "$STATE/fill"
up; rc=$?
check "room again: exit 0" '[ $rc -eq 0 ]'
check "room again: the journal records it" \
    '"$HOOKCTL" --state-dir "$STATE" --json events --limit 1 | jq -e ".[0].status == \"applied\"" >/dev/null'
check "room again: every journal line parses, no id twice" \
    'cat "$STATE"/journal/*.jsonl | jq -s . >/dev/null && ids_unique'

# ---- a read-only state dir --------------------------------------------------------
down
mount -o remount,ro "$STATE"
up; rc=$?
check "read-only: the rules are in the kernel anyway" '[ "$(rules)" -eq 2 ]'
check "read-only: exit 1, says so" '[ $rc -eq 1 ] && grep -q "Read-only file system" "$WORK/err"'
down
check "read-only: ip-down takes them away" '[ "$(rules)" -eq 0 ]'
mount -o remount,rw "$STATE"
up; rc=$?
check "writable again: exit 0, ids unique" '[ $rc -eq 0 ] && ids_unique'

# ---- a lock held by another process ------------------------------------------------
flock -o "$STATE/lock" sleep 10 &   # -o: the lock stays with flock, not with its sleep
HOLDER=$!
sleep 0.2
t0=$(date +%s%N); down; rc=$?; t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
echo "# lock held: gave up after $ms ms (budget 2000 ms)"
check "lock held: gives up within the budget" '[ $ms -ge 1800 ] && [ $ms -le 3000 ]'
check "lock held: exit 2 naming the holder" '[ $rc -eq 2 ] && grep -q "held by pid $HOLDER (flock -o .*sleep 10)" "$WORK/err"'
check "lock held: the rules were not touched" '[ "$(rules)" -eq 2 ]'
pkill -P "$HOLDER" sleep; kill "$HOLDER" 2>/dev/null; wait "$HOLDER" 2>/dev/null
down; rc=$?
check "lock free: ip-down applies" '[ $rc -eq 0 ] && [ "$(rules)" -eq 0 ]'

# ---- SIGTERM while a command runs --------------------------------------------------
ip netns exec "$NS" "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$STATE" \
    ppp ipv6-up ppp0 eth0 0 fe80::1 fe80::2 "" >"$WORK/out" 2>"$WORK/err" &
RUN=$!
sleep 0.3
t0=$(date +%s%N); kill -TERM "$RUN"; wait "$RUN"; rc=$?; t1=$(date +%s%N)
ms=$(((t1 - t0) / 1000000))
echo "# SIGTERM: exited after $ms ms"
check "SIGTERM: exits at once, status 1" '[ $ms -le 1000 ] && [ $rc -eq 1 ]'
# The command's group got SIGKILL before hookctl exited; a killed process still needs
# to be scheduled to finish dying, which on a loaded machine can take a moment.
sleep_gone() { for _ in $(seq 20); do pgrep -fx "sleep $SLEEP_ARG" >/dev/null || return 0; sleep 0.1; done; return 1; }
check "SIGTERM: the command was stopped" 'sleep_gone'
check "SIGTERM: says so" 'grep -q "SIGTERM" "$WORK/err"'
check "SIGTERM: the journal has the outcome" \
    '"$HOOKCTL" --state-dir "$STATE" --json events --limit 1 | jq -e ".[0].status == \"partial\"" >/dev/null'

# ---- bytes that are not UTF-8 ------------------------------------------------------
ip netns exec "$NS" env -i IFNAME=$'ppp\xff' "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$STATE" \
    ppp ip-up >"$WORK/out" 2>"$WORK/err"; rc=$?
check "non-UTF-8 IFNAME: refused (exit 2), no internal error" '[ $rc -eq 2 ] && ! grep -q "internal error" "$WORK/err"'
check "non-UTF-8 IFNAME: journaled, the bytes kept for replay" \
    '"$HOOKCTL" --state-dir "$STATE" --json events --limit 1 | jq -e ".[0].status == \"rejected\" and .[0].event.env.IFNAME.hex == \"707070ff\"" >/dev/null'
up
down; rc=$?
check "non-UTF-8 command output: the run succeeds" '[ $rc -eq 0 ] && ! grep -q "internal error" "$WORK/err"'
check "non-UTF-8 command output: escaped in the journal" \
    '"$HOOKCTL" --state-dir "$STATE" --json events --limit 1 | jq -e "[.[0].actions[] | select(.op == \"run\") | .message] | .[0] | contains(\"caf\")" >/dev/null'

netns_done
