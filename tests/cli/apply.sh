#!/bin/bash
# `hookctl apply`: reconcile with the stored facts after a config change (here with
# --simulate); --dry-run only plans; the run is journaled as an "apply" entry.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
hkc() { hk --config "$CONFIG" --state-dir "$STATE" "$@"; }
owned_tables() {
    python3 -c 'import json,sys; print(" ".join(str(o["table"]) for o in json.load(open(sys.argv[1]))["applied"] if o["kind"] == "rule"))' \
        "$STATE/state.json"
}

hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
expect_rc 0

# Nothing changed: files are re-ensured (the executor compares with the system),
# rules already owned are not touched.
hkc --simulate apply
expect_rc 0
expect_stdout_contains "apply: applied, journal #2"
expect_stdout_not_contains "rule"
expect_same "$(journal_count)" 2 "journal after apply"
python3 -c 'import json,sys; e=json.load(open(sys.argv[1])); assert e["kind"]=="apply" and e["status"]=="applied", e' \
    "$(journal_entry 2)" && pass || fail "apply journal entry"

expect_same "$(owned_tables)" "100" "owned rule tables before"

# The config's rule moves to another table: remove + add, in that order.
sed -i 's/^table = 100$/table = 200/' "$CONFIG"
grep -q '^table = 200$' "$CONFIG" || fail "could not edit the config"
before=$(state_sum)
hkc --dry-run apply
expect_rc 0
expect_stdout_contains "apply: planned"
expect_stdout_contains "[planned] remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_contains "[planned] add rule ipv6 10000: from 2001:db8:100::/64 lookup 200"
expect_same "$(state_sum)" "$before" "apply --dry-run changed the state"
expect_same "$(journal_count)" 2 "apply --dry-run journaled"

hkc --simulate apply --json
expect_rc 0
python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "applied"
d = [a["describe"] for a in r["actions"]]
rm = d.index("remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100")
add = d.index("add rule ipv6 10000: from 2001:db8:100::/64 lookup 200")
assert rm < add, d
assert all(a["result"] == "done" for a in r["actions"]), r["actions"]
' <<<"$OUT" && pass || fail "apply --json"
expect_same "$(owned_tables)" "200" "owned rule tables"

# Again: the rules are settled now.
hkc --simulate apply
expect_rc 0
expect_stdout_not_contains "rule"

# A config that does not load: exit 2, nothing changes.
before=$(state_sum)
echo 'bogus = 1' >>"$CONFIG"
hkc --simulate apply
expect_rc 2
expect_stderr_contains "hookctl: $CONFIG:"
expect_stderr_contains "unknown key 'bogus'"
expect_same "$(state_sum)" "$before" "a failed apply changed the state"
hkc --simulate apply extra
expect_rc 2

finish
