#!/bin/bash
# pppd runs its scripts with umask 077 and no PATH: the state hookctl creates must
# still be readable (0755 directories, 0644 files), and it must not need PATH.
. "$(dirname "$0")/lib.sh"

(umask 077; env -i "$HOOKCTL" --simulate --config "$SOURCE_ROOT/examples/minimal.toml" --state-dir "$STATE" \
    ppp ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1 "" >/dev/null 2>&1)
expect_same "$?" 0 "ip-up under umask 077 with an empty environment"
mode() { stat -c %a "$1"; }
expect_same "$(mode "$STATE")" 755 "state dir mode"
expect_same "$(mode "$STATE/journal")" 755 "journal dir mode"
expect_same "$(mode "$STATE/state.json")" 644 "state.json mode"
expect_same "$(mode "$STATE/journal/last-id")" 644 "last-id mode"
expect_same "$(mode "$STATE/journal/00000001.jsonl")" 644 "journal segment mode"

finish
