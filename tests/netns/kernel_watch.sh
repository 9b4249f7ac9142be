#!/bin/bash
# `hookctl watch` against the real kernel and a real radvd: an ISP namespace
# announces prefix A on the uplink `ext`; the router's kernel forms A::dead:b0a1
# itself (accept_ra = 2, `ip token`), as systemd-networkd's IPv6Token would; hookctl
# keeps the rule `from <ext's prefix>/64 lookup kd` current:
#   the rule for A appears once; radvd moves to B (A announced with preferred
#   lifetime 0) and the rule follows; link down takes it, up brings it back; a
#   burst of 20 address changes is one engine run; lifetime refreshes alone are
#   none; kill -9 and a restart converge; notifications dropped by the kernel
#   (ENOBUFS) end in a full resync; a renamed interface is gone; pppd and dhcpcd
#   events arriving meanwhile are serialised with watch's runs; SIGTERM ends it
#   cleanly; idle it does not wake.
# Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "radvd" radvd
netns_require_tools "jq" jq
HOOKCTL=$(netns_find_hookctl) || exit 1

netns_setup hookctl-kw
NSI=hookctl-kw-isp-$$
netns_add "$NSI"
RADVD_PID=
WATCH_PID=
netns_stop_on_exit WATCH_PID
netns_stop_on_exit RADVD_PID

check_detail() {
    echo "#   rules: $(ip -n "$NS" -6 rule show | grep 'proto 211' | tr '\n' ';')"
    echo "#   ext: $(ip -n "$NS" -6 addr show dev ext scope global 2>&1 | grep inet6 | tr '\n' ';')"
    [ -f "$WORK/watch.log" ] && tail -5 "$WORK/watch.log" | sed 's/^/#   watch: /'
}

# --- the uplink: ext (router) === isp0 (ISP) ----------------------------------------
ip -n "$NS" link add ext type veth peer name isp0 netns "$NSI" || exit 1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec "$NS" sysctl -qw net.ipv6.conf.ext.accept_ra=2
ip -n "$NS" link set ext up
ip -n "$NSI" link set isp0 up
ip -n "$NS" token set ::dead:b0a1 dev ext
# A second link for the pppd side (a veth: the kernel has no PPP).
netns_veth ppp0
netns_wait_link_local "$NSI" isp0

# radvd_announce NEW [OLD]: NEW as a normal prefix, OLD (if given) with preferred
# lifetime 0 (deprecated; the kernel keeps its address for old connections).
radvd_announce() {
    {
        echo "interface isp0 {"
        echo "  AdvSendAdvert on; MinRtrAdvInterval 3; MaxRtrAdvInterval 4; AdvDefaultLifetime 300;"
        echo "  prefix $1 { AdvOnLink on; AdvAutonomous on; AdvPreferredLifetime 1800; AdvValidLifetime 3600; };"
        [ -n "${2:-}" ] && echo "  prefix $2 { AdvOnLink on; AdvAutonomous on; AdvPreferredLifetime 0; AdvValidLifetime 0; };"
        echo "};"
    } >"$WORK/radvd.conf"
    if [ -n "$RADVD_PID" ] && kill -0 "$RADVD_PID" 2>/dev/null; then
        kill -HUP "$(cat "$WORK/radvd.pid")"
    else
        ip netns exec "$NSI" radvd -n -C "$WORK/radvd.conf" -p "$WORK/radvd.pid" -m logfile \
            -l "$WORK/radvd.log" &
        RADVD_PID=$!
    fi
}

cat >"$WORK/hookctl.toml" <<'EOF'
[tables]
kd = 199

[uplink.ext]                 # run by another manager: the kernel says what it has
interface = "ext"
source = "kernel"
token = "::dead:b0a1"

[uplink.tkom]                # pppd
interface = "ppp0"

[uplink.isp]                 # dhcpcd
interface = "wan0"

[[rule]]
from = "ext.prefix"
table = "kd"

[[rule]]
to = "198.51.100.10/32"
table = "kd"
while = "tkom"

[[rule]]
to = "203.0.113.20/32"
table = "kd"
while = "isp"
EOF

# A simple command in the background, so $! is hookctl itself (ip netns exec execs it).
start_watch() {
    ip netns exec "$NS" "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$WORK/state" watch \
        >>"$WORK/watch.log" 2>&1 &
    WATCH_PID=$!
}
owned6() { ip -n "$NS" -6 rule show | grep 'proto 211' | sed 's/^[0-9]*:[[:space:]]*//; s/ proto 211//'; }
# wait_rules WANT [SECONDS]: polls until the tagged IPv6 rules are exactly WANT.
wait_rules() {
    local want=$1 limit=${2:-15}
    for _ in $(seq $((limit * 10))); do
        [ "$(owned6 | tr '\n' ';')" = "$want" ] && return 0
        sleep 0.1
    done
    return 1
}
runs() { hk events --json --limit 1000 | jq '[.[] | select(.source == "kernel")] | length'; }
A=2001:db8:a::
B=2001:db8:b::

# --- A announced: the kernel forms A::dead:b0a1, watch adds the rule -----------------
start_watch
radvd_announce "${A}/64"
check "rule from A/64 lookup kd appears" "wait_rules 'from ${A}/64 lookup 199;'"
check "the kernel formed A::dead:b0a1 (ip token)" \
    "ip -n $NS -6 addr show dev ext | grep -q 'inet6 ${A}dead:b0a1/64'"
check "status shows ext's kernel facts" "hk status | grep -q 'link (kernel)\|kernel'"

# --- lifetime refreshes alone are not runs -------------------------------------------
n0=$(runs)
sleep 5   # one or two RAs, each refreshing lifetimes (RTM_NEWADDR)
check "RAs refreshing lifetimes cause no engine run" '[ "$(runs)" = "$n0" ]'

# --- renumbering: B announced, A deprecated ------------------------------------------
radvd_announce "${B}/64" "${A}/64"
check "the rule follows to B; A's is gone" "wait_rules 'from ${B}/64 lookup 199;'"
check "A's address is still there, deprecated (the kernel keeps it)" \
    "ip -n $NS -6 addr show dev ext | grep '${A}dead:b0a1' | grep -q deprecated"

# --- link down and up ----------------------------------------------------------------
ip -n "$NS" link set ext down
check "link down: the rule goes" "wait_rules ''"
ip -n "$NS" link set ext up
check "link up: the rule comes back after the next RA" "wait_rules 'from ${B}/64 lookup 199;' 20"

# --- a burst of 20 changes within 100 ms is one run ----------------------------------
sleep 1
n0=$(runs)
for i in $(seq 1 20); do echo "address add 2001:db8:f::$i/64 dev ext nodad"; done >"$WORK/burst"
ip -n "$NS" -batch "$WORK/burst"
sleep 1.5
check "20 address changes in one burst: one engine run" '[ "$(runs)" = $((n0 + 1)) ]'
check "the token address still decides the prefix" "wait_rules 'from ${B}/64 lookup 199;' 2"
for i in $(seq 1 20); do echo "address del 2001:db8:f::$i/64 dev ext"; done >"$WORK/burst"
ip -n "$NS" -batch "$WORK/burst"

# --- kill -9, a change while it is dead, restart: converges --------------------------
sleep 1
kill -9 "$WATCH_PID"
wait "$WATCH_PID" 2>/dev/null
check "kill -9 left no watch running" '! pgrep -f "state-dir $WORK/state watch" >/dev/null'
WATCH_PID=
radvd_announce "${A}/64" "${B}/64"
for _ in $(seq 100); do
    ip -n "$NS" -6 addr show dev ext | grep "${B}dead:b0a1" | grep -q deprecated && break
    sleep 0.1
done
check "while watch is dead nothing follows" "[ \"\$(owned6 | tr '\n' ';')\" = 'from ${B}/64 lookup 199;' ]"
start_watch
check "after a restart the rule converges to A" "wait_rules 'from ${A}/64 lookup 199;'"

# --- notifications dropped (ENOBUFS): a full resync ----------------------------------
# Stopped, watch reads nothing while thousands of changes overflow its socket's
# queue; the last of them moves the prefix.
sleep 1
kill -STOP "$WATCH_PID"
for round in 1 2; do
    for i in $(seq 1 1500); do echo "address add 2001:db8:e::$i/64 dev ext nodad"; done >"$WORK/flood"
    for i in $(seq 1 1500); do echo "address del 2001:db8:e::$i/64 dev ext"; done >>"$WORK/flood"
    ip -n "$NS" -batch "$WORK/flood"
done
ip -n "$NS" addr add 2001:db8:c::dead:b0a1/64 dev ext nodad preferred_lft 9000 valid_lft 9000
ip -n "$NS" addr change "${A}dead:b0a1/64" dev ext preferred_lft 0 valid_lft 3000
kill -CONT "$WATCH_PID"
check "after ENOBUFS: the state is read again and the rule follows" \
    "wait_rules 'from 2001:db8:c::/64 lookup 199;'"
check "  and watch says so" "grep -q 'dropped notifications (ENOBUFS)' '$WORK/watch.log'"

# --- pppd and dhcpcd events while watch runs: serialised ------------------------------
netns_dhcp4_events "$WORK"   # BOUND.env and RELEASE.env: DHCPv4 on wan0
pids=()
for i in $(seq 1 10); do
    hk ppp ip-up ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom >"$WORK/ppp-up-$i.out" 2>&1 &
    pids+=($!)
    hk_dhcpcd "$WORK/BOUND.env" >"$WORK/dhcpcd-bound-$i.out" 2>&1 &
    pids+=($!)
    echo "address add 2001:db8:d::$i/64 dev ext nodad" | ip -n "$NS" -batch -
    hk ppp ip-down ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom >"$WORK/ppp-down-$i.out" 2>&1 &
    pids+=($!)
    hk_dhcpcd "$WORK/RELEASE.env" >"$WORK/dhcpcd-release-$i.out" 2>&1 &
    pids+=($!)
done
daemon_failures=0
for p in "${pids[@]}"; do wait "$p" || daemon_failures=$((daemon_failures + 1)); done
check "20 pppd and 20 dhcpcd events beside watch's runs: all exit 0" '[ $daemon_failures = 0 ]'
hk ppp ip-up ppp0 /dev/ttyS0 115200 192.0.2.1 192.0.2.2 tkom >/dev/null 2>&1
hk_dhcpcd "$WORK/BOUND.env" >/dev/null 2>&1
sleep 1
check "journal ids are unique" \
    '[ "$(hk events --json --limit 1000 | jq "[.[].id] | (length == (unique | length))")" = true ]'
check "end state: the pppd rule, the dhcpcd rule and the kernel rule, once each" \
    "[ \"\$(ip -n $NS -4 rule show | grep -c 'proto 211')\" = 2 ] && wait_rules 'from 2001:db8:c::/64 lookup 199;' 3"

# --- a renamed interface is gone -------------------------------------------------------
ip -n "$NS" link set ext down
ip -n "$NS" link set ext name ext-old
check "renamed away: the rule goes" "wait_rules ''"
ip -n "$NS" link set ext-old name ext
ip -n "$NS" link set ext up
ip -n "$NS" addr add 2001:db8:c::dead:b0a1/64 dev ext nodad
check "renamed back (and readdressed): the rule returns" "wait_rules 'from 2001:db8:c::/64 lookup 199;'"

# --- idle: no wake-ups ----------------------------------------------------------------
netns_stop_pid "$RADVD_PID"   # no more RAs (its last ones, with lifetime 0, go out as it stops)
RADVD_PID=
switches() { awk '/^voluntary_ctxt_switches/ { v = $2 } /^nonvoluntary_ctxt_switches/ { n = $2 } END { print v + n }' "/proc/$WATCH_PID/status"; }
# Let the last notifications (radvd's final RAs, the kernel's reaction) be handled:
# on a loaded machine they can take seconds. Quiet means a second without a switch.
for _ in $(seq 30); do
    q0=$(switches); sleep 1; q1=$(switches)
    [ "$q0" = "$q1" ] && break
done
# Idle means: no notice from the kernel and no wake-up. A notice (a late RA refreshing
# the address) rightly wakes watch, so a window with one is tried again, up to 5 times.
for attempt in 1 2 3 4 5; do
    ip -n "$NS" monitor link address >"$WORK/idle-notices" 2>&1 &
    MONITOR_PID=$!
    s0=$(switches)
    sleep 3
    s1=$(switches)
    kill "$MONITOR_PID"; wait "$MONITOR_PID" 2>/dev/null
    [ -s "$WORK/idle-notices" ] || break
    sed "s/^/# idle window $attempt had a notice: /" "$WORK/idle-notices"
done
check "idle for 3 s without notices: no wake-ups ($s0 -> $s1 context switches)" \
    '[ ! -s "$WORK/idle-notices" ] && [ "$s0" = "$s1" ]'
rss=$(awk '/^VmRSS/ { print $2 }' "/proc/$WATCH_PID/status")
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    echo "# RSS ${rss} kB not checked: built with -fsanitize=$HOOKCTL_SANITIZED"
else
    check "RSS a few MB (${rss} kB)" '[ "$rss" -lt 8192 ]'
fi

# --- SIGTERM -----------------------------------------------------------------------------
kill -TERM "$WATCH_PID"
rc=
for _ in $(seq 30); do
    if ! kill -0 "$WATCH_PID" 2>/dev/null; then wait "$WATCH_PID"; rc=$?; break; fi
    sleep 0.1
done
WATCH_PID=
check "SIGTERM: exits 0 within 3 s, saying so" "[ '$rc' = 0 ] && tail -1 '$WORK/watch.log' | grep -q 'stopped'"

netns_done
