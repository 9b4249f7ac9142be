#!/bin/bash
# A hook run whose config does not load: exit 2 with the config error on stderr, the
# event still journaled (status error, raw input kept for replay), no facts or
# applied objects written. With --dry-run nothing is journaled.
. "$(dirname "$0")/lib.sh"

printf '[uplink.isp]\ninterface = "wan0"\npd-iad = 2\n' >"$CONFIG"

hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
expect_rc 2
expect_stdout_equals ""
expect_stderr_equals "hookctl: $CONFIG:3:1: unknown key 'pd-iad' in [uplink.isp]
  hint: did you mean 'pd-iaid'?"
expect_same "$(journal_count)" 1 "journal entries"
expect_file_absent "$STATE/state.json"
python3 -c '
import json, sys
e = json.load(open(sys.argv[1]))
assert e["status"] == "error", e["status"]
assert "unknown key" in e["error"], e["error"]
assert e["event"]["source"] == "dhcpcd" and e["event"]["env"]["reason"] == "BOUND6"
' "$(journal_entry 1)" && pass || fail "journal entry of the failed run"

# pppd the same way, with a missing config file.
hk --config "$WORK/absent.toml" --state-dir "$STATE" --simulate ppp ip-up ppp0 tty 0 198.51.100.7 203.0.113.1
expect_rc 2
expect_stderr_equals "hookctl: $WORK/absent.toml: cannot read the config file: No such file or directory"
expect_same "$(journal_count)" 2 "journal entries"
hk --state-dir "$STATE" events
expect_same "$(grep -c ' error ' <<<"$OUT")" 2 "error events listed"

# Once the config is fixed, replaying the recorded event works.
sed -i 's/pd-iad/pd-iaid/' "$CONFIG"
hk --config "$CONFIG" --state-dir "$STATE" --simulate replay 1 --apply
expect_rc 0
expect_stdout_contains "dhcpcd BOUND6 on wan0: applied, journal #3"
expect_stdout_contains "* wan0: delegated prefix iaid 2 added 2001:db8:100::/56"

# --dry-run: the error, but no journal entry.
printf 'nonsense\n' >"$CONFIG"
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$WORK/dry" --dry-run dhcpcd
expect_rc 2
expect_stderr_contains "hookctl: $CONFIG:1:"
expect_file_absent "$WORK/dry"

finish
