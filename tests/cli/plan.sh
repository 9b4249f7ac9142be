#!/bin/bash
# `hookctl plan --env-file F [--source ppp:SCRIPT -- ARGS]`: prints what an event
# would do against the current state and writes nothing (no state dir is created,
# an existing one is left byte for byte). Usage and env-file errors exit 2.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
plan() { hk --config "$CONFIG" --state-dir "$STATE" plan "$@"; }

# No state yet: the bind's whole plan, and the state dir is not even created.
plan --env-file "$FIXTURES/a-initial-start/08-BOUND6.env"
expect_rc 0
expect_stderr_empty
expect_stdout_contains "dhcpcd BOUND6 on wan0: planned ("
expect_stdout_not_contains "journal #"
expect_stdout_contains "[planned] add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_contains "[planned] add file $WORK/radvd.conf"
expect_stdout_contains "[planned] add dns router.dyn.example.org AAAA 2001:db8:100::321"
expect_file_absent "$STATE"
expect_file_absent "$WORK/radvd.conf"

# --json: the same plan, machine-readable.
plan --env-file "$FIXTURES/a-initial-start/08-BOUND6.env" --json
expect_rc 0
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "planned", r["status"]
assert r["name"] == "BOUND6" and r["interface"] == "wan0"
ops = [a["describe"] for a in r["actions"]]
assert "add rule ipv6 10000: from 2001:db8:100::/64 lookup 100" in ops, ops
assert all("result" not in a for a in r["actions"])
assert isinstance(r["elapsed-us"], int)
' <<<"$OUT" && pass || fail "plan --json"

# With state: an unchanged renew plans nothing, a prefix change plans the move;
# neither touches the state files or the journal.
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
expect_rc 0
before=$(state_sum)
journal_before=$(journal_count)
plan --env-file "$FIXTURES/b3-renew-timer/02-RENEW6.env"
expect_rc 0
expect_stdout_contains "dhcpcd RENEW6 on wan0: planned"
expect_stdout_contains "nothing to do"
plan --env-file "$FIXTURES/c1-prefix-change-rebind/04-REBIND6.env"
expect_rc 0
expect_stdout_contains "[planned] remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_contains "[planned] add rule ipv6 10000: from 2001:db8:1cd::/64 lookup 100"
expect_same "$(state_sum)" "$before" "plan changed the state"
expect_same "$(journal_count)" "$journal_before" "plan wrote to the journal"
# Planning the same change twice gives the same plan (nothing was recorded).
first=$OUT
plan --env-file "$FIXTURES/c1-prefix-change-rebind/04-REBIND6.env"
expect_same "$(grep -F '[planned]' <<<"$OUT")" "$(grep -F '[planned]' <<<"$first")" "second plan differs"

# A pppd event: --source ppp:SCRIPT and pppd's arguments after --.
printf '# pppd sets these too\nIPPARAM_UNUSED=1\n' >"$WORK/ppp.env"
plan --env-file "$WORK/ppp.env" --source ppp:ip-up -- ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1
expect_rc 0
expect_stdout_contains "ppp ip-up on ppp0: planned"
expect_stdout_contains "* ppp0: ipv4 address (ppp) added 198.51.100.7"
# Arguments may come from the environment file instead (pppd's own variables).
printf 'IFNAME=ppp0\nIPLOCAL=198.51.100.9\nIPREMOTE=203.0.113.1\n' >"$WORK/ppp-env-only.env"
plan --env-file "$WORK/ppp-env-only.env" --source ppp:ip-up
expect_rc 0
expect_stdout_contains "* ppp0: ipv4 address (ppp) added 198.51.100.9"
# A rejected event in a plan: exit 2, the variable named, still nothing written.
plan --env-file "$WORK/ppp.env" --source ppp:ip-up -- ppp0 /dev/ttyS0 0 banana 203.0.113.1
expect_rc 2
expect_stdout_contains "rejected"
expect_stderr_contains "hookctl: argv[4]: "
expect_same "$(state_sum)" "$before" "a rejected plan changed the state"
expect_same "$(journal_count)" "$journal_before" "a rejected plan wrote to the journal"

# Errors.
plan
expect_rc 2
expect_stderr_equals 'hookctl: plan: --env-file FILE is required (or use `hookctl replay ID`)'
plan --env-file "$WORK/absent.env"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/absent.env: no such file"
printf 'reason=BOUND6\n\n# fine so far\ninterface wan0\n' >"$WORK/malformed.env"
plan --env-file "$WORK/malformed.env"
expect_rc 2
expect_stdout_equals ""
expect_stderr_equals "hookctl: $WORK/malformed.env:4: expected VAR=value, got \"interface wan0\""
printf 'reason=BOUND6\ninterface=wan0\\t\n' >"$WORK/escape.env"
plan --env-file "$WORK/escape.env"
expect_rc 2
expect_stderr_contains "hookctl: $WORK/escape.env:2: interface: unknown escape"
printf 'reason=BOUND6\nreason=RENEW6\n' >"$WORK/twice.env"
plan --env-file "$WORK/twice.env"
expect_rc 2
expect_stderr_equals "hookctl: $WORK/twice.env:2: reason set twice"
plan --env-file "$WORK/ppp.env" --source ppp:ip-upp
expect_rc 2
expect_stderr_equals "hookctl: --source: unknown ppp script 'ip-upp'"
plan --env-file "$WORK/ppp.env" --source pppd
expect_rc 2
expect_stderr_equals "hookctl: --source: expected 'dhcpcd' or 'ppp:SCRIPT', got 'pppd'"
plan --env-file "$WORK/ppp.env" --bogus
expect_rc 2
expect_stderr_contains "bogus"
expect_same "$(state_sum)" "$before" "errors changed the state"

finish
