#!/bin/bash
# hookctl doctor --live against the real kernel, a real radvd and a real named: the
# router namespace gets its rule, radvd.conf and DNS records from the real CLI (a
# captured dhcpcd BOUND6), radvd announces the file, named serves the zone. Then
# --live must be clean, and give exactly one finding each when the rule is deleted
# behind hookctl's back, when radvd is stopped, and when a record is changed by hand
# with nsupdate; and a live-file error for radvd.conf edited by hand. Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "radvd, bind9, bind9-dnsutils" radvd /usr/sbin/named /usr/sbin/tsig-keygen \
    /usr/bin/nsupdate /usr/bin/dig
HOOKCTL=$(netns_find_hookctl) || exit 1
DATA=$NETNS_REPO_ROOT/tests/data/dhcpcd

netns_setup hookctl-dl
NSR=$NS
NSL=hookctl-dl-l-$$
PORT=$((5400 + $$ % 100))
RADVD_PID=
NAMED_PID=
netns_stop_on_exit RADVD_PID
netns_stop_on_exit NAMED_PID

# --- router: wan0 (veth), int0 === lan0 in the LAN namespace ----------------------
netns_add "$NSL"
netns_no_dad "$NSR" "$NSL"
ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
netns_veth wan0
ip -n "$NSR" link add int0 type veth peer name lan0 netns "$NSL" || exit 1
ip -n "$NSR" link set int0 up
ip -n "$NSL" link set lan0 up
netns_wait_link_local "$NSR" int0 "$NSL" lan0

# --- named: one zone, updates signed with upd-key ---------------------------------
netns_named_write "$WORK/named" "$PORT" || exit 1
netns_named_start "$NSR" "$WORK/named" "$PORT" "$WORK/named.log" || exit 1
dig_() { ip netns exec "$NSR" dig @::1 -p "$PORT" +time=1 +tries=1 "$@"; }
install -m 600 -o root "$WORK/named/key.conf" "$WORK/ddns.key"

# --- hookctl: a rule, radvd.conf and a record, from one BOUND6 ----------------------
CONF=$WORK/radvd.conf
PIDFILE=$WORK/radvd.pid
cat >"$WORK/hookctl.toml" <<EOF
[uplink.isp]
interface = "wan0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[tables]
isp = 100

[[rule]]
from = "lan.prefix"
table = "isp"

[radvd]
file = "$CONF"
reload-pidfile = "$PIDFILE"
interface.lan = { min-interval = 3, max-interval = 4 }

[[dns]]
server = "::1"
port = $PORT
key = "$WORK/ddns.key"
zone = "dyn.example.org"
records = [ { name = "router", aaaa = "lan.address" } ]
EOF
out=$(hk_dhcpcd "$DATA/a-initial-start/08-BOUND6.env" 2>&1)
check "BOUND6 wrote radvd.conf" '[ -s "$CONF" ]'
check "BOUND6 added the rule" 'ip -6 -n "$NSR" rule | grep -q "from 2001:db8:100::/64 lookup 100"'
check "BOUND6 published the record" '[ "$(dig_ +short router.dyn.example.org AAAA)" = 2001:db8:100::321 ]'
ip netns exec "$NSR" radvd -n -C "$CONF" -p "$PIDFILE" -m logfile -l "$WORK/radvd.log" &
RADVD_PID=$!
for _ in $(seq 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done

live() {
    OUT=$(hk doctor --live 2>&1)
    RC=$?
}
check_detail() { printf '%s\n' "$OUT" | sed 's/^/    # /'; }
findings() { grep -cE '^(error|warning|info) \[' <<<"$OUT"; }

# --- clean --------------------------------------------------------------------------
live
check "clean: no finding, exit 0" \
    '[ "$RC" = 0 ] && [ "$OUT" = "doctor --live: 4 checks, 0 errors, 0 warnings, 0 infos" ]'

# --- a rule deleted behind hookctl's back -------------------------------------------
ip -6 -n "$NSR" rule del from 2001:db8:100::/64 lookup 100
live
check "deleted rule: one error naming the rule, exit 1" \
    '[ "$RC" = 1 ] && [ "$(findings)" = 1 ] &&
     grep -q "^error \[live-kernel\] rule .*from 2001:db8:100::/64.*: an owned rule is not in the kernel" <<<"$OUT"'
hk apply >/dev/null 2>&1
live
check "after hookctl apply: clean again" '[ "$RC" = 0 ] && [ "$(findings)" = 0 ]'

# --- radvd stopped --------------------------------------------------------------------
netns_stop_pid "$RADVD_PID"
RADVD_PID=
live
check "radvd stopped: one error, no advertisement answers the solicitation" \
    '[ "$RC" = 1 ] && [ "$(findings)" = 1 ] &&
     grep -q "^error \[live-radvd\] int0: no router advertisement from this router" <<<"$OUT" &&
     grep -q "evidence: router solicitation to ff02::2 on int0: no advertisement from fe80::" <<<"$OUT"'
ip netns exec "$NSR" radvd -n -C "$CONF" -p "$PIDFILE" -m logfile -l "$WORK/radvd.log" &
RADVD_PID=$!
for _ in $(seq 50); do [ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null && break; sleep 0.1; done

# --- a record changed by hand ---------------------------------------------------------
ip netns exec "$NSR" nsupdate -k "$WORK/ddns.key" <<EOF
server ::1 $PORT
zone dyn.example.org
update delete router.dyn.example.org AAAA
update add router.dyn.example.org 300 AAAA 2001:db8:bad::1
send
EOF
live
check "hand-changed record: one error with both values" \
    '[ "$RC" = 1 ] && [ "$(findings)" = 1 ] &&
     grep -q "^error \[live-dns\] router.dyn.example.org AAAA: resolves to 2001:db8:bad::1 at its server, hookctl applied 2001:db8:100::321" <<<"$OUT"'

# --- a file edited by hand ------------------------------------------------------------
sed -i 's/AdvSendAdvert on;/AdvSendAdvert on; # edited/' "$CONF"
live
check "hand-edited radvd.conf: a live-file error with the differing line" \
    'grep -qF "error [live-file] $CONF: an owned file does not carry the bytes hookctl rendered" <<<"$OUT" &&
     grep -qE "evidence: line [0-9]+: on disk .*# edited" <<<"$OUT"'

netns_done
