#!/bin/bash
# pppd runs its scripts with umask 077 and no PATH: the state hookctl creates gets
# its modes explicitly (a private 0700 directory, 0600 files, whatever the umask;
# the same under umask 000), and hookctl must not need PATH.
. "$(dirname "$0")/lib.sh"

(umask 077; env -i "$HOOKCTL" --simulate --config "$SOURCE_ROOT/examples/minimal.toml" --state-dir "$STATE" \
    ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >/dev/null 2>&1)
expect_same "$?" 0 "ip-up under umask 077 with an empty environment"
mode() { stat -c %a "$1"; }
expect_same "$(mode "$STATE")" 700 "state dir mode"
expect_same "$(mode "$STATE/journal")" 700 "journal dir mode"
expect_same "$(mode "$STATE/state.json")" 600 "state.json mode"
expect_same "$(mode "$STATE/journal/last-id")" 600 "last-id mode"
expect_same "$(mode "$STATE/journal/00000001.jsonl")" 600 "journal segment mode"

rm -rf "$STATE"
(umask 000; env -i "$HOOKCTL" --simulate --config "$SOURCE_ROOT/examples/minimal.toml" --state-dir "$STATE" \
    ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >/dev/null 2>&1)
expect_same "$(mode "$STATE")" 700 "state dir mode under umask 000"
expect_same "$(mode "$STATE/state.json")" 600 "state.json mode under umask 000"
expect_same "$(mode "$STATE/journal/00000001.jsonl")" 600 "journal segment mode under umask 000"

finish
