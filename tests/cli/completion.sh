#!/bin/bash
# The bash completion (packaging/bash-completion/hookctl) in a real bash: commands
# from --help, options per command (each one hookctl accepts), option values, pppd
# scripts, and event ids for `replay` from `hookctl events --ids`, which lists only
# what replay takes (not `apply` runs).
. "$(dirname "$0")/lib.sh"

COMPLETION=$SOURCE_ROOT/packaging/bash-completion/hookctl
lab_config "$CONFIG"

# A journal: two dhcpcd events (#1, #2), an apply (#3), a ppp event (#4).
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
hk_env b3-renew-timer/02-RENEW6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
hk --config "$CONFIG" --state-dir "$STATE" --simulate apply
expect_rc 0
hk --config "$CONFIG" --state-dir "$STATE" --simulate ppp ip-up ppp0 tty 0 198.51.100.7 203.0.113.1
hk --state-dir "$STATE" events
expect_same "$(grep -c '^#' <<<"$OUT")" 4 "journal entries"

hk --state-dir "$STATE" events --ids
expect_rc 0
expect_stdout_equals "1
2
4"
# --limit counts entries, as for the listing: the newest two are #3 (apply) and #4.
hk --state-dir "$STATE" events --ids --limit 2
expect_stdout_equals "4"
hk --state-dir "$WORK/empty" events --ids
expect_rc 0
expect_stdout_equals ""

# complete LINE: what _hookctl offers with the cursor at the end of LINE ("hookctl"
# stands for the binary), one a line, sorted.
complete() {
    local line=${1/#hookctl/$HOOKCTL}
    LAST_CMD="complete '$1'"
    OUT=$(COMP_LINE=$line bash -c '
        . "$1"
        COMP_POINT=${#COMP_LINE}
        _hookctl
        printf "%s\n" "${COMPREPLY[@]}"' bash "$COMPLETION" | sort)
    RC=$?
}

complete "hookctl "
for c in dhcpcd ppp plan replay events status check apply; do
    grep -qx "$c" <<<"$OUT" && pass || fail "command $c not offered"
done
# Every word offered is a command of --help (new commands come from there).
hk --help
help=$OUT
complete "hookctl "
while read -r w; do
    grep -q "^  $w " <<<"$help" && pass || fail "'$w' offered but not a command in --help"
done <<<"$OUT"
complete "hookctl ev"
expect_stdout_equals "events"
complete "hookctl --st"
expect_stdout_equals "--state-dir"
complete "hookctl --json st"
expect_stdout_equals "status"

# Event ids: from the state dir in the environment, or the one on the line.
complete "hookctl replay "
expect_stdout_equals "1
2
4"
complete "hookctl --state-dir $WORK/empty replay "
expect_stdout_equals ""
complete "hookctl --state-dir=$STATE replay "
expect_stdout_equals "1
2
4"
complete "hookctl replay 1 "
expect_stdout_equals ""

# Options per command, and hookctl takes each of them.
complete "hookctl replay --"
expect_stdout_equals "--apply
--config
--dry-run
--json
--last
--simulate
--state-dir"
complete "hookctl events --"
expect_stdout_contains "--ids"
expect_stdout_contains "--limit"
complete "hookctl plan --"
expect_stdout_contains "--env-file"
for args in "events --limit 1" "events --ids" "replay --last" "replay 1 --apply --dry-run" \
    "plan --env-file $FIXTURES/a-initial-start/08-BOUND6.env --source dhcpcd --arg x"; do
    # shellcheck disable=SC2086 # the words of $args
    hk --config "$CONFIG" --state-dir "$STATE" --dry-run $args
    if grep -q "unrecognised option" <<<"$ERR"; then fail "hookctl refuses $args"; else pass; fi
done

# Values: pppd scripts, --source (bash splits at ':' and '=': the reply is the rest).
complete "hookctl ppp "
expect_stdout_equals "ip-down
ip-up
ipv6-down
ipv6-up"
complete "hookctl ppp ipv6"
expect_stdout_equals "ipv6-down
ipv6-up"
complete "hookctl ppp ip-up "
expect_stdout_equals ""
complete "hookctl plan --source "
expect_stdout_equals "dhcpcd
ppp:ip-down
ppp:ip-up
ppp:ipv6-down
ppp:ipv6-up"
complete "hookctl plan --source ppp:ipv"
expect_stdout_equals "ipv6-down
ipv6-up"
complete "hookctl plan --source=ppp:ipv6-u"
expect_stdout_equals "ipv6-up"
complete "hookctl --config $WORK/hookc"
expect_stdout_equals "$WORK/hookctl.toml"
complete "hookctl --config=$WORK/hookc"
expect_stdout_equals "$WORK/hookctl.toml"
complete "hookctl check $WORK/hookc"
expect_stdout_equals "$WORK/hookctl.toml"

finish
