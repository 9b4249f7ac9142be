#!/bin/bash
# hookctl doctor against the real kernel: a clean router namespace (IPv6 uplink
# with accept_ra=2, an nftables input policy drop that accepts UDP 546, the default
# rules, radvd.conf with M and kea serving the LAN, a 0600 key) yields no finding;
# then one namespace per pitfall, each staged for real (sysctls, nft and
# ip6tables-legacy rulesets, flushed rules, a bridge holding the wan veth, a
# default route via fe80::1, config files), must give that finding with its
# evidence. The daemons' files live in a temp dir passed with --radvd-conf etc.
# Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "nftables, iptables, dnsmasq-base, radvd" nft ip6tables-legacy ip6tables-legacy-save dnsmasq radvd
HOOKCTL=$(netns_find_hookctl) || exit 1

netns_setup hookctl-dr
CLEAN=$NS

# shellcheck source=tests/netns/doctor_lib.sh
. "$(dirname "$0")/doctor_lib.sh"

# stage NS DIR: a router as it should be (doctor_lib.sh), wan0 a veth to isp0.
stage() {
    local ns=$1 dir=$2
    ip -n "$ns" link add wan0 type veth peer name isp0 || exit 1
    ip -n "$ns" link set isp0 up || exit 1
    doctor_clean_router "$dir" "$ns" || exit 1
}

# doctor NS DIR [OPTIONS]: hookctl doctor in NS with DIR's files; output in $OUT,
# exit status in $RC.
doctor() {
    local ns=$1 dir=$2
    shift 2
    OUT=$(ip netns exec "$ns" "$HOOKCTL" --config "$dir/hookctl.toml" --state-dir "$dir/state" \
        doctor --root "$dir/root" --radvd-conf "$dir/radvd.conf" \
        --dnsmasq-conf "$dir/dnsmasq.conf" --kea-conf "$dir/kea-dhcp6.conf" \
        --dhcpcd-conf "$dir/dhcpcd.conf" "$@" 2>&1)
    RC=$?
}
check_detail() { printf '%s\n' "$OUT" | sed 's/^/    # /'; }

# pitfall NAME: a namespace and a directory staged clean, in $P and $D.
pitfall() {
    P=hookctl-dr-$1-$$
    D=$WORK/$1
    netns_add "$P"
    stage "$P" "$D"
}

# --- clean router: nothing --------------------------------------------------------
stage "$CLEAN" "$WORK/clean"
doctor "$CLEAN" "$WORK/clean"
check "clean router: no finding, exit 0" \
    '[ "$RC" = 0 ] && [ "$OUT" = "doctor: 12 checks, 0 errors, 0 warnings, 0 infos" ]'

# --- forwarding=1 with accept_ra=1 on the uplink ----------------------------------
pitfall ra
ip netns exec "$P" sysctl -qw net.ipv6.conf.wan0.accept_ra=1
doctor "$P" "$D"
check "accept_ra=1 with forwarding: error with both sysctls, fix accept_ra=2, exit 1" \
    '[ "$RC" = 1 ] && grep -q "^error \[uplink-ra-ignored\] wan0:" <<<"$OUT" &&
     grep -q "evidence: /proc/sys/net/ipv6/conf/wan0/forwarding=1" <<<"$OUT" &&
     grep -q "evidence: /proc/sys/net/ipv6/conf/wan0/accept_ra=1" <<<"$OUT" &&
     grep -q "fix: sysctl -w net.ipv6.conf.wan0.accept_ra=2" <<<"$OUT"'

# --- nftables input policy drop without UDP 546 -----------------------------------
pitfall nft
ip netns exec "$P" nft delete rule inet filter input handle \
    "$(ip netns exec "$P" nft -a list chain inet filter input | sed -n 's/.*udp dport 546 accept # handle \([0-9]*\).*/\1/p')"
doctor "$P" "$D"
check "nft: drop policy without udp 546: error naming the chain's policy" \
    '[ "$RC" = 1 ] && grep -q "^error \[dhcpv6-reply-dropped\] wan0:" <<<"$OUT" &&
     grep -q "evidence: nft.*policy drop" <<<"$OUT"'

# --- legacy ip6tables INPUT DROP without UDP 546 ----------------------------------
pitfall ipt
ip netns exec "$P" nft flush ruleset
ip netns exec "$P" ip6tables-legacy -A INPUT -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
ip netns exec "$P" ip6tables-legacy -A INPUT -p tcp --dport 22 -j ACCEPT
ip netns exec "$P" ip6tables-legacy -P INPUT DROP
doctor "$P" "$D"
check "ip6tables-legacy: INPUT DROP without 546: error with the policy" \
    '[ "$RC" = 1 ] && grep -q "^error \[dhcpv6-reply-dropped\] wan0:" <<<"$OUT" &&
     grep -qF "evidence: ip6tables-legacy: filter table, chain INPUT (policy DROP)" <<<"$OUT"'
ip netns exec "$P" ip6tables-legacy -I INPUT -i wan0 -p udp --dport 546 -j ACCEPT
doctor "$P" "$D"
check "ip6tables-legacy: with an accept for 546 first: no finding" '[ "$RC" = 0 ] &&
     ! grep -q "dhcpv6-reply-dropped" <<<"$OUT"'

# --- flushed rules ----------------------------------------------------------------
pitfall rules
ip -n "$P" rule flush
ip -n "$P" -6 rule flush
doctor "$P" "$D"
check "flushed rules: from all lookup main missing (v4 and v6), lookup default (v4)" \
    '[ "$RC" = 1 ] &&
     grep -q "^error \[default-rules\] IPv4 rules: the rule \`from all lookup main\` is missing" <<<"$OUT" &&
     grep -q "^error \[default-rules\] IPv6 rules: the rule \`from all lookup main\` is missing" <<<"$OUT" &&
     grep -q "^warning \[default-rules\] IPv4 rules: the rule \`from all lookup default\` is missing" <<<"$OUT" &&
     grep -q "fix: ip -4 rule add from all lookup main priority 32766" <<<"$OUT"'

# --- the wan veth in the VMs' bridge ----------------------------------------------
pitfall bridge
ip -n "$P" link add vmbr0 type bridge
ip -n "$P" link set vmbr0 up
ip -n "$P" link set wan0 master vmbr0
doctor "$P" "$D"
check "uplink in a bridge: error with the master" \
    '[ "$RC" = 1 ] && grep -q "^error \[uplink-in-bridge\] wan0: the uplink is a port of bridge vmbr0" <<<"$OUT" &&
     grep -q "evidence: ip link: wan0 master vmbr0 (a bridge)" <<<"$OUT"'

# --- radvd without M while dnsmasq serves DHCPv6 addresses; and the reverse -------
pitfall radvd
grep -v AdvManagedFlag "$D/radvd.conf" >"$D/radvd.conf.new" && mv "$D/radvd.conf.new" "$D/radvd.conf"
printf 'interface=lan0\ndhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h\n' >"$D/dnsmasq.conf"
rm "$D/kea-dhcp6.conf"
# Both daemons really run with these files: dnsmasq (DNS off) answering DHCPv6 on lan0,
# radvd announcing without M.
ip netns exec "$P" dnsmasq --keep-in-foreground --conf-file="$D/dnsmasq.conf" --port=0 \
    --user=root --pid-file="$D/dnsmasq.pid" --dhcp-leasefile="$D/dnsmasq.leases" \
    --log-facility="$D/dnsmasq.log" &
ip netns exec "$P" radvd -n -C "$D/radvd.conf" -p "$D/radvd.pid" -m logfile -l "$D/radvd.log" &
dhcpv6_served() { ip netns exec "$P" ss -H -uln 'sport = :547' | grep -q .; }
radvd_running() { [ -s "$D/radvd.pid" ] && kill -0 "$(cat "$D/radvd.pid")" 2>/dev/null; }
for _ in $(seq 100); do dhcpv6_served && radvd_running && break; sleep 0.1; done
check "dnsmasq listens for DHCPv6 on port 547 and radvd runs" 'dhcpv6_served && radvd_running'
doctor "$P" "$D"
check "radvd without M, dnsmasq dhcp-range IPv6: warning with the dnsmasq line" \
    '[ "$RC" = 0 ] && grep -q "^warning \[radvd-managed-flag\] lan0: a DHCPv6 server hands out" <<<"$OUT" &&
     grep -qF "evidence: dnsmasq: $D/dnsmasq.conf:2: dhcp-range=2001:db8:1::100,2001:db8:1::1ff,64,1h" <<<"$OUT"'
stage_reverse() {
    printf 'interface lan0 {\n    AdvSendAdvert on;\n    AdvManagedFlag on;\n    prefix 2001:db8:1::/64 { };\n};\n' >"$D/radvd.conf"
    : >"$D/dnsmasq.conf"
}
stage_reverse
doctor "$P" "$D"
check "radvd with M and no DHCPv6 server: warning with the radvd line" \
    '[ "$RC" = 0 ] && grep -q "^warning \[radvd-managed-flag\] lan0: radvd sets the Managed flag" <<<"$OUT" &&
     grep -qF "evidence: $D/radvd.conf:3: AdvManagedFlag on;" <<<"$OUT"'

# --- fe80::1 default route on an IPv4-only uplink ---------------------------------
pitfall fe80
cat >"$D/hookctl.toml" <<EOF
[uplink.isp]
interface = "wan0"

[[dns]]
server = "192.0.2.53"
key = "$D/ddns.key"
zone = "dyn.example.org"
records = [ { name = "router", a = "isp.ipv4" } ]
EOF
: >"$D/dhcpcd.conf"    # no prefix delegation asked for on it either
doctor "$P" "$D"
check "IPv6 default route via fe80::1 on an IPv4-only uplink: warning with the route" \
    '[ "$RC" = 0 ] && grep -q "^warning \[ipv4-uplink-ipv6-route\] wan0:" <<<"$OUT" &&
     grep -qF "evidence: ip route: route default (ipv6) via fe80::1 dev wan0" <<<"$OUT" &&
     grep -q "evidence: /proc/sys/net/ipv6/conf/wan0/accept_ra=2" <<<"$OUT"'

# --- forwarding set on one interface at runtime -----------------------------------
pitfall fwd
ip netns exec "$P" sysctl -qw net.ipv6.conf.lan0.forwarding=0
doctor "$P" "$D"
check "lan0 forwarding 0 while all is 1: warning, fix down/up" \
    '[ "$RC" = 0 ] && grep -q "^warning \[forwarding-differs\] lan0:" <<<"$OUT" &&
     grep -q "evidence: /proc/sys/net/ipv6/conf/lan0/forwarding=0" <<<"$OUT" &&
     grep -q "evidence: /proc/sys/net/ipv6/conf/all/forwarding=1" <<<"$OUT" &&
     grep -q "ip link set lan0 down && ip link set lan0 up" <<<"$OUT"'

# --- dhcpcd's decimal suffix ------------------------------------------------------
pitfall dhcpcd
printf 'interface wan0\n  ia_pd 1 lan0/0/64/801\n' >"$D/dhcpcd.conf"
doctor "$P" "$D"
check "dhcpcd ia_pd .../801: warning that the address is ::321, with the line" \
    '[ "$RC" = 0 ] && grep -q "^warning \[dhcpcd-suffix-decimal\] lan0: .*::321, not ::801" <<<"$OUT" &&
     grep -qF "evidence: $D/dhcpcd.conf:2: ia_pd 1 lan0/0/64/801" <<<"$OUT"'

# --- a table named by the config missing from rt_tables ---------------------------
pitfall table
sed -i 's/^table = "isp"/table = "kd"/' "$D/hookctl.toml"
doctor "$P" "$D"
check "table kd in neither rt_tables nor [tables]: error with the config line" \
    '[ "$RC" = 1 ] && grep -q "^error \[table-unknown\] kd:" <<<"$OUT" &&
     grep -qF "evidence: $D/hookctl.toml:12:1: table = \"kd\"" <<<"$OUT"'
mkdir -p "$D/root/etc/iproute2"
printf '199 kd\n' >"$D/root/etc/iproute2/rt_tables"
doctor "$P" "$D"
check "table kd in rt_tables: no finding" '[ "$RC" = 0 ] && ! grep -q "table-unknown" <<<"$OUT"'

# --- a world-readable TSIG key ----------------------------------------------------
pitfall key
chmod 0644 "$D/ddns.key"
doctor "$P" "$D"
check "key 0644: error with its mode" \
    '[ "$RC" = 1 ] && grep -q "^error \[tsig-key-readable\] $D/ddns.key:" <<<"$OUT" &&
     grep -q "evidence: $D/ddns.key: mode 0644" <<<"$OUT"'

# --- JSON -------------------------------------------------------------------------
doctor "$P" "$D" --json
check "--json: the finding as an object, exit 1" \
    '[ "$RC" = 1 ] && python3 -c "import json,sys; d=json.load(sys.stdin); f=d[\"findings\"][0];
assert d[\"errors\"]==1 and f[\"check\"]==\"tsig-key-readable\" and f[\"severity\"]==\"error\"" <<<"$OUT"'

# --- read-only: the clean namespace is as it was ----------------------------------
before=$(ip -n "$CLEAN" rule; ip -n "$CLEAN" -6 route; ip netns exec "$CLEAN" nft list ruleset)
doctor "$CLEAN" "$WORK/clean"
after=$(ip -n "$CLEAN" rule; ip -n "$CLEAN" -6 route; ip netns exec "$CLEAN" nft list ruleset)
check "doctor changed nothing in the clean namespace" '[ "$before" = "$after" ] && [ "$RC" = 0 ]'

netns_done
