#!/bin/bash
# `hookctl events` and `hookctl status`, human and --json: what was recorded and
# what is known and owned now. Read-only: they never change the state dir.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
valid_json() { python3 -m json.tool >/dev/null <<<"$OUT" && pass || fail "not valid JSON"; }

# Nothing recorded yet.
hk --state-dir "$STATE" events
expect_rc 0
expect_stdout_equals "no events recorded in $STATE/journal"
hk --state-dir "$STATE" events --json
expect_rc 0
expect_stdout_equals "[]"
hk --state-dir "$STATE" --simulate status
expect_rc 0
expect_stdout_contains "facts:
  none yet
owned objects (0):"
expect_file_absent "$STATE"

# A bind, an unchanged renew, a rejected event, an event with a config error.
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
hk_env b3-renew-timer/02-RENEW6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
run_cmd env -i reason=BOUND6 interface=../x "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
expect_rc 2
hk --config "$WORK/missing.toml" --state-dir "$STATE" --simulate ppp ip-up ppp0 tty 0 198.51.100.7 203.0.113.1
expect_rc 2
before=$(state_sum)

hk --state-dir "$STATE" events
expect_rc 0
expect_same "$(grep -c '^#' <<<"$OUT")" 4 "event lines"
expect_same "$(grep -E '^#1 +.*dhcpcd BOUND6 wan0 +applied +6 actions$' <<<"$OUT" | wc -l)" 1 "line of #1"
expect_same "$(grep -E '^#2 +.*dhcpcd RENEW6 wan0 +applied +0 actions$' <<<"$OUT" | wc -l)" 1 "line of #2"
expect_same "$(grep -E '^#3 +.* rejected +0 actions  error: interface: ' <<<"$OUT" | wc -l)" 1 "line of #3"
expect_same "$(grep -E "^#4 +.*ppp ip-up +error +0 actions  error: $WORK/missing.toml: cannot read" <<<"$OUT" | wc -l)" 1 "line of #4"
hk --state-dir "$STATE" events --limit 2
expect_same "$(grep -c '^#' <<<"$OUT")" 2 "--limit 2"
expect_stdout_contains "#3 "
expect_stdout_contains "#4 "

hk --state-dir "$STATE" events --json
expect_rc 0
valid_json
python3 -c '
import json, sys
es = json.load(sys.stdin)
assert [e["id"] for e in es] == [1, 2, 3, 4], [e["id"] for e in es]
assert [e["status"] for e in es] == ["applied", "applied", "rejected", "error"]
assert es[0]["event"]["env"]["reason"] == "BOUND6"
assert "PATH" not in es[0]["event"]["env"]          # only what the parser reads
assert len(es[0]["actions"]) == 6 and es[1]["actions"] == []
assert es[2]["event"]["env"]["interface"] == "../x"  # the raw input is kept for replay
assert es[3]["event"]["args"] == ["ppp0", "tty", "0", "198.51.100.7", "203.0.113.1"]
' <<<"$OUT" && pass || fail "events --json content"
hk --state-dir "$STATE" events --limit x
expect_rc 2

# status: facts, owned objects (with origins), drift not checked when simulating.
hk --config "$CONFIG" --state-dir "$STATE" --simulate status
expect_rc 0
expect_stdout_contains "  wan0: delegated prefix iaid 2 2001:db8:100::/56"
expect_stdout_contains "owned objects (4):"
expect_stdout_contains "  rule ipv6 10000: from 2001:db8:100::/64 lookup 100
      from $CONFIG:14:1 [[rule]]"
expect_stdout_contains "  dns router.dyn.example.org AAAA 2001:db8:100::321"
expect_stdout_contains "drift: not checked"
expect_stdout_contains "last events:
  #1 BOUND6 wan0 applied
  #2 RENEW6 wan0 applied"

hk --config "$CONFIG" --state-dir "$STATE" --simulate --json status
expect_rc 0
valid_json
python3 -c '
import json, sys
s = json.load(sys.stdin)
assert s["facts"]["interfaces"]["wan0"]["dhcp6"]["prefixes"][0]["prefix"] == "2001:db8:100::/56"
assert len(s["owned"]) == 4
assert s["drift"]["checked"] is False
assert [e["id"] for e in s["last-events"]] == [1, 2, 3, 4]
assert s["last-events"][2]["status"] == "rejected"
' <<<"$OUT" && pass || fail "status --json content"
# --json given after the command works the same.
hk --config "$CONFIG" --state-dir "$STATE" --simulate status --json
valid_json

# A damaged state file is reported, naming it.
expect_same "$(state_sum)" "$before" "events/status changed the state"
cp "$STATE/state.json" "$WORK/state.good"
echo '{ broken' >"$STATE/state.json"
hk --state-dir "$STATE" --simulate status
expect_rc 2
expect_stderr_contains "hookctl: $STATE/state.json: "

finish
