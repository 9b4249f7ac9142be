#!/bin/bash
# `hookctl dhcpcd` over the captured dhcpcd 9.4.1 sequence, run with exactly each
# capture's environment (env -i): bind plans the prefix's rule, radvd.conf, the
# forwarder file with its restart, and the DNS record; renews plan nothing; a prefix
# change removes and adds; a release withdraws. --simulate touches no real file, and
# every event lands in the journal.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
run_seq() { hk_env "$1" --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd; }

n=0
for f in "$FIXTURES"/a-initial-start/0[1-7]-*.env; do
    run_seq "$f"
    n=$((n + 1))
    expect_rc 0
    expect_stdout_not_contains "rule ipv6"
done
expect_same "$(journal_count)" "$n" "journal entries after the link events"

run_seq a-initial-start/08-BOUND6
expect_rc 0
expect_stderr_empty
expect_stdout_contains "dhcpcd BOUND6 on wan0: applied, journal #8"
expect_stdout_contains "* wan0: delegated prefix iaid 2 added 2001:db8:100::/56"
expect_stdout_contains "[done] add rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_contains "[done] replace file $WORK/radvd.conf"
expect_stdout_contains "[done] add file $WORK/rdp-forward"
expect_stdout_contains "[done] SIGHUP radvd (pid in $WORK/radvd.pid)"
expect_stdout_contains "[done] restart rdp-forward.service"
expect_stdout_contains "[done] add dns router.dyn.example.org AAAA 2001:db8:100::321 ttl 300"
expect_stdout_contains "because wan0: delegated prefix iaid 2 added 2001:db8:100::/56"
# Simulated: the model changed, the files did not.
expect_file_absent "$WORK/radvd.conf"
expect_file_absent "$WORK/rdp-forward"
grep -qF '2001:db8:100::/56' "$STATE/state.json" && pass || fail "state.json lacks the delegated prefix"
python3 -c 'import json,sys; assert any(o.get("from") == "2001:db8:100::/64" for o in json.load(open(sys.argv[1]))["applied"])' \
    "$STATE/state.json" && pass || fail "state.json lacks the rule among the applied objects"

# Renews with the same prefix (DELEGATED6 repeats on int0 each time): nothing to do.
for f in "$FIXTURES"/b3-renew-timer/*.env; do
    run_seq "$f"
    expect_rc 0
    expect_stdout_contains ": applied, journal #"
    expect_stdout_contains "  nothing to do"
    expect_stdout_not_contains "[done]"
done

# The ISP hands out another /56.
for f in "$FIXTURES"/c1-prefix-change-rebind/0[1-3]-*.env; do
    run_seq "$f"
    expect_stdout_contains "nothing to do"
done
run_seq c1-prefix-change-rebind/04-REBIND6
expect_rc 0
expect_stdout_contains "* wan0: delegated prefix iaid 2 changed 2001:db8:100::/56 -> 2001:db8:1cd::/56"
expect_stdout_contains "[done] remove rule ipv6 10000: from 2001:db8:100::/64 lookup 100"
expect_stdout_contains "[done] add rule ipv6 10000: from 2001:db8:1cd::/64 lookup 100"
expect_stdout_contains "[done] replace file $WORK/radvd.conf"
expect_stdout_contains "[done] replace file $WORK/rdp-forward"
expect_stdout_contains "[done] replace dns router.dyn.example.org AAAA 2001:db8:1cd::321"
# Removal before addition.
rm_line=$(grep -n 'remove rule' <<<"$OUT" | cut -d: -f1)
add_line=$(grep -n 'add rule' <<<"$OUT" | cut -d: -f1)
[ -n "$rm_line" ] && [ -n "$add_line" ] && [ "$rm_line" -lt "$add_line" ] && pass || fail "rule removal not before addition"
python3 -c 'import json,sys; assert "2001:db8:100::/64" in json.dumps(json.load(open(sys.argv[1]))["facts"]["retired-prefixes"])' \
    "$STATE/state.json" && pass || fail "old prefix not retired in state.json"

# Release: the rule goes; radvd.conf keeps announcing the old prefixes (deprecated);
# the forwarder file and DNS record are held, not removed.
run_seq d1-release/01-STOPPED
expect_stdout_contains "nothing to do"
run_seq d1-release/02-RELEASE6
expect_rc 0
expect_stdout_contains "* wan0: delegated prefix iaid 2 removed 2001:db8:1cd::/56"
expect_stdout_contains "[done] remove rule ipv6 10000: from 2001:db8:1cd::/64 lookup 100"
expect_stdout_contains "[done] replace file $WORK/radvd.conf"
expect_stdout_not_contains "add rule"
expect_stdout_not_contains "remove dns"
expect_stdout_not_contains "remove file"
run_seq d1-release/03-ROUTERADVERT
expect_rc 0
run_seq d1-release/04-STOPPED
expect_rc 0

# 8 + 7 + 4 + 4 events, all recorded, in order, with their outcome.
expect_same "$(journal_count)" 23 "journal entries"
hk --state-dir "$STATE" events --limit 100
expect_rc 0
expect_same "$(grep -c '^#' <<<"$OUT")" 23 "events listed"
expect_stdout_contains "dhcpcd BOUND6 wan0"
expect_same "$(grep -F '#19 ' <<<"$OUT" | grep -oE 'REBIND6 wan0 +applied +7 actions' | wc -l)" 1 "event #19 line"

# The owned set after all this: only radvd.conf, the held forwarder file and DNS record.
hk --config "$CONFIG" --state-dir "$STATE" --simulate status
expect_rc 0
expect_stdout_contains "owned objects (3):"
expect_stdout_contains "lan lan: retired prefix 2001:db8:1cd::/64"
expect_stdout_not_contains "rule ipv6"

# Extra arguments are a usage error.
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd extra
expect_rc 2
expect_stderr_contains "hookctl: "

finish
