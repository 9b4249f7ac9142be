#!/bin/bash
# Rules, routes and sysctls against the real kernel, in a network namespace this
# script creates and removes. Drives SystemExecutor through tests/netns_driver
# (no CLI, no engine): ownership by protocol tag, no duplicates, foreign and
# builtin rules untouched, exact error texts. Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
# The driver sits next to the binary's build tree: <build>/tests/netns_driver.
DRIVER=$(netns_find_driver netns_driver NETNS_DRIVER) || exit 1

netns_setup hookctl-rr
TAG=211

in_ns() { ip netns exec "$NS" "$@"; }
drv() { in_ns "$DRIVER" --protocol "$TAG" "$@"; }

# count PATTERN [-6]: how many `ip rule` lines match the (fixed-string) pattern.
count_rules() {
    local fam=${2:--4}
    ip -n "$NS" "$fam" rule show | grep -cF -- "$1"
}
builtin_rules() { ip -n "$NS" -4 rule show | grep -E '^(0|32766|32767):'; ip -n "$NS" -6 rule show | grep -E '^(0|32766):'; }

BUILTINS_BEFORE=$(builtin_rules)

# --- rules: add, idempotence, no duplicates -------------------------------------
expect "add v4 rule" done drv add-rule to 198.51.100.10/32 priority 10000 table 199
expect "add v6 rule" done drv add-rule from 2001:db8:1::/64 priority 10000 table 199
expect "add v4 rule again is unchanged" unchanged drv add-rule to 198.51.100.10/32 priority 10000 table 199
expect "add v6 rule again is unchanged" unchanged drv add-rule from 2001:db8:1::/64 priority 10000 table 199
expect "exactly one tagged v4 rule" 1 count_rules "10000:	from all to 198.51.100.10 lookup 199 proto $TAG"
expect "exactly one tagged v6 rule" 1 count_rules "10000:	from 2001:db8:1::/64 lookup 199 proto $TAG" -6
expect "list shows our rules" "rule ipv4 10000: from all to 198.51.100.10/32 lookup 199
rule ipv6 10000: from 2001:db8:1::/64 lookup 199" drv list

# --- foreign rules ---------------------------------------------------------------
ip -n "$NS" rule add to 198.51.100.10/32 priority 10000 table 200          # same selector, other table
ip -n "$NS" rule add to 198.51.100.10/32 priority 10000 table 199          # identical, untagged
ip -n "$NS" -6 rule add from 2001:db8:1::/64 priority 10000 table 199     # identical, untagged
expect "list ignores foreign rules" "rule ipv4 10000: from all to 198.51.100.10/32 lookup 199
rule ipv6 10000: from 2001:db8:1::/64 lookup 199" drv list
expect "add is unchanged with an untagged twin present" unchanged drv add-rule to 198.51.100.10/32 priority 10000 table 199

expect "remove v4 rule" done drv del-rule to 198.51.100.10/32 priority 10000 table 199
expect "remove v6 rule" done drv del-rule from 2001:db8:1::/64 priority 10000 table 199
expect "remove again is unchanged" unchanged drv del-rule to 198.51.100.10/32 priority 10000 table 199
expect "tagged v4 rule gone" 0 count_rules "proto $TAG"
expect "tagged v6 rule gone" 0 count_rules "proto $TAG" -6
expect "untagged identical v4 rule survives" 1 count_rules "10000:	from all to 198.51.100.10 lookup 199"
expect "untagged identical v6 rule survives" 1 count_rules "10000:	from 2001:db8:1::/64 lookup 199" -6
expect "foreign rule with another table survives" 1 count_rules "10000:	from all to 198.51.100.10 lookup 200"
expect "remove with only foreign rules present is unchanged" unchanged \
    drv del-rule to 198.51.100.10/32 priority 10000 table 200
expect "foreign rule with another table still there" 1 count_rules "lookup 200"

# --- rule actions, iif/oif, fwmark -----------------------------------------------
expect "unreachable rule" done drv add-rule -6 to 2001:db8:dead::/48 priority 9000 unreachable
expect "fwmark/iif rule" done drv add-rule iif lo fwmark 0x10/0xff priority 9001 table 300
expect "fwmark without mask" done drv add-rule fwmark 7 oif lo priority 9002 table 70000
expect "list round-trips every field" "rule ipv4 9001: from all iif lo fwmark 0x10/0xff lookup 300
rule ipv4 9002: from all oif lo fwmark 0x7 lookup 70000
rule ipv6 9000: from all to 2001:db8:dead::/48 unreachable" drv list
expect "remove unreachable rule" done drv del-rule -6 to 2001:db8:dead::/48 priority 9000 unreachable
expect "remove fwmark/iif rule" done drv del-rule iif lo fwmark 0x10/0xff priority 9001 table 300
expect "remove fwmark rule" done drv del-rule fwmark 7 oif lo priority 9002 table 70000

# --- delete ambiguity: a wildcard delete must not hit another rule of ours --------
drv add-rule from 192.0.2.0/24 to 203.0.113.7/32 priority 11000 table 199 >/dev/null
expect "ambiguous delete refused" "failed: remove rule ipv4 11000: from all to 203.0.113.7/32 lookup 199: the kernel would delete rule ipv4 11000: from 192.0.2.0/24 to 203.0.113.7/32 lookup 199 instead (it matches fields left unset as wildcards); give the rules distinct priorities" \
    drv del-rule to 203.0.113.7/32 priority 11000 table 199
expect "the more specific rule is still there" 1 count_rules "from 192.0.2.0/24 to 203.0.113.7 lookup 199 proto $TAG"
drv del-rule from 192.0.2.0/24 to 203.0.113.7/32 priority 11000 table 199 >/dev/null

# --- refused rules ---------------------------------------------------------------
expect "priority 0 refused" "failed: add rule ipv4 0: from all to 198.51.100.1/32 lookup 199: priority 0 is reserved for the local table rule" \
    drv add-rule to 198.51.100.1/32 priority 0 table 199

# --- a prefix that moves 100 times leaves exactly one rule -----------------------
old=""
for i in $(seq 1 100); do
    new=2001:db8:$(printf '%x' "$i")::/64
    [ -n "$old" ] && echo "del-rule from $old priority 10001 table 199"
    echo "add-rule from $new priority 10001 table 199"
    old=$new
done | drv batch >/dev/null
expect "100 prefix swaps leave exactly one rule" 1 count_rules "10001:" -6
expect "and it is the last prefix" 1 count_rules "10001:	from 2001:db8:64::/64 lookup 199 proto $TAG" -6
drv del-rule from 2001:db8:64::/64 priority 10001 table 199 >/dev/null

# --- routes ----------------------------------------------------------------------
ip -n "$NS" link add v0 type veth peer name v1
ip -n "$NS" link set v0 up
ip -n "$NS" link set v1 up
ip -n "$NS" addr add 192.0.2.1/24 dev v0
ip -n "$NS" -6 addr add 2001:db8:5::1/64 dev v0 nodad
expect "(table 199 still empty) kernel error names the object, errno text and extended ack" \
    "failed: add route 203.0.113.128/25 via 198.51.100.99 table 199: Network is unreachable (Nexthop has invalid gateway)" \
    drv add-route 203.0.113.128/25 via 198.51.100.99 table 199
expect "add v4 route via gateway" done drv add-route 203.0.113.0/24 via 192.0.2.2 table 199
expect "add it again is unchanged" unchanged drv add-route 203.0.113.0/24 via 192.0.2.2 table 199
expect "add v6 default route" done drv add-route -6 default via 2001:db8:5::2 dev v0 table 199
expect "add it again is unchanged (metric 1024)" unchanged drv add-route -6 default via 2001:db8:5::2 dev v0 table 199
expect "add on-link route with metric" done drv add-route 198.51.100.0/24 dev v0 table 199 metric 5
expect "add unreachable route" done drv add-route 198.51.100.128/25 type unreachable table 199
expect "missing interface" "failed: add route 198.51.100.0/24 dev nope table 199 metric 6: no such interface 'nope'" \
    drv add-route 198.51.100.0/24 dev nope table 199 metric 6
ip -n "$NS" route add 203.0.113.0/24 via 192.0.2.3 table 200
ip -n "$NS" route add 192.0.2.128/25 via 192.0.2.3 table 199
expect "foreign route blocks ours" "failed: add route 203.0.113.0/24 via 192.0.2.3 table 200: File exists (a route to 203.0.113.0/24 with metric 0 in table 200 exists and is not this hookctl route)" \
    drv add-route 203.0.113.0/24 via 192.0.2.3 table 200
expect "list shows our routes only" "route 198.51.100.0/24 dev v0 table 199 metric 5
route unreachable 198.51.100.128/25 table 199
route 203.0.113.0/24 via 192.0.2.2 dev v0 table 199
route default (ipv6) via 2001:db8:5::2 dev v0 table 199 metric 1024" drv list
expect "remove foreign route is unchanged" unchanged drv del-route 203.0.113.0/24 via 192.0.2.3 table 200
expect "foreign route survives" 1 sh -c "ip -n $NS route show table 200 | grep -c '203.0.113.0/24 via 192.0.2.3'"
expect "remove v4 route" done drv del-route 203.0.113.0/24 via 192.0.2.2 table 199
expect "remove it again is unchanged" unchanged drv del-route 203.0.113.0/24 via 192.0.2.2 table 199
expect "remove v6 default" done drv del-route -6 default via 2001:db8:5::2 dev v0 table 199
expect "remove on-link route" done drv del-route 198.51.100.0/24 dev v0 table 199 metric 5
expect "remove unreachable route" done drv del-route 198.51.100.128/25 type unreachable table 199
expect "no tagged routes left" "" sh -c "ip -n $NS route show table all proto $TAG; ip -n $NS -6 route show table all proto $TAG"
expect "foreign route in our table survives" 1 sh -c "ip -n $NS route show table 199 | grep -c '192.0.2.128/25 via 192.0.2.3'"

# --- sysctls on a veth inside the namespace ----------------------------------------
in_ns sh -c 'echo 0 > /proc/sys/net/ipv6/conf/v0/accept_ra; echo 1 > /proc/sys/net/ipv6/conf/v0/forwarding'
expect "sysctl write" done drv sysctl net.ipv6.conf.v0.accept_ra 2
expect "value is in /proc" 2 in_ns cat /proc/sys/net/ipv6/conf/v0/accept_ra
expect "second write is unchanged" unchanged drv sysctl net.ipv6.conf.v0.accept_ra 2
expect "forwarding=0" done drv sysctl net.ipv6.conf.v0.forwarding 0
expect "missing interface" "failed: no such interface 'ppp0' (net.ipv6.conf.ppp0.accept_ra)" \
    drv sysctl net.ipv6.conf.ppp0.accept_ra 1
expect "missing key" "failed: no such key 'accept_rx' (net.ipv6.conf.v0.accept_rx)" \
    drv sysctl net.ipv6.conf.v0.accept_rx 1
expect "kernel refuses the value" "failed: write net.ipv6.conf.v0.accept_ra=yes: Invalid argument" \
    drv sysctl net.ipv6.conf.v0.accept_ra yes
# A dotted name as VLANs have (eth0.100); a veth, because the 8021q module may be absent.
ip -n "$NS" link add v0.100 type veth peer name v2
expect "interface name with a dot" done drv sysctl net.ipv6.conf.v0.100.accept_ra 0
expect "written under its own directory" 0 in_ns cat /proc/sys/net/ipv6/conf/v0.100/accept_ra

# --- the builtin rules were never touched ------------------------------------------
expect "local/main/default rules untouched" "$BUILTINS_BEFORE" builtin_rules

netns_done
