#!/bin/bash
# Captures what dhcpcd passes to its hook: the real dhcpcd (Debian 12's 9.4.1) against a
# real kea-dhcp6 and radvd in network namespaces, its `script` a recorder that writes each
# call's environment, exactly as dhcpcd passed it to execve (read back from
# /proc/PID/environ), to NN-REASON.env in the format of tests/data/dhcpcd/README.md.
#
#   sudo bash tools/capture_dhcpcd.sh [DIR]     # DIR defaults to tests/data/dhcpcd
#
# The scenarios run in this order, each from the state the previous one left (setup steps
# in between are recorded nowhere):
#   a-initial-start           dhcpcd started (empty lease database; wan0 administratively
#                             down, so dhcpcd brings it up and sees no carrier first)
#   e1-carrier-loss-peer      the ISP's end of the link down 3 s, then up again
#   b3-renew-timer            kea's timers made short (T1 10 s, a SIGUSR1 renew so dhcpcd
#                             learns them), then three renews at T1
#   c1-prefix-change-rebind   fresh dhcpcd (restarted); kea's pool changed to another /56,
#                             its lease file wiped, restarted; `dhcpcd -n wan0`
#   d1-release                fresh dhcpcd; `dhcpcd -k`
#   c2-prefix-change-restart  dhcpcd started and stopped (its lease file stays); kea's pool
#                             changed again, lease file wiped; dhcpcd started
#   d3-sigterm                SIGTERM to dhcpcd
#   h-wan0-only-start-stop    `allowinterfaces wan0` added, lease files removed; dhcpcd
#                             started, then `dhcpcd -x`
# A scenario whose defining calls do not all arrive stops the tool; DIR is changed only when
# every scenario was captured. Takes about a minute and a half; needs root.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
SRC=$PWD
OUT=${1:-$SRC/tests/data/dhcpcd}
. tests/netns/lib.sh
netns_require_root
netns_require_tools "dhcpcd-base, kea-dhcp6-server, radvd, jq; see tools/deps.sh" dhcpcd kea-dhcp6 radvd jq nsenter
LAB=$SRC/tests/netns/lab
PATH_FOR_DHCPCD=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
POOL_A=2001:db8:100::     # each pool is exactly one /56: the prefix handed out is known
POOL_C=2001:db8:1cd::
POOL_D=2001:db8:1ef::

say() { printf '== %s\n' "$*"; }
die() { echo "capture: $*" >&2; exit 1; }

# ---- the lab (tests/netns/dhcpcd_kea.sh's, plus the LAN namespace int0 leads to) --------
netns_setup hookctl-capture
NSR=$NS NSI=hookctl-capture-isp-$$ NSL=hookctl-capture-lan-$$
KEA_PID='' RADVD_PID='' DHCPCD_PID=''
netns_stop_on_exit DHCPCD_PID
netns_stop_on_exit KEA_PID
netns_stop_on_exit RADVD_PID
netns_add "$NSI"
netns_add "$NSL"
netns_no_dad "$NSI"
ip netns exec "$NSI" sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NSI" link add isp0 address 02:00:00:00:01:01 type veth peer name wan0 address 02:00:00:00:01:02 netns "$NSR" || exit 1
ip -n "$NSR" link add int0 address 02:00:00:00:02:01 type veth peer name lan0 address 02:00:00:00:02:02 netns "$NSL" || exit 1
# The ISP keeps its addresses while isp0 is down (e1), so kea's sockets survive the flap.
ip netns exec "$NSI" sysctl -qw net.ipv6.conf.isp0.keep_addr_on_down=1
ip -n "$NSI" addr add 2001:db8:0:1::1/64 dev isp0
ip -n "$NSI" link set isp0 up
ip -n "$NSR" link set wan0 up
ip -n "$NSR" link set int0 up
ip -n "$NSL" link set lan0 up
# isp0 gets its link-local address (which kea needs) only with a carrier, so wan0 is up
# until kea and radvd run; then it goes down again for dhcpcd to bring up (a-initial-start).
netns_wait_link_local "$NSI" isp0 || die "isp0 has no link-local address"

S=$WORK
mkdir -p "$S/isp" "$S/run" "$S/db" "$S/capture"
chmod 755 "$S" "$S/run" "$S/db"
echo 00:03:00:01:02:00:00:00:01:02 >"$S/db/duid"   # DUID-LL of wan0: the same client id every run

# kea_restart POOL RENEW REBIND PREFERRED VALID [--wipe]: kea-dhcp6 with that /56 pool and
# those timers; --wipe deletes its lease file first (the provider forgot every lease).
kea_restart() {
    local started
    netns_stop_pid "$KEA_PID"
    KEA_PID=
    [ "${6:-}" = --wipe ] && rm -f "$S"/isp/kea-leases6.csv*
    jq --arg pd "$1" --argjson t1 "$2" --argjson t2 "$3" --argjson pl "$4" --argjson vl "$5" '
        .Dhcp6["renew-timer"] = $t1 | .Dhcp6["rebind-timer"] = $t2 |
        .Dhcp6["preferred-lifetime"] = $pl | .Dhcp6["valid-lifetime"] = $vl |
        .Dhcp6.subnet6[0]["pd-pools"] = [{ "prefix": $pd, "prefix-len": 56, "delegated-len": 56 }]' \
        "$LAB/kea-dhcp6.json" | sed "s|@ISP@|$S/isp|g" >"$S/isp/kea-dhcp6.conf" || die "kea config"
    started=$(cat "$S/isp/kea-dhcp6.log" 2>/dev/null | grep -c DHCP6_STARTED)
    ip netns exec "$NSI" env KEA_PIDFILE_DIR="$S/isp" KEA_LOCKFILE_DIR="$S/isp" \
        kea-dhcp6 -c "$S/isp/kea-dhcp6.conf" >>"$S/isp/kea.out" 2>&1 &
    KEA_PID=$!
    for _ in $(seq 75); do
        [ "$(cat "$S/isp/kea-dhcp6.log" 2>/dev/null | grep -c DHCP6_STARTED)" -gt "$started" ] && return 0
        sleep 0.2
    done
    tail -5 "$S/isp/kea.out" "$S/isp/kea-dhcp6.log" >&2
    die "kea-dhcp6 did not start"
}
kea_restart "$POOL_A" 1000 1600 1800 3600 --wipe
cp "$LAB/isp-radvd.conf" "$S/isp/radvd.conf"
ip netns exec "$NSI" radvd -n -C "$S/isp/radvd.conf" -p "$S/isp/radvd.pid" -m logfile -l "$S/isp/radvd.log" &
RADVD_PID=$!
ip -n "$NSR" link set wan0 down

# ---- the recorder: dhcpcd's `script` ----------------------------------------------------
# It writes into the directory named in $S/current (nothing when that is empty). dhcpcd
# runs its script with no arguments, one call at a time, and waits for it. /proc/$$/environ
# is the environment block dhcpcd passed to execve, before the shell adds anything.
cat >"$S/record" <<EOF
#!/bin/sh
dir=\$(cat "$S/current")
echo "\$(date +%s.%N) \${reason:-?} \${interface:-?} \${dir:-(setup)}" >>"$S/calls.log"
[ -n "\$dir" ] || exit 0
case \$reason in ''|*[!A-Z0-9_]*) reason=UNKNOWN ;; esac
n=\$(ls "\$dir" | wc -l)
LC_ALL=C sort -z /proc/\$\$/environ | sed -z 's/\\\\/\\\\\\\\/g; s/\\n/\\\\n/g' | tr '\\0' '\\n' \\
    >"\$(printf '%s/%02d-%s.env' "\$dir" \$((n + 1)) "\$reason")"
EOF
chmod 755 "$S/record"
: >"$S/current"
sed "s|@SCRIPT@|$S/record|" "$LAB/dhcpcd.conf" >"$S/dhcpcd.conf"
{ cat "$S/dhcpcd.conf"; echo "allowinterfaces wan0"; } >"$S/dhcpcd-wan0-only.conf"

# record SCENARIO: later hook calls go to SCENARIO's directory; `record ""` stops recording.
record() {
    if [ -n "$1" ]; then mkdir -p "$S/capture/$1"; echo "$S/capture/$1" >"$S/current"; else : >"$S/current"; fi
}
# dhcpcd_start [CONF]: dhcpcd in the foreground of the mount namespace `ip netns exec`
# makes, with /run and /var/lib/dhcpcd from the lab (the host's are never touched).
CONF=$S/dhcpcd.conf
dhcpcd_start() {
    CONF=${1:-$S/dhcpcd.conf}
    ip netns exec "$NSR" sh -c 'mount --bind "$1" /run && mount --bind "$2" /var/lib/dhcpcd && shift 2 && exec "$@"' \
        sh "$S/run" "$S/db" env -i PATH="$PATH_FOR_DHCPCD" \
        dhcpcd -f "$CONF" -B -j "$S/dhcpcd.log" >>"$S/dhcpcd.out" 2>&1 &
    DHCPCD_PID=$!
}
# dhcpcd_ctl ARGS...: dhcpcd's client in the daemon's namespaces (finds its pid file, socket).
dhcpcd_ctl() {
    nsenter --target "$DHCPCD_PID" --mount --net -- env -i PATH="$PATH_FOR_DHCPCD" dhcpcd -f "$CONF" "$@" >>"$S/dhcpcd.out" 2>&1
}
dhcpcd_wait_exit() {
    for _ in $(seq 100); do kill -0 "$DHCPCD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$DHCPCD_PID" 2>/dev/null && die "dhcpcd did not exit"
    wait "$DHCPCD_PID" 2>/dev/null
    DHCPCD_PID=
}
# dhcpcd_stop: SIGTERM, wait; then the router's addresses and routes from dhcpcd and RAs
# are flushed, as after a reboot, so the next start begins from a known state.
dhcpcd_stop() {
    kill -TERM "$DHCPCD_PID"
    dhcpcd_wait_exit
    ip -n "$NSR" -6 addr flush scope global
    ip -n "$NSR" -6 route flush proto dhcp
    ip -n "$NSR" -6 route flush proto ra
}
# count SCENARIO REASON [INTERFACE]: calls recorded so far (SCENARIO "" = the setup calls).
count() {
    local n
    if [ -n "$1" ]; then
        n=$(grep -l -x "reason=$2" "$S/capture/$1"/*.env 2>/dev/null | xargs -r grep -l -x "interface=${3:-.*}" | wc -l)
    else
        n=$(awk -v r="$2" -v i="${3:-}" '$4 == "(setup)" && $2 == r && (i == "" || $3 == i)' "$S/calls.log" 2>/dev/null | wc -l)
    fi
    echo "$n"
}
# wait_for SCENARIO SECONDS N REASON [INTERFACE]: until N such calls were recorded.
wait_for() {
    local end=$((SECONDS + $2))
    while [ "$(count "$1" "$4" "${5:-}")" -lt "$3" ]; do
        [ $SECONDS -ge $end ] && die "${1:-setup}: fewer than $3 $4 ${5:-} within $2 s (calls: $(tail -5 "$S/calls.log" | awk '{print $2 "(" $3 ")"}' | tr '\n' ' '))"
        sleep 0.2
    done
}
# settle SECONDS: the calls that follow an event (ROUTERADVERT after STOP6 ...) arrive.
settle() { sleep "$1"; }
# since_setup REASON: a setup-call counter to wait past.
setup_mark() { count "" "$1"; }

T0=$SECONDS
say "a-initial-start"
record a-initial-start
dhcpcd_start
wait_for a-initial-start 30 1 BOUND6 wan0
wait_for a-initial-start 10 1 DELEGATED6 int0
settle 1

say "e1-carrier-loss-peer"
record e1-carrier-loss-peer
ip -n "$NSI" link set isp0 down
wait_for e1-carrier-loss-peer 10 1 EXPIRE6 wan0
settle 3
ip -n "$NSI" link set isp0 up
wait_for e1-carrier-loss-peer 30 1 REBIND6 wan0
wait_for e1-carrier-loss-peer 10 1 DELEGATED6 int0
settle 1

say "b3-renew-timer"
record ""
kea_restart "$POOL_A" 10 16 20 30
m=$(setup_mark RENEW6)
kill -USR1 "$DHCPCD_PID"
wait_for "" 10 $((m + 1)) RENEW6
settle 1
record b3-renew-timer
wait_for b3-renew-timer 45 3 RENEW6 wan0
settle 1

say "c1-prefix-change-rebind"
record ""
kea_restart "$POOL_A" 1000 1600 1800 3600
dhcpcd_stop
m=$(setup_mark REBIND6)
dhcpcd_start
wait_for "" 30 $((m + 1)) REBIND6
settle 2
record c1-prefix-change-rebind
kea_restart "$POOL_C" 1000 1600 1800 3600 --wipe
dhcpcd_ctl -n wan0
wait_for c1-prefix-change-rebind 30 1 REBIND6 wan0
settle 3

say "d1-release"
record ""
dhcpcd_stop
m=$(setup_mark REBIND6)
dhcpcd_start
wait_for "" 30 $((m + 1)) REBIND6
settle 2
record d1-release
dhcpcd_ctl -k
dhcpcd_wait_exit
settle 1

say "c2-prefix-change-restart"
record ""
ip -n "$NSR" -6 addr flush scope global
m=$(setup_mark BOUND6)
dhcpcd_start
wait_for "" 30 $((m + 1)) BOUND6
settle 2
dhcpcd_stop
[ -e "$S/db/wan0.lease6" ] || die "c2: dhcpcd left no wan0.lease6 to start from"
record c2-prefix-change-restart
kea_restart "$POOL_D" 1000 1600 1800 3600 --wipe
dhcpcd_start
wait_for c2-prefix-change-restart 30 1 REBIND6 wan0
wait_for c2-prefix-change-restart 10 1 DELEGATED6 int0
settle 1

say "d3-sigterm"
record d3-sigterm
kill -TERM "$DHCPCD_PID"
dhcpcd_wait_exit
settle 1

say "h-wan0-only-start-stop"
record ""
ip -n "$NSR" -6 addr flush scope global
ip -n "$NSR" -6 route flush proto dhcp
ip -n "$NSR" -6 route flush proto ra
rm -f "$S"/db/*.lease*
record h-wan0-only-start-stop
dhcpcd_start "$S/dhcpcd-wan0-only.conf"
wait_for h-wan0-only-start-stop 30 1 BOUND6 wan0
wait_for h-wan0-only-start-stop 10 1 DELEGATED6 int0
settle 1
dhcpcd_ctl -x
dhcpcd_wait_exit
settle 1
record ""

# What each scenario must show, else the capture did not reproduce it.
expect_calls() {  # SCENARIO REASON(INTERFACE)...
    local s=$1 got want
    shift
    got=$(for f in "$S/capture/$s"/*.env; do
        printf '%s(%s) ' "$(sed -n 's/^reason=//p' "$f")" "$(sed -n 's/^interface=//p' "$f")"
    done)
    for want in "$@"; do
        [[ " $got" == *" $want "* ]] || die "$s: no $want among: $got"
    done
    printf '  %-26s %s\n' "$s" "$got"
}
prefix_of() { sed -n "s/^$2=//p" "$S/capture/$1"/*-"$3".env | head -1; }
say "captured in $((SECONDS - T0)) s"
expect_calls a-initial-start "PREINIT(wan0)" "NOCARRIER(wan0)" "CARRIER(wan0)" "BOUND6(wan0)" "DELEGATED6(int0)"
expect_calls e1-carrier-loss-peer "NOCARRIER(wan0)" "EXPIRE6(wan0)" "CARRIER(wan0)" "REBIND6(wan0)" "DELEGATED6(int0)"
expect_calls b3-renew-timer "RENEW6(wan0)" "DELEGATED6(int0)"
expect_calls c1-prefix-change-rebind "RECONFIGURE(wan0)" "REBIND6(wan0)"
expect_calls d1-release "STOPPED(int0)" "RELEASE6(wan0)" "STOPPED(wan0)"
expect_calls c2-prefix-change-restart "PREINIT(wan0)" "REBIND6(wan0)" "DELEGATED6(int0)"
expect_calls d3-sigterm "STOPPED(int0)" "STOP6(wan0)" "STOPPED(wan0)"
expect_calls h-wan0-only-start-stop "PREINIT(wan0)" "BOUND6(wan0)" "DELEGATED6(int0)" "STOP6(wan0)" "STOPPED(wan0)"
[ "$(prefix_of c1-prefix-change-rebind new_dhcp6_ia_pd1_prefix1 REBIND6)" = "$POOL_C" ] &&
    [ "$(prefix_of c1-prefix-change-rebind old_dhcp6_ia_pd1_prefix1 REBIND6)" = "$POOL_A" ] ||
    die "c1: REBIND6 does not move $POOL_A to $POOL_C"
[ "$(prefix_of c2-prefix-change-restart new_dhcp6_ia_pd1_prefix1 REBIND6)" = "$POOL_D" ] &&
    [ "$(prefix_of c2-prefix-change-restart old_dhcp6_ia_pd1_prefix1 REBIND6)" = "$POOL_C" ] ||
    die "c2: REBIND6 does not move $POOL_C to $POOL_D"

# Replace the .env files of these scenarios (other files in DIR stay).
for d in "$S"/capture/*/; do
    s=$(basename "$d")
    mkdir -p "$OUT/$s"
    rm -f "$OUT/$s"/*.env
    cp "$d"*.env "$OUT/$s/"
done
say "written to $OUT"
