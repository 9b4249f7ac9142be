#!/bin/bash
# The real CLI as dhcpcd runs it (`hookctl dhcpcd`, the event in a clean
# environment), fed dhcpcd 9.4.1's own hook environments from tests/data/dhcpcd/,
# in a network namespace with veths wan0 and int0:
#   bind (2001:db8:100::/56) installs the LAN /64's two rules, once;
#   an unchanged renew changes nothing (rule dump identical, "nothing to do");
#   a prefix change (REBIND6 to 2001:db8:1cd::/56) swaps them, exactly one of each;
#   a rule deleted behind hookctl's back is reported missing by `status`, put back by `apply`;
#   release withdraws them; foreign rules (one with the very same selector) and
#   local/main/default are untouched by every event;
#   the IPv4 `while = "isp"` rule follows DHCPv4 (while is per family), not DHCPv6;
#   100 prefix changes in a row leave exactly the desired rules (ms per event printed).
# Needs root; exit 77 = skipped. Not timed: the loop's time is printed, not checked.
set -u

. "$(dirname "$0")/lib.sh"
netns_require_root
HOOKCTL=$(netns_find_hookctl) || exit 1
DATA=${SOURCE_ROOT:-$NETNS_REPO_ROOT}/tests/data/dhcpcd

netns_setup hookctl-dhcpcd
netns_veth wan0
netns_veth int0

# kd is defined only here (not in rt_tables), so `ip rule` prints it as 199.
cat >"$WORK/hookctl.toml" <<'EOF'
[tables]
kd = 199

[uplink.isp]
interface = "wan0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

# LAN hosts' traffic leaves through table kd ...
[[rule]]
from = "lan.prefix"
table = "kd"

# ... but traffic *to* the LAN (also replies from the router and between LAN
# hosts) finds the connected route in main first.
[[rule]]
to = "lan.prefix"
table = "main"
priority = 9000

[[rule]]
to = "203.0.113.20/32"
table = "kd"
while = "isp"
EOF

# event NAME ENVFILE: `hookctl dhcpcd` with exactly the fixture's environment (lib.sh's
# hk_dhcpcd), output in $WORK/out; a non-zero exit is a failure.
event() {
    local rc=0
    hk_dhcpcd "$2" >"$WORK/out" 2>&1 || rc=$?
    if [ "$rc" != 0 ]; then fail "$1: exit status $rc: $(cat "$WORK/out")"; fi
}

# `ip rule` spells the tag `proto 211`, or `proto hookctl` once the package's
# rt_protos.d file is installed, and the table `199` or `kd` if rt_tables names it.
normalise() { sed -e 's/ proto hookctl$/ proto 211/' -e 's/ lookup kd / lookup 199 /'; }
# tagged -4|-6: hookctl's rules, in the kernel's order.
tagged() { ip -n "$NS" "$1" rule show | normalise | grep ' proto 211$'; }
# others: every rule that is not hookctl's, both families, as `ip rule` prints them.
others() { ip -n "$NS" -4 rule show | grep -v -e ' proto 211$' -e ' proto hookctl$'
           ip -n "$NS" -6 rule show | grep -v -e ' proto 211$' -e ' proto hookctl$'; }
all_rules() { ip -n "$NS" -4 rule show; ip -n "$NS" -6 rule show; }
builtins() { ip -n "$NS" -4 rule show | grep -E '^(0|32766|32767):'; ip -n "$NS" -6 rule show | grep -E '^(0|32766):'; }
# want6 PREFIX: the two IPv6 rules of a LAN prefix, exactly as `ip -6 rule` lists them.
want6() { printf '9000:\tfrom all to %s lookup main proto 211\n10000:\tfrom %s lookup 199 proto 211' "$1" "$1"; }
WANT4=$(printf '10000:\tfrom all to 203.0.113.20 lookup 199 proto 211')

netns_dhcp4_events "$WORK"   # BOUND.env and RELEASE.env: DHCPv4 on wan0

# Foreign rules, present before hookctl's first event: the very selector of
# hookctl's rule at the same priority but another table and no tag, and an
# unrelated IPv4 rule.
ip -n "$NS" -6 rule add from 2001:db8:100::/64 priority 10000 table 200
ip -n "$NS" -4 rule add from 192.0.2.0/24 priority 500 table 300
OTHERS=$(others)
BUILTINS=$(builtins)
expect "foreign rules in place" 2 sh -c "echo '$OTHERS' | grep -c -e 'lookup 200' -e 'lookup 300'"
check_others() {
    expect "$1: foreign and local/main/default rules untouched" "$OTHERS" others
}

# ---- bind --------------------------------------------------------------------
event "BOUND6" "$DATA/a-initial-start/08-BOUND6.env"
expect "BOUND6: the LAN /64's two rules, exactly" "$(want6 2001:db8:100::/64)" tagged -6
expect "BOUND6: exactly one 'from 2001:db8:100::/64 lookup kd'" 1 \
    sh -c "ip -n $NS -6 rule show | grep -cE '^10000:	from 2001:db8:100::/64 lookup (199|kd) proto (211|hookctl)$'"
expect "BOUND6: IPv4 'while isp' rule waits for IPv4 (while is per family)" "" tagged -4
check_others "BOUND6"
event "BOUND6 again" "$DATA/a-initial-start/08-BOUND6.env"
expect "BOUND6 again: nothing to do" 1 grep -c '^  nothing to do$' "$WORK/out"
expect "BOUND6 again: no duplicate" "$(want6 2001:db8:100::/64)" tagged -6

# ---- DHCPv4 brings the IPv4 rule ---------------------------------------------
event "BOUND (v4)" "$WORK/BOUND.env"
expect "BOUND (v4): the IPv4 rule" "$WANT4" tagged -4
expect "BOUND (v4): IPv6 rules unchanged" "$(want6 2001:db8:100::/64)" tagged -6
check_others "BOUND (v4)"

# ---- unchanged renew -----------------------------------------------------------
BEFORE=$(all_rules)
event "RENEW6 (unchanged)" "$DATA/b3-renew-timer/02-RENEW6.env"
expect "RENEW6: hookctl says nothing to do" 1 grep -c '^  nothing to do$' "$WORK/out"
expect "RENEW6: rule dump identical byte for byte" "$BEFORE" all_rules

# ---- prefix change ---------------------------------------------------------------
event "REBIND6 (new prefix)" "$DATA/c1-prefix-change-rebind/04-REBIND6.env"
expect "REBIND6: new prefix's two rules, exactly (old ones gone)" "$(want6 2001:db8:1cd::/64)" tagged -6
expect "REBIND6: nothing of hookctl's left for 2001:db8:100::" 0 \
    sh -c "ip -n $NS -6 rule show | grep -F 2001:db8:100:: | grep -c -e 'proto 211' -e 'proto hookctl'"
expect "REBIND6: the IPv4 rule stays" "$WANT4" tagged -4
check_others "REBIND6"

# ---- drift: deleted behind hookctl's back ---------------------------------------
ip -n "$NS" -6 rule del from 2001:db8:1cd::/64 priority 10000 table 199 protocol 211
hk status >"$WORK/status" 2>&1
expect "status: the deleted rule is the one drift" \
    "  missing: rule ipv6 10000: from 2001:db8:1cd::/64 lookup 199" \
    sh -c "sed -n '/^drift:/,/^last events:/p' '$WORK/status' | grep -v -e '^drift:' -e '^last events:'"
hk apply >"$WORK/out" 2>&1 || fail "apply: exit status: $(cat "$WORK/out")"
expect "apply: restored, no duplicate" "$(want6 2001:db8:1cd::/64)" tagged -6
hk status >"$WORK/status" 2>&1
expect "status after apply: no drift" 1 grep -c '^drift: none$' "$WORK/status"
check_others "apply"

# ---- withdrawal -------------------------------------------------------------------
event "RELEASE6" "$DATA/d1-release/02-RELEASE6.env"
expect "RELEASE6: the LAN prefix's rules are gone" "" tagged -6
expect "RELEASE6: the IPv4 rule stays (DHCPv4 still bound)" "$WANT4" tagged -4
check_others "RELEASE6"
event "RELEASE (v4)" "$WORK/RELEASE.env"
expect "RELEASE (v4): the IPv4 rule is gone" "" tagged -4
check_others "RELEASE (v4)"
event "RELEASE6 again" "$DATA/d1-release/02-RELEASE6.env"
expect "RELEASE6 again: nothing to do" 1 grep -c '^  nothing to do$' "$WORK/out"

# ---- 100 prefix changes in a row ----------------------------------------------------
# Variants of the REBIND6 capture: prefix1 becomes 2001:db8:XXXX::/56, old_* names
# the previous one (hookctl is level-triggered; the old_* values are not used).
REBIND=$DATA/c1-prefix-change-rebind/04-REBIND6.env
N=100
prev=2001:db8:1cd::
for i in $(seq 1 $N); do
    p=2001:db8:$(printf '%x' $((0x1000 + i)))::
    sed -e "s/^new_dhcp6_ia_pd1_prefix1=.*/new_dhcp6_ia_pd1_prefix1=$p/" \
        -e "s/^old_dhcp6_ia_pd1_prefix1=.*/old_dhcp6_ia_pd1_prefix1=$prev/" "$REBIND" >"$WORK/rebind-$i.env"
    prev=$p
done
expect "variants differ only in the prefixes" 2 sh -c "diff '$REBIND' '$WORK/rebind-7.env' | grep -c '^>'"
total_us=0
bad_exit=0
bad_rules=0
for i in $(seq 1 $N); do
    read_env_file "$WORK/rebind-$i.env"
    t0=$EPOCHREALTIME
    ip netns exec "$NS" env -i "${ENV_VARS[@]}" \
        "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" dhcpcd >"$WORK/out" 2>&1 || bad_exit=$((bad_exit + 1))
    t1=$EPOCHREALTIME
    total_us=$((total_us + ${t1/./} - ${t0/./}))
    lan=2001:db8:$(printf '%x' $((0x1000 + i)))::/64
    [ "$(tagged -6)" = "$(want6 "$lan")" ] || bad_rules=$((bad_rules + 1))
done
expect "100 changes: every event exited 0" 0 echo $bad_exit
expect "100 changes: after each, exactly the current prefix's two rules" 0 echo $bad_rules
expect "100 changes: exactly the last prefix's rules at the end" \
    "$(want6 2001:db8:$(printf '%x' $((0x1000 + N)))::/64)" tagged -6
expect "100 changes: no IPv4 rule (no DHCPv4 lease)" "" tagged -4
check_others "100 changes"
expect "local/main/default rules untouched throughout" "$BUILTINS" builtins
echo "# $N prefix changes: $(awk -v t=$total_us -v n=$N 'BEGIN { printf "%.2f", t / n / 1000 }') ms per event" \
     "(wall, incl. ip netns exec + env; not checked)"

netns_done
