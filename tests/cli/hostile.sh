#!/bin/bash
# Hostile hook input: shell metacharacters, a newline, a 10 kB value, a path for an
# interface, a word for an address. Each is rejected with exit 2 and the variable's
# name on stderr, recorded in the journal as rejected, and leaves state.json
# byte for byte as they were. Nothing is ever run through a shell.
. "$(dirname "$0")/lib.sh"

lab_config "$CONFIG"
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
expect_rc 0
before=$(state_sum)
grep -q 'absent' <<<"$before" && fail "state files missing after the bind"

big=$(head -c 10240 /dev/zero | tr '\0' a)
# name|variable at fault|environment (one VAR=value per array element)
hostile() {
    local name=$1 variable=$2
    shift 2
    run_cmd env -i "$@" "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
    expect_rc 2
    expect_stderr_contains "hookctl: $variable: "
    expect_stdout_contains ": rejected, journal #"
    expect_stdout_not_contains "[done]"
    expect_same "$(state_sum)" "$before" "$name: state changed"
    hk --state-dir "$STATE" events --limit 1
    expect_stdout_contains "rejected"
    expect_stdout_contains "error: $variable: "
    hk --state-dir "$STATE" events --json --limit 1
    python3 -c 'import json,sys; e=json.load(sys.stdin)[0]; assert e["status"]=="rejected", e' <<<"$OUT" \
        && pass || fail "$name: journal entry not rejected"
}

hostile "command substitution in a prefix" new_dhcp6_ia_pd1_prefix1 \
    reason=BOUND6 interface=wan0 new_dhcp6_ia_pd1_iaid=00000002 'new_dhcp6_ia_pd1_prefix1=$(touch '"$WORK"'/pwned)' \
    new_dhcp6_ia_pd1_prefix1_length=56
hostile "backticks and semicolons in an address" new_ip_address \
    reason=BOUND interface=wan0 'new_ip_address=192.0.2.7;`touch '"$WORK"'/pwned`' new_subnet_cidr=24
hostile "a newline in the interface" interface \
    reason=BOUND6 interface=$'wan0\nrm -rf /'
hostile "10 kB value" new_delegated_dhcp6_prefix \
    reason=DELEGATED6 interface=int0 "new_delegated_dhcp6_prefix=$big"
hostile "path traversal as the interface" interface \
    reason=BOUND6 interface=../x
hostile "a word for an address" new_ip_address \
    reason=BOUND interface=wan0 new_ip_address=router new_subnet_cidr=24
hostile "an unknown reason" reason \
    reason='BOUND6|reboot' interface=wan0
expect_file_absent "$WORK/pwned"

# The 10 kB value is not echoed whole: the message stays short.
run_cmd env -i reason=DELEGATED6 interface=int0 "new_delegated_dhcp6_prefix=$big" \
    "$HOOKCTL" --config "$CONFIG" --state-dir "$STATE" --simulate dhcpcd
[ "${#ERR}" -lt 400 ] && pass || fail "stderr is ${#ERR} bytes for a 10 kB value"

# pppd's argv the same way.
ppp() { hk --config "$CONFIG" --state-dir "$STATE" --simulate ppp "$@"; }
ppp ip-up ../x /dev/ttyS0 0 198.51.100.7 203.0.113.1
expect_rc 2
expect_stderr_contains "hookctl: argv[1]: "
ppp ip-up ppp0 /dev/ttyS0 0 '198.51.100.7; reboot' 203.0.113.1
expect_rc 2
expect_stderr_contains "hookctl: argv[4]: "
ppp ip-up ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1 $'kd\nx'
expect_rc 2
expect_stderr_contains "hookctl: argv[6]: "
expect_same "$(state_sum)" "$before" "ppp: state changed"

# And nothing was left half-written in the state dir.
leftovers=$(find "$STATE" -name '*.tmp*' | wc -l)
expect_same "$leftovers" 0 "temp files left in the state dir"

finish
