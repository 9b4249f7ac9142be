#!/bin/bash
# The real CLI as pppd runs it, in a network namespace with a veth named ppp0:
# ipv6-up sets the scenario's four sysctls (and writes nothing the second time);
# ip-up adds the two static rules to table 199 with no duplicate on repeat;
# ip-down removes exactly them; foreign and builtin rules survive every event; a
# rule deleted behind hookctl's back shows as drift and `apply` restores it.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
HOOKCTL=$(netns_find_hookctl) || exit 1

netns_setup hookctl-ppp
netns_veth ppp0

cat >"$WORK/hookctl.toml" <<'EOF'
[uplink.tkom]
interface = "ppp0"
sysctl.ipv6 = { use_tempaddr = 1, forwarding = 0, autoconf = 1, accept_ra = 1 }
# An event-bound command: its output and exit status must reach the journal.
on.ip-down = [["/bin/sh", "-c", "echo ip-down-ran-$((6*7)); exit 3"]]

[[rule]]
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = 199
while = "tkom"
EOF

# pppd's argv: interface tty speed local remote ipparam
ipv6_up() { hk ppp ipv6-up ppp0 /dev/ttyS0 115200 fe80::1 fe80::2 tkom; }
ip_up() { hk ppp ip-up ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom; }
ip_down() { hk ppp ip-down ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom; }
sysctls() { ip netns exec "$NS" sh -c 'cd /proc/sys/net/ipv6/conf/ppp0 && echo $(cat use_tempaddr forwarding autoconf accept_ra)'; }
count() { ip -n "$NS" rule show | grep -cF -- "$1"; }
others() { ip -n "$NS" rule show | grep -v 'proto 211'; }

ip netns exec "$NS" sh -c 'cd /proc/sys/net/ipv6/conf/ppp0 && echo 0 >use_tempaddr && echo 1 >forwarding && echo 0 >autoconf && echo 0 >accept_ra'
ip -n "$NS" rule add to 198.51.100.10/32 priority 10000 table 200   # same selector, other table
ip -n "$NS" rule add from 192.0.2.0/24 priority 500 table 300       # unrelated
OTHERS=$(others)

ipv6_up >"$WORK/out" 2>&1 || fail "ipv6-up exit status"
expect "ipv6-up sets the four sysctls" "1 0 1 1" sysctls
expect "ipv6-up wrote all four" 4 grep -c '^  \[done\] add sysctl' "$WORK/out"
ipv6_up >"$WORK/out" 2>&1
expect "second ipv6-up writes nothing" 1 grep -c 'nothing to do' "$WORK/out"

ip_up >/dev/null 2>&1 || fail "ip-up exit status"
expect "ip-up adds rule 1" 1 count "to 198.51.100.10 lookup 199 proto 211"
expect "ip-up adds rule 2" 1 count "to 203.0.113.20 lookup 199 proto 211"
ip_up >/dev/null 2>&1
expect "ip-up twice: no duplicate" 2 count "proto 211"
expect "foreign and builtin rules untouched by ip-up" "$OTHERS" others

ip -n "$NS" rule del to 203.0.113.20/32 priority 10000 table 199 protocol 211
hk status >"$WORK/out" 2>&1
expect "status shows the deleted rule as drift" 1 sh -c "grep -A3 '^drift' '$WORK/out' | grep -c '203.0.113.20'"
hk apply >/dev/null 2>&1 || fail "apply exit status"
expect "apply restores it" 1 count "to 203.0.113.20 lookup 199 proto 211"
expect "and creates no duplicate" 2 count "proto 211"

# The on.ip-down command exits 3: hookctl exits 1, every other action still ran.
ip_down >/dev/null 2>&1
expect "ip-down with a failing command exits 1" 1 echo $?
expect "ip-down removes both rules" 0 count "proto 211"
expect "foreign and builtin rules untouched by ip-down" "$OTHERS" others
last_run() { hk --json events --limit 1 | python3 -c '
import json, sys
for a in json.load(sys.stdin)[0]["actions"]:
    if a["op"] == "run": print(a["result"], a["message"])'; }
expect "the journal keeps the command's exit status and output" "failed exit 3; output: ip-down-ran-42" last_run
ip_down >/dev/null 2>&1
expect "second ip-down is harmless" "$OTHERS" others

netns_done
