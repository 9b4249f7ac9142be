#!/bin/bash
# `hookctl ppp SCRIPT ARGS...` with pppd's 5 arguments and Debian's 6; the script
# inferred from argv[0] (a link named ip-up, ip-down.sh, a link inside ipv6-up.d/);
# an unknown script is a usage error with a did-you-mean.
. "$(dirname "$0")/lib.sh"

cat >"$CONFIG" <<'TOML'
[uplink.tkom]
interface = "ppp0"
sysctl.ipv6 = { accept_ra = 1 }
on.ipv6-up = [["rdisc6", "ppp0"]]

[[rule]]
from = "tkom.ipv4"
table = 199

[[rule]]
to = "2001:db8:ffff::/48"
table = 199
while = "tkom"
TOML
ppp() { hk --config "$CONFIG" --state-dir "$STATE" --simulate ppp "$@"; }

# pppd itself: 5 arguments (no ipparam).
ppp ip-up ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1
expect_rc 0
expect_stderr_empty
expect_stdout_contains "ppp ip-up on ppp0: applied, journal #1"
expect_stdout_contains "* ppp0: ipv4 address (ppp) added 198.51.100.7"
expect_stdout_contains "* ppp0: ipv4 peer (ppp) added 203.0.113.1"
expect_stdout_contains "[done] add rule ipv4 10000: from 198.51.100.7/32 lookup 199"
expect_stdout_not_contains "sysctl"          # IPv6 is not up
expect_stdout_not_contains "2001:db8:ffff"   # nor is the v6 `while` rule

# Debian's run-parts wrapper: 6 arguments, the last (ipparam) empty. Same facts.
ppp ip-up ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1 ""
expect_rc 0
expect_stdout_contains "nothing to do"

# ipv6-up with an ipparam: sysctls, the v6 rule and the event's command.
ppp ipv6-up ppp0 /dev/ttyS0 0 fe80::1 fe80::2 kd
expect_rc 0
expect_stdout_contains "[done] add sysctl net.ipv6.conf.ppp0.accept_ra = 1"
expect_stdout_contains "[done] add rule ipv6 10000: from all to 2001:db8:ffff::/48 lookup 199"
expect_stdout_contains "[done] run rdisc6 ppp0"
expect_stdout_contains "because event ipv6-up on ppp0"
grep -qF '"kd"' "$STATE/state.json" && pass || fail "ipparam not in state.json"

# ip-down: the IPv4 rule goes, IPv6's stays.
ppp ip-down ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1 kd
expect_rc 0
expect_stdout_contains "[done] remove rule ipv4 10000: from 198.51.100.7/32 lookup 199"
expect_stdout_not_contains "remove rule ipv6"

# Wrong argument counts and values are rejected and journaled.
ppp ip-up ppp0 /dev/ttyS0 0
expect_rc 2
expect_stderr_equals "hookctl: argv[4]: missing local address (and IPLOCAL not set)"
ppp ip-up ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1 kd extra
expect_rc 2
expect_stderr_equals "hookctl: argv: expected at most 6 arguments (ifname tty speed local remote ipparam), got 7"
ppp ip-up ppp0 /dev/ttyS0 0 banana 203.0.113.1
expect_rc 2
expect_stderr_equals 'hookctl: argv[4]: not an IPv4 address: "banana"'

# Unknown script: usage error, nothing journaled.
n=$(journal_count)
ppp ip-upp ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1
expect_rc 2
expect_stderr_equals "hookctl: ppp: unknown script 'ip-upp'
  hint: did you mean 'ip-up'?"
ppp ipv6-dwon ppp0
expect_rc 2
expect_stderr_equals "hookctl: ppp: unknown script 'ipv6-dwon'
  hint: did you mean 'ipv6-down'?"
ppp
expect_rc 2
expect_stderr_contains "ppp: missing SCRIPT"
expect_same "$(journal_count)" "$n" "usage errors journaled"

# --- argv[0] inference. Such a run takes no options (pppd's arguments are the whole
# argv), so it finds config and state through HOOKCTL_CONFIG/HOOKCTL_STATE_DIR and
# acts for real: prove the inference with rejected events (no action is attempted),
# and run valid ones only inside a private network namespace.
mkdir -p "$WORK/bin" "$WORK/ppp/ipv6-up.d" "$WORK/ppp/ip-down.d"
ln -s "$HOOKCTL" "$WORK/bin/ip-up"
ln -s "$HOOKCTL" "$WORK/bin/ip-down.sh"
ln -s "$HOOKCTL" "$WORK/bin/ipv6-down.sh"
ln -s "$HOOKCTL" "$WORK/ppp/ipv6-up.d/50-hookctl"
ln -s "$HOOKCTL" "$WORK/ppp/ip-down.d/hookctl.sh"
ln -s "$HOOKCTL" "$WORK/bin/hookctl-other"
INFER=$WORK/infer-state
export HOOKCTL_STATE_DIR=$INFER

check_inferred() {  # LINK SCRIPT: a bad address in argv[4] names the script in the journal
    run_cmd "$1" ppp0 /dev/ttyS0 0 not-an-address 203.0.113.1 ""
    expect_rc 2
    expect_stderr_contains "argv[4]: not a"
    hk --state-dir "$INFER" events --json --limit 1
    python3 -c 'import json,sys; e=json.load(sys.stdin)[-1]; print(e["event"]["source"], e["event"]["script"], e["status"])' \
        <<<"$OUT" >"$WORK/.last"
    expect_same "$(cat "$WORK/.last")" "ppp $2 rejected" "event recorded for $1"
}
check_inferred "$WORK/bin/ip-up" ip-up
check_inferred "$WORK/bin/ip-down.sh" ip-down
check_inferred "$WORK/bin/ipv6-down.sh" ipv6-down
check_inferred "$WORK/ppp/ipv6-up.d/50-hookctl" ipv6-up
check_inferred "$WORK/ppp/ip-down.d/hookctl.sh" ip-down
# A name that says nothing: the first argument is taken as a command.
run_cmd "$WORK/bin/hookctl-other" ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1
expect_rc 2
expect_stderr_equals "hookctl: unknown command 'ppp0'
  hint: did you mean 'ppp'?"

cat >"$WORK/netns.toml" <<'TOML'
[uplink.tkom]
interface = "ppp0"

[[rule]]
from = "tkom.ipv4"
table = 199

[[rule]]
to = "2001:db8:ffff::/48"
table = 199
while = "tkom"
TOML
export HOOKCTL_CONFIG=$WORK/netns.toml HOOKCTL_STATE_DIR=$WORK/netns-state
if in_netns "$WORK/bin/ip-up" ppp0 /dev/ttyS0 0 198.51.100.7 203.0.113.1 ""; [ "$RC" != 77 ]; then
    expect_rc 0
    expect_stdout_contains "ppp ip-up on ppp0: applied"
    expect_stdout_contains "[done] add rule ipv4 10000: from 198.51.100.7/32 lookup 199"
    in_netns "$WORK/ppp/ipv6-up.d/50-hookctl" ppp0 /dev/ttyS0 0 fe80::1 fe80::2
    expect_rc 0
    expect_stdout_contains "ppp ipv6-up on ppp0: applied"
    expect_stdout_contains "add rule ipv6 10000: from all to 2001:db8:ffff::/48 lookup 199"
else
    echo "# skipped the valid argv0 runs: no private network namespace (unshare -n / -rn)"
fi

finish
