#!/bin/bash
# The real daemons end to end, in the lab of tests/netns/lab/ (the one
# tools/capture_dhcpcd.sh records tests/data/dhcpcd in): kea-dhcp6 in an ISP namespace
# hands out IA_NA + an IA_PD /56 (short timers), radvd there announces the uplink
# (M and O set), and dhcpcd 9.4.1 in the router namespace runs hookctl as its
# `script` (no arguments, environment only). Checked: the journal has BOUND6 with
# the delegated prefix; `from <lan /64> lookup 100` is in the router's rules;
# radvd.conf announces the /64; the natural RENEW6 at T1 plans nothing; SIGTERM to
# dhcpcd (STOP6) removes the rule and leaves the /64 deprecated in radvd.conf.
# dhcpcd runs in the mount namespace `ip netns exec` makes, with scratch dirs
# bind-mounted over /run and /var/lib/dhcpcd: the host's dhcpcd is never touched.
# Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "dhcpcd-base, kea-dhcp6-server, radvd, jq" dhcpcd kea-dhcp6 radvd jq
HOOKCTL=$(netns_find_hookctl) || exit 1
LABCONF=$(dirname "$0")/lab

# Router namespace ($NS) and scratch dir ($WORK) from lib.sh, the ISP and LAN
# namespaces and the daemons registered with it: all removed or stopped on exit
# (dhcpcd first, then kea, then radvd).
netns_setup hookctl-dk
NSR=$NS
NSI=hookctl-dk-isp-$$
NSL=hookctl-dk-lan-$$
S=$WORK
mkdir -p "$S/isp" "$S/router/run" "$S/router/db" "$S/state"
chmod 755 "$S" "$S/router" "$S/router/run" "$S/router/db"
KEA_PID= RADVD_PID= DHCPCD_PID=
netns_stop_on_exit DHCPCD_PID
netns_stop_on_exit KEA_PID
netns_stop_on_exit RADVD_PID

# until_true SECONDS COMMAND...: polls every 0.2 s.
until_true() {
    local end=$((SECONDS + $1))
    shift
    while ! "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}
T0=$SECONDS
# The host's dhcpcd state, to show it is never touched.
host_state() { ls -la --time-style=full-iso /var/lib/dhcpcd /run/dhcpcd 2>&1; }
HOST_BEFORE=$(host_state)

# --- topology (the lab's, without the keep-carrier bridge) ----------------------------
#   [ISP] isp0 2001:db8:0:1::1/64 ===veth=== wan0 [router] int0 ===veth=== lan0 [LAN]
netns_add "$NSI"
netns_add "$NSL"
netns_no_dad "$NSI" "$NSR" "$NSL"
ip netns exec "$NSI" sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NSI" link add isp0 address 02:00:00:00:01:01 type veth peer name wan0 address 02:00:00:00:01:02 netns "$NSR" || exit 1
ip -n "$NSR" link add int0 address 02:00:00:00:02:01 type veth peer name lan0 address 02:00:00:00:02:02 netns "$NSL" || exit 1
ip -n "$NSI" addr add 2001:db8:0:1::1/64 dev isp0
ip -n "$NSI" link set isp0 up
ip -n "$NSR" link set wan0 up
ip -n "$NSR" link set int0 up
ip -n "$NSL" link set lan0 up
netns_wait_link_local "$NSI" isp0 || {
    echo "isp0 has no link-local address" >&2
    exit 1
}

# --- ISP: kea-dhcp6 (renew 10 rebind 16 preferred 20 valid 30) and radvd ------------
sed "s|@ISP@|$S/isp|g" "$LABCONF/kea-dhcp6.json" >"$S/isp/kea-dhcp6.conf"
ip netns exec "$NSI" env KEA_PIDFILE_DIR="$S/isp" KEA_LOCKFILE_DIR="$S/isp" \
    kea-dhcp6 -c "$S/isp/kea-dhcp6.conf" >"$S/isp/kea.out" 2>&1 &
KEA_PID=$!
cp "$LABCONF/isp-radvd.conf" "$S/isp/radvd.conf"
ip netns exec "$NSI" radvd -n -C "$S/isp/radvd.conf" -p "$S/isp/radvd.pid" -m logfile -l "$S/isp/radvd.log" &
RADVD_PID=$!
if ! until_true 10 grep -qs DHCP6_STARTED "$S/isp/kea-dhcp6.log"; then
    echo "kea-dhcp6 did not start:" >&2
    cat "$S/isp/kea.out" "$S/isp/kea-dhcp6.log" >&2 2>/dev/null
    exit 1
fi

# --- router: hookctl config, the hook wrapper, dhcpcd --------------------------------
cat >"$S/hookctl.toml" <<EOF
[uplink.isp]
interface = "wan0"
pd-iaid = 2

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }    # dhcpcd: ia_pd 2 int0/0/64/801
address-token = "::321"

[[rule]]
from = "lan.prefix"
table = 100

[radvd]
file = "$S/radvd.conf"
reload-pidfile = "$S/radvd-lan.pid"      # no LAN radvd here: nothing to reload
interface.lan = { min-interval = 3, max-interval = 4 }
EOF
# dhcpcd's `script`: run with no arguments and only dhcpcd's environment, as
# hooks/dhcpcd/90-hookctl would run hookctl from dhcpcd-run-hooks.
cat >"$S/router/hook" <<EOF
#!/bin/sh
exec "$HOOKCTL" --config "$S/hookctl.toml" --state-dir "$S/state" dhcpcd >>"$S/router/hook.log" 2>&1
EOF
chmod 755 "$S/router/hook"
sed "s|@SCRIPT@|$S/router/hook|" "$LABCONF/dhcpcd.conf" >"$S/router/dhcpcd.conf"
# DUID-LL of wan0's MAC, as in the fixtures lab (stable client id).
echo 00:03:00:01:02:00:00:00:01:02 >"$S/router/db/duid"

ip netns exec "$NSR" sh -c 'mount --bind "$1" /run && mount --bind "$2" /var/lib/dhcpcd && shift 2 && exec "$@"' \
    sh "$S/router/run" "$S/router/db" \
    env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    dhcpcd -f "$S/router/dhcpcd.conf" -B -j "$S/router/dhcpcd.log" >"$S/router/dhcpcd.out" 2>&1 &
DHCPCD_PID=$!

# hk (lib.sh): hookctl in $NSR with $S/hookctl.toml and $S/state ($S = $WORK).
journal() { hk events --json --limit 1000 2>/dev/null; }
# entries NAME: the journal entries for that dhcpcd reason, one JSON object a line.
entries() { journal | jq -c --arg n "$1" '.[] | select(.name == $n)'; }
has_entry() { [ -n "$(entries "$1")" ]; }
dump_logs() {
    echo "# dhcpcd log:"; sed 's/^/#   /' "$S/router/dhcpcd.log" "$S/router/dhcpcd.out" 2>/dev/null
    echo "# hook log:"; sed 's/^/#   /' "$S/router/hook.log" 2>/dev/null
    echo "# events:"; hk events 2>&1 | sed 's/^/#   /'
}

# --- bind ------------------------------------------------------------------------------
bound_seen() { has_entry BOUND6 || has_entry REBIND6; }
renew_seen() { has_entry RENEW6; }
if until_true 20 bound_seen; then
    pass "journal: BOUND6 after $((SECONDS - T0)) s"
else
    fail "no BOUND6/REBIND6 within 20 s"
    dump_logs
    exit 1
fi
bound=$( (entries BOUND6; entries REBIND6) | head -1)
pd=$(jq -r '.event.env.new_dhcp6_ia_pd1_prefix1 // empty' <<<"$bound")
pdlen=$(jq -r '.event.env.new_dhcp6_ia_pd1_prefix1_length // empty' <<<"$bound")
LAN64=${pd}/64
check "BOUND6 delegates a /56 from kea's documentation pool ($pd/$pdlen)" '[[ "$pd" == 2001:db8:1??::  ]] && [ "$pdlen" = 56 ]'
check "BOUND6 was applied" '[ "$(jq -r .status <<<"$bound")" = applied ]'
check "dhcpcd ran the script with no arguments" '[ "$(jq -c .event.args <<<"$bound")" = "[]" ]'
check "BOUND6 transitions name the delegated prefix" 'jq -r ".transitions[] | tostring" <<<"$bound" | grep -qF "$pd/56"'
check "rule from $LAN64 lookup 100 in the router namespace" \
    'ip -n "$NSR" -6 rule show | grep -q "from $LAN64 lookup 100 proto 211"'
check "exactly one such rule" '[ "$(ip -n "$NSR" -6 rule show | grep -c "lookup 100")" = 1 ]'
check "radvd.conf written with the /64" 'grep -q "prefix $LAN64 {" "$S/radvd.conf" && radvd -c -C "$S/radvd.conf" >/dev/null 2>&1'
int0_has_321() { ip -n "$NSR" -6 addr show dev int0 | grep -q "inet6 ${pd}321/64"; }
check "dhcpcd put ::321 on int0 (801 decimal), matching lan.address" 'until_true 5 int0_has_321'

# --- a natural renew at T1 (10 s) --------------------------------------------------------
if until_true 20 renew_seen; then
    pass "journal: RENEW6 at T1, $((SECONDS - T0)) s after start"
else
    fail "no RENEW6 within 20 s"
    dump_logs
fi
renew=$(entries RENEW6 | head -1)
check "RENEW6 kept the prefix" '[ "$(jq -r ".event.env.new_dhcp6_ia_pd1_prefix1" <<<"$renew")" = "$pd" ]'
check "RENEW6 planned nothing (0 actions, no transitions)" \
    '[ "$(jq -r "[.status, (.actions | length), (.transitions | length)] | join(\" \")" <<<"$renew")" = "applied 0 0" ]'
check "still one rule" '[ "$(ip -n "$NSR" -6 rule show | grep -c "lookup 100")" = 1 ]'

# --- SIGTERM: STOPPED(int0) STOP6(wan0) ROUTERADVERT STOPPED(wan0) ----------------------
kill -TERM "$DHCPCD_PID"
dhcpcd_gone() { ! kill -0 "$DHCPCD_PID" 2>/dev/null; }
if until_true 10 dhcpcd_gone; then
    pass "dhcpcd exited on SIGTERM"
else
    fail "dhcpcd still running 10 s after SIGTERM"
fi
wait "$DHCPCD_PID" 2>/dev/null
DHCPCD_PID=
stop=$( (entries STOP6; entries RELEASE6) | tail -1)
check "journal: STOP6 with the old prefix, applied" \
    '[ "$(jq -r ".event.env.old_dhcp6_ia_pd1_prefix1, .status" <<<"$stop" | tr "\n" " ")" = "$pd applied " ]'
check "STOP6 removed the rule" '! ip -n "$NSR" -6 rule show | grep -q "lookup 100"'
check "radvd.conf keeps the /64, deprecated" \
    'grep -A4 "prefix $LAN64 {" "$S/radvd.conf" | grep -q "AdvPreferredLifetime 0;"'
check "the host's /var/lib/dhcpcd and /run/dhcpcd are untouched" '[ "$(host_state)" = "$HOST_BEFORE" ]'
[ -n "${VERBOSE:-}" ] && { echo "# events:"; hk events --limit 100 | sed 's/^/#   /'; }
check "no hook run failed" '[ -z "$(journal | jq -r ".[] | select(.status != \"applied\") | .name")" ]'
check "whole test under 60 s ($((SECONDS - T0)) s)" '[ $((SECONDS - T0)) -lt 60 ]'

netns_done
