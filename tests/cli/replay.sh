#!/bin/bash
# `hookctl replay ID|--last [--apply]`: a recorded raw event goes through the same
# parser again; without --apply it only plans (nothing written, nothing journaled);
# with --apply (here --simulate) it acts and is journaled as a new event.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
hkc() { hk --config "$CONFIG" --state-dir "$STATE" "$@"; }
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd   # #1
expect_rc 0
hk_env d1-release/02-RELEASE6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd      # #2
expect_rc 0
expect_stdout_contains "remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
before=$(state_sum)

# Replaying the bind after the release: it would add the rule back. Dry run.
hkc replay 1
expect_rc 0
expect_stderr_empty
expect_stdout_contains "dhcpcd BOUND6 on wan0: planned"
expect_stdout_contains "[planned] add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_same "$(state_sum)" "$before" "replay ID changed the state"
expect_same "$(journal_count)" 2 "replay ID journaled"

# --last is the release: against the state it produced, nothing to do.
hkc replay --last
expect_rc 0
expect_stdout_contains "dhcpcd RELEASE6 on wan0: planned"
expect_stdout_contains "nothing to do"
expect_same "$(state_sum)" "$before" "replay --last changed the state"
expect_same "$(journal_count)" 2 "replay --last journaled"

# --dry-run wins over --apply.
hkc --dry-run replay 1 --apply
expect_rc 0
expect_stdout_contains "[planned] add rule"
expect_same "$(state_sum)" "$before" "replay --apply --dry-run changed the state"

# --apply acts (on the model) and records a new event.
hkc --simulate replay 1 --apply
expect_rc 0
expect_stdout_contains "dhcpcd BOUND6 on wan0: applied, journal #3"
expect_stdout_contains "[done] add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
[ "$(state_sum)" != "$before" ] && pass || fail "replay --apply did not change the state"
expect_same "$(journal_count)" 3 "journal after replay --apply"
hkc --simulate replay --last --apply
expect_rc 0
expect_stdout_contains "journal #4"
expect_stdout_contains "nothing to do"   # the same event twice changes nothing

# The replayed entry holds the original raw event.
python3 -c '
import json, sys
a = json.load(open(sys.argv[1])); b = json.load(open(sys.argv[2]))
assert a["event"]["env"] == b["event"]["env"], "env differs"
assert a["event"]["env"]["reason"] == "BOUND6"
' "$(journal_entry 1)" "$(journal_entry 3)" && pass || fail "replayed raw event differs"

# Errors.
hkc replay 99
expect_rc 2
expect_stderr_equals 'hookctl: no event #99 in the journal (see `hookctl events`)'
hkc replay abc
expect_rc 2
expect_stderr_equals "hookctl: replay: 'abc' is not an event id (see \`hookctl events\`)"
hkc replay -- -1
expect_rc 2
expect_stderr_contains "is not an event id"
hkc replay
expect_rc 2
expect_stderr_equals "hookctl: replay: give an event ID or --last"
hk --config "$CONFIG" --state-dir "$WORK/empty" replay --last
expect_rc 2
expect_stderr_equals "hookctl: the journal is empty"
# An `apply` entry is not an event.
hkc --simulate apply
expect_rc 0
last=$(journal_count)
hkc replay "$last"
expect_rc 2
expect_stderr_equals "hookctl: journal #$last is not an event (it is 'apply')"

finish
