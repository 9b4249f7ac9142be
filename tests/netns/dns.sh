#!/bin/bash
# Dynamic DNS against a real named (Debian's bind9) in a network namespace, driven
# through the real CLI as pppd and dhcpcd run it, with a zone that accepts updates
# signed by a key this test makes with tsig-keygen:
#   - ppp ip-up and dhcpcd BOUND6 publish router A, router/desk/nas AAAA (dig sees them);
#   - an unchanged RENEW6 plans nothing and the zone's serial stays;
#   - a wrong key: refused by the server, reported, nothing confirmed; `apply` with the
#     right key then moves every AAAA to the new prefix and leaves no old record;
#   - named stopped: the hook fails fast; named started again, `apply` completes;
#   - named hung (SIGSTOP: datagrams vanish): the hook returns within the bound, the
#     remaining records of that server are not tried; `apply` completes afterwards;
#   - a key file readable by others: refused, and named never hears of it;
#   - timing: median of 20 updates (nsupdate + confirmation).
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root "for network namespaces and a root-owned TSIG key"
netns_require_tools "bind9, bind9-dnsutils, jq; see tools/deps.sh" \
    /usr/sbin/named /usr/sbin/tsig-keygen /usr/bin/nsupdate /usr/bin/dig /usr/bin/jq
HOOKCTL=$(netns_find_hookctl) || exit 1
DATA=$NETNS_REPO_ROOT/tests/data/dhcpcd

# Namespace ($NS) and temp dir ($WORK) from lib.sh; named (possibly stopped by
# SIGSTOP at the time) is stopped on exit too.
netns_setup hookctl-dns
PORT=$((5300 + $$ % 100))
NAMED_PID=
netns_stop_on_exit NAMED_PID

# ---- named: one primary zone, updates allowed for upd-key only -----------------------
netns_named_write "$WORK/named" "$PORT" || exit 1

dig_() { ip netns exec "$NS" dig @::1 -p "$PORT" +time=1 +tries=1 "$@"; }
answer() { dig_ +short "$1.dyn.example.org" "$2" | sort | tr '\n' ' ' | sed 's/ $//'; }
serial() { dig_ +short dyn.example.org SOA | awk '{print $3}'; }
# Update messages named logged (applied, denied, bad signature): "did it hear anything".
heard() { grep -cE "updating zone|update '.*' denied|invalid signature" "$WORK/named.log"; }
start_named() { netns_named_start "$NS" "$WORK/named" "$PORT" "$WORK/named.log" || exit 1; }
stop_named() {
    netns_stop_pid "$NAMED_PID"
    NAMED_PID=
}
start_named

# ---- hookctl: DNS only (no wan0/int0 here, so no rules, sysctls or radvd) ------------
install -m 600 -o root "$WORK/named/key.conf" "$WORK/ddns.key"
cat >"$WORK/hookctl.toml" <<EOF
[uplink.isp]
interface = "wan0"

[uplink.tkom]
interface = "ppp0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[[dns]]
server = "::1"
port = $PORT
key = "$WORK/ddns.key"
zone = "dyn.example.org"
ttl = 300
timeout = "3s"
records = [
    { name = "router", aaaa = "lan.address" },
    { name = "desk", aaaa = "lan.prefix + ::c0a0:808" },
    { name = "nas", aaaa = "lan.prefix + ::5" },
    { name = "router", a = "tkom.ipv4" },
]
EOF

expect_grep() {  # name pattern file
    if grep -qE -- "$2" "$3"; then pass "$1"; else fail "$1: no [$2] in:"; sed 's/^/    /' "$3" | head -30; fi
}
# dhcpcd CAPTURE [OPTIONS...]: the fixture tests/data/dhcpcd/CAPTURE.env as dhcpcd runs it.
dhcpcd() {
    local file=$DATA/$1.env
    shift
    hk_dhcpcd "$file" "$@"
}
ip_up() { hk "$@" ppp ip-up ppp0 eth0 0 "$IPV4" 203.0.113.1 ""; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
state_of() { hk --json status | jq -r ".dns[] | select(.name == \"$1.dyn.example.org\" and .type == \"$2\") | \"\(.state) \(.confirmed)\""; }
old_records() { dig_ axfr dyn.example.org | grep -c '2001:db8:100:'; }
new_records() { dig_ axfr dyn.example.org | grep -c '2001:db8:1cd:'; }

# 1. ip-up publishes the A record; BOUND6 the three AAAA records.
IPV4=198.51.100.7
ip_up >"$WORK/out" 2>&1
rc=$?
expect "ip-up exit status" 0 echo $rc
# The first update after named's start: on a failure, say what hookctl said (CI saw
# one fail once, and its reason was not on record).
[ "$rc" = 0 ] || sed 's/^/    /' "$WORK/out" | head -30
expect "router A after ip-up" "198.51.100.7" answer router A
dhcpcd a-initial-start/08-BOUND6 >"$WORK/out" 2>&1; expect "BOUND6 exit status" 0 echo $?
expect "BOUND6: three DNS actions done" 3 grep -c '^  \[done\] add dns' "$WORK/out"
expect "router AAAA after bind" "2001:db8:100::321" answer router AAAA
expect "desk AAAA after bind" "2001:db8:100::c0a0:808" answer desk AAAA
expect "nas AAAA after bind" "2001:db8:100::5" answer nas AAAA
expect "status: router AAAA confirmed" "confirmed 2001:db8:100::321" state_of router AAAA
expect "status: router A confirmed" "confirmed 198.51.100.7" state_of router A

# 2. An unchanged renew sends nothing.
S1=$(serial); H1=$(heard)
dhcpcd b3-renew-timer/02-RENEW6 >"$WORK/out" 2>&1; expect "RENEW6 exit status" 0 echo $?
expect "unchanged renew: nothing to do" 1 grep -c 'nothing to do' "$WORK/out"
expect "unchanged renew: zone serial unchanged" "$S1" serial
expect "unchanged renew: named heard no update" "$H1" heard

# 3. Wrong key (same name, other secret): refused, reported, nothing confirmed.
/usr/sbin/tsig-keygen upd-key >"$WORK/wrong.key"
install -m 600 -o root "$WORK/wrong.key" "$WORK/ddns.key"
S1=$(serial)
dhcpcd c1-prefix-change-rebind/04-REBIND6 >"$WORK/out" 2>"$WORK/err"; expect "REBIND6 with a wrong key: exit 1" 1 echo $?
expect "wrong key: three failed DNS actions" 3 grep -c '^  \[failed\] replace dns' "$WORK/out"
expect_grep "wrong key: the error names the signature" "rejected the TSIG signature.*NOTAUTH\(BADSIG\)" "$WORK/err"
expect "wrong key: server still answers the old value" "2001:db8:100::321" answer router AAAA
expect "wrong key: zone serial unchanged" "$S1" serial
expect "wrong key: status failed, old value still the confirmed one" "failed 2001:db8:100::321" state_of router AAAA
expect "wrong key: desk failed too" "failed 2001:db8:100::c0a0:808" state_of desk AAAA
hk status >"$WORK/out" 2>&1
expect_grep "status text shows desired, confirmed and failed" \
    "router.dyn.example.org AAAA @::1#$PORT: desired 2001:db8:1cd::321, confirmed 2001:db8:100::321: failed" "$WORK/out"

# 4. Right key back: `apply` moves every AAAA, no old record is left.
install -m 600 -o root "$WORK/named/key.conf" "$WORK/ddns.key"
hk apply >"$WORK/out" 2>&1; expect "apply with the right key: exit 0" 0 echo $?
expect "router AAAA moved" "2001:db8:1cd::321" answer router AAAA
expect "desk AAAA moved" "2001:db8:1cd::c0a0:808" answer desk AAAA
expect "nas AAAA moved" "2001:db8:1cd::5" answer nas AAAA
expect "no record of the old prefix in the zone" 0 old_records
expect "exactly three records of the new prefix" 3 new_records
confirmed_count() { hk --json status | jq '[.dns[] | select(.state == "confirmed")] | length'; }
expect "status: all four confirmed" "4" confirmed_count

# 5. named stopped: connection refused, the hook fails at once; `apply` after a restart.
stop_named
IPV4=198.51.100.8
t0=$(now_ms); ip_up >"$WORK/out" 2>"$WORK/err"; rc=$?; t1=$(now_ms)
echo "# server stopped: hook returned in $((t1 - t0)) ms"
expect "named stopped: exit 1" 1 echo $rc
expect_grep "named stopped: reported" "server down|connection refused" "$WORK/err"
expect "named stopped: status failed, old A still confirmed" "failed 198.51.100.7" state_of router A
start_named
hk apply >"$WORK/out" 2>&1; rc=$?
expect "apply after restart: exit 0" 0 echo $rc
[ "$rc" -eq 0 ] || { sed 's/^/    apply: /' "$WORK/out"; tail -30 "$WORK/named.log" | sed 's/^/    named: /'; }
expect "router A after apply" "198.51.100.8" answer router A

# 6. named hung (SIGSTOP: the datagrams are queued, never answered), three records to
#    change: the first times out within the bound, the other two are not tried.
BOUND_MS=3500   # nsupdate_timing(3000).kill_after_ms; nsupdate itself gives up at (r+1)*u = 3 s
kill -STOP "$NAMED_PID"
t0=$(now_ms); dhcpcd a-initial-start/08-BOUND6 >"$WORK/out" 2>"$WORK/err"; rc=$?; t1=$(now_ms)
HUNG_MS=$((t1 - t0))
echo "# server hung: hook returned in $HUNG_MS ms (bound ${BOUND_MS} ms + process start)"
expect "named hung: exit 1" 1 echo $rc
if [ "$HUNG_MS" -ge 2500 ] && [ "$HUNG_MS" -le $((BOUND_MS + 1000)) ]; then pass "named hung: returned within the bound"
else fail "named hung: took $HUNG_MS ms"; fi
expect_grep "named hung: reported as no answer" "no answer from ::1#$PORT" "$WORK/err"
expect "named hung: the other records were not tried" 2 grep -c "did not answer an update earlier in this run" "$WORK/out"
[ "$(grep -c "did not answer an update earlier in this run" "$WORK/out")" = 2 ] || sed 's/^/    hung: /' "$WORK/out"
kill -CONT "$NAMED_PID"
hk apply >"$WORK/out" 2>&1; expect "apply after the server is back: exit 0" 0 echo $?
expect "router AAAA back on the first prefix" "2001:db8:100::321" answer router AAAA
expect "desk AAAA back on the first prefix" "2001:db8:100::c0a0:808" answer desk AAAA
expect "nas AAAA back on the first prefix" "2001:db8:100::5" answer nas AAAA
expect "no record of the second prefix left" 0 new_records

# 7. A key file readable by others: refused before anything is sent.
chmod 644 "$WORK/ddns.key"
S1=$(serial); H1=$(heard)
IPV4=198.51.100.10
ip_up >"$WORK/out" 2>"$WORK/err"; expect "world-readable key: exit 1" 1 echo $?
expect_grep "world-readable key: error names file, mode and fix" \
    "TSIG key file $WORK/ddns.key is mode 0644 owned by root: .*fix: chmod 600 $WORK/ddns.key; nothing was sent" "$WORK/err"
expect "world-readable key: named heard nothing" "$H1" heard
expect "world-readable key: serial unchanged" "$S1" serial
expect "world-readable key: A unchanged" "198.51.100.8" answer router A
chmod 600 "$WORK/ddns.key"
hk apply >"$WORK/out" 2>&1; expect "apply after chmod 600: exit 0" 0 echo $?
expect "router A after the fix" "198.51.100.10" answer router A

# 8. Timing: 20 updates of the A record, per action (nsupdate + confirm) and per hook.
: >"$WORK/action_us"; : >"$WORK/hook_ms"; : >"$WORK/nsupdate_ms"
for i in $(seq 20); do
    IPV4=198.51.100.$((20 + i))
    t0=$(now_ms)
    ip_up --json >"$WORK/out.json" 2>/dev/null
    t1=$(now_ms)
    jq -r '.actions[] | select(.result == "done") | .["elapsed-us"]' "$WORK/out.json" >>"$WORK/action_us"
    jq -r '.actions[] | select(.result == "done") | .message' "$WORK/out.json" |
        sed -n 's/^nsupdate \([0-9]*\) ms;.*/\1/p' >>"$WORK/nsupdate_ms"
    echo $((t1 - t0)) >>"$WORK/hook_ms"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {if (NR) print (NR % 2 ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2)}'; }
expect "20 timed updates all done" 20 sh -c "wc -l <'$WORK/action_us'"
expect "router A after the timing runs" "198.51.100.40" answer router A
echo "# per update (nsupdate + confirm): median $(median "$WORK/action_us") us, max $(sort -n "$WORK/action_us" | tail -1) us"
echo "#   of which nsupdate alone: median $(median "$WORK/nsupdate_ms") ms"
echo "# whole hook run (process start to exit): median $(median "$WORK/hook_ms") ms"
echo "# worst case with the server hung: $HUNG_MS ms for a hook with three records to change"

netns_done
