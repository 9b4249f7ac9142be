#!/bin/bash
# The whole router, live: real daemons in network namespaces, driven the way a router's
# daemons drive hookctl. One scenario, shared by tools/demo.sh (which prints it) and
# tests/netns/live_router.sh (which checks it), so the two cannot drift apart.
# Source it after tests/netns/lib.sh; needs root.
#
#   [ISP  $LIVE_ISP]  isp0 2001:db8:0:1::1/64 and ::53
#                     kea-dhcp6-server: IA_NA pool and a one-/56 prefix-delegation pool
#                     radvd: the uplink's RA (M and O set, so dhcpcd asks DHCPv6)
#                     named: zone lab.example, updates signed with a tsig-keygen key
#        isp0 ==veth== wan0  [router $NS]  dhcpcd 9.4.1 (ia_na 1, ia_pd 2 int0/0/64/801)
#                                          running Debian's dhcpcd-run-hooks, which
#                                          sources the installed shim 90-hookctl
#                      ppp0  a veth: the kernel has no PPP; pppd's scripts are run the way
#                            pppd runs them, through Debian's /etc/ppp wrappers and run-parts
#                      int0 ==veth== lan0  [LAN $LIVE_LAN]  the kernel's SLAAC, rdisc6, dig
#                      radvd on int0, reading the radvd.conf hookctl writes
#
# Nothing outside the temp dir $WORK is written: dhcpcd and the pppd wrappers run in their
# own mount namespaces (from `ip netns exec`) where /usr/sbin/hookctl is the binary under
# test (an overlay on /usr/sbin), /usr/lib/dhcpcd/dhcpcd-hooks is a copy of the stock
# hooks plus the shim, /etc is an overlay whose writes (the stock hooks' resolv.conf)
# land in $WORK, and /run and /var/lib/dhcpcd are directories in $WORK. /dev is an
# overlay there too, its /dev/log a datagram socket of the lab's own ($WORK/syslog.sock,
# read by a listener writing $WORK/syslog.lines): what hookctl sends to syslog is seen,
# and the host's log gets nothing.
#
# Use:
#   . tests/netns/lib.sh; . tests/netns/live_lib.sh
#   live_say() { ...; }         # prints a step's title
#   live_on_step() { ...; }     # called with the step's name after each step
#   live_require_tools          # exit 77 (skip) when a daemon or tool is missing
#   live_setup || exit 1        # namespaces, ISP daemons, configs (temp dir and EXIT trap
#                               # from lib.sh's netns_setup)
#   live_scenario               # steps: bind ppp-up renew renumber drift ppp-down release
# The observations (live_rules, live_ra, live_lan_addrs, live_dig, live_entries, ...) are
# the same for the transcript and the checks.

LIVE_LAB=$NETNS_LIB_DIR/lab
LIVE_ZONE=lab.example
LIVE_DNS=2001:db8:0:1::53
LIVE_PD1=2001:db8:100::        # the first delegated /56 (kea's pool before the renumbering)
LIVE_PD2=2001:db8:1cd::        # the /56 after the ISP renumbered
LIVE_LAN_HOST_TOKEN=::ff:fe00:202   # the LAN host's SLAAC interface id (lan0's MAC 02:00:00:00:02:02)
LIVE_PPP_LOCAL=198.51.100.7
# What the hook shim sees as PATH: dhcpcd passes its own (here it is started with this one).
LIVE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

KEA_PID='' ISP_RADVD_PID='' NAMED_PID='' DHCPCD_PID='' RADVD_PID='' SYSLOG_PID=''
LIVE_MARK=0          # the last journal id before the current step
LIVE_T0=$SECONDS

# live_require_tools: skip (exit 77) when something the lab runs is missing.
live_require_tools() {
    netns_require_tools "dhcpcd-base, kea-dhcp6-server, radvd, ndisc6, bind9, bind9-utils, bind9-dnsutils, ppp, jq, python3; see tools/deps.sh" \
        dhcpcd kea-dhcp6 radvd rdisc6 /usr/sbin/named /usr/sbin/tsig-keygen nsupdate dig jq python3 \
        nsenter run-parts /etc/ppp/ip-up /usr/lib/dhcpcd/dhcpcd-run-hooks
    if ! grep -qw overlay /proc/filesystems; then
        echo "SKIP: the kernel has no overlay filesystem (the lab overlays /usr/sbin and /etc for dhcpcd)"
        exit 77
    fi
}

# until_true SECONDS COMMAND...: polls every 0.2 s; status 1 if COMMAND never succeeded.
until_true() {
    local end=$((SECONDS + $1))
    shift
    while ! "$@"; do
        [ $SECONDS -ge $end ] && return 1
        sleep 0.2
    done
}

# ---- set-up ---------------------------------------------------------------------------

# live_setup: everything up to, not including, dhcpcd. Status 1 (with the reason on
# stderr) if a daemon does not come up.
live_setup() {
    netns_setup hookctl-live
    LIVE_ISP=hookctl-live-isp-$$
    LIVE_LAN=hookctl-live-lan-$$
    netns_stop_on_exit DHCPCD_PID   # stopped first: its STOP6 still reaches hookctl
    netns_stop_on_exit RADVD_PID
    netns_stop_on_exit KEA_PID
    netns_stop_on_exit ISP_RADVD_PID
    netns_stop_on_exit NAMED_PID
    netns_stop_on_exit SYSLOG_PID
    netns_add "$LIVE_ISP"
    netns_add "$LIVE_LAN"
    netns_no_dad "$LIVE_ISP" "$NS" "$LIVE_LAN"
    ip netns exec "$LIVE_ISP" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip netns exec "$NS" sysctl -qw net.ipv6.conf.all.forwarding=1
    ip -n "$LIVE_ISP" link add isp0 address 02:00:00:00:01:01 type veth \
        peer name wan0 address 02:00:00:00:01:02 netns "$NS" || return 1
    ip -n "$NS" link add int0 address 02:00:00:00:02:01 type veth \
        peer name lan0 address 02:00:00:00:02:02 netns "$LIVE_LAN" || return 1
    ip -n "$NS" link add ppp0 type veth peer name ppp0-isp || return 1
    ip -n "$LIVE_ISP" addr add 2001:db8:0:1::1/64 dev isp0
    ip -n "$LIVE_ISP" addr add "$LIVE_DNS/64" dev isp0
    local dev
    for dev in wan0 int0 ppp0 ppp0-isp; do ip -n "$NS" link set "$dev" up; done
    ip -n "$LIVE_ISP" link set isp0 up
    ip -n "$LIVE_LAN" link set lan0 up
    # The provider routes what it delegates to the customer's router (kea only hands
    # prefixes out): both pools, through wan0's link-local address.
    ip -n "$LIVE_ISP" -6 route add 2001:db8:100::/40 via fe80::ff:fe00:102 dev isp0 || return 1
    netns_wait_link_local "$LIVE_ISP" isp0 "$NS" wan0 || { echo "no link-local address on isp0/wan0" >&2; return 1; }

    mkdir -p "$WORK/isp" "$WORK/named" "$WORK/state" "$WORK/dhcpcd/run" "$WORK/dhcpcd/db" \
        "$WORK/dhcpcd/hooks" "$WORK/sbin" "$WORK/etc-upper" "$WORK/etc-work" "$WORK/etc-ppp" \
        "$WORK/dev-dhcpcd/upper" "$WORK/dev-dhcpcd/work" "$WORK/dev-ppp/upper" "$WORK/dev-ppp/work" || return 1
    chmod 755 "$WORK" "$WORK/dhcpcd" "$WORK/dhcpcd/run" "$WORK/dhcpcd/db"
    live_write_configs || return 1
    live_syslog_start || { echo "the syslog listener did not start" >&2; return 1; }
    live_kea_start "$LIVE_PD1" || return 1
    cp "$LIVE_LAB/isp-radvd.conf" "$WORK/isp/radvd.conf"
    ip netns exec "$LIVE_ISP" radvd -n -C "$WORK/isp/radvd.conf" -p "$WORK/isp/radvd.pid" \
        -m logfile -l "$WORK/isp/radvd.log" &
    ISP_RADVD_PID=$!
    live_named_start || return 1
}

# live_write_configs: named's zone and key, hookctl.toml, dhcpcd.conf, the hook
# directory, /usr/sbin/hookctl and /etc/ppp for the private mount namespaces.
live_write_configs() {
    /usr/sbin/tsig-keygen ddns-key >"$WORK/named/key.conf" || return 1
    # hookctl sends nothing with a key file others can read (docs/config.md, [[dns]]).
    install -m 600 -o root "$WORK/named/key.conf" "$WORK/ddns.key"
    cat >"$WORK/named/named.conf" <<EOF
options {
    directory "$WORK/named";
    pid-file "$WORK/named/named.pid";
    session-keyfile "$WORK/named/session.key";
    listen-on { none; };
    listen-on-v6 { $LIVE_DNS; };
    recursion no;
    dnssec-validation no;
    allow-transfer { any; };
};
controls { };
include "$WORK/named/key.conf";
zone "$LIVE_ZONE" {
    type primary;
    file "$WORK/named/$LIVE_ZONE.zone";
    update-policy { grant ddns-key zonesub ANY; };
};
EOF
    cat >"$WORK/named/$LIVE_ZONE.zone" <<EOF
\$TTL 60
@   IN SOA ns.$LIVE_ZONE. hostmaster.$LIVE_ZONE. 1 3600 600 86400 60
@   IN NS  ns.$LIVE_ZONE.
ns  IN AAAA $LIVE_DNS
EOF

    cat >"$WORK/hookctl.toml" <<EOF
# The live lab's router (tests/netns/live_lib.sh); schema: docs/config.md.
[tables]
kd = 199

[uplink.tkom]                    # PPPoE uplink (pppd; here a veth)
interface = "ppp0"
sysctl.ipv6 = { use_tempaddr = 1, forwarding = 0, autoconf = 1, accept_ra = 1 }

[uplink.isp]                     # dhcpcd asks for IA_NA 1 and IA_PD 2 on wan0
interface = "wan0"
pd-iaid = 2

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }   # dhcpcd: ia_pd 2 int0/0/64/801
address-token = "::321"                              # 801 decimal

[[rule]]                         # two hosts reached through table kd while ppp0 is up
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = "kd"
while = "tkom"

[[rule]]                         # the LAN's traffic: follows the delegated prefix
from = "lan.prefix"
table = "kd"

[radvd]
file = "$WORK/radvd.conf"
reload-pidfile = "$WORK/radvd.pid"
interface.lan = { min-interval = 3, max-interval = 4, deprecate-old = "2h" }

[[dns]]                          # the provider's named, zone $LIVE_ZONE
server = "$LIVE_DNS"
key = "$WORK/ddns.key"
zone = "$LIVE_ZONE"
ttl = 60
records = [
    { name = "router", aaaa = "lan.address" },
    { name = "lanhost", aaaa = "lan.prefix + $LIVE_LAN_HOST_TOKEN" },
    { name = "router", a = "tkom.ipv4" },
]
EOF
    "$HOOKCTL" check "$WORK/hookctl.toml" >"$WORK/check.out" 2>&1 || { cat "$WORK/check.out" >&2; return 1; }

    # dhcpcd: the lab's configuration under test with no `script` line, so dhcpcd runs
    # its default dhcpcd-run-hooks; `env` lines put the config and state paths into the
    # hooks' environment (what an installed hookctl finds at its default paths).
    # ppp0 is pppd's (here a veth pair): dhcpcd leaves it alone.
    sed -e "s|^script @SCRIPT@$|env HOOKCTL_CONFIG=$WORK/hookctl.toml\nenv HOOKCTL_STATE_DIR=$WORK/state\ndenyinterfaces ppp0*|" \
        "$LIVE_LAB/dhcpcd.conf" >"$WORK/dhcpcd/dhcpcd.conf"
    grep -q "^env HOOKCTL_CONFIG=" "$WORK/dhcpcd/dhcpcd.conf" || { echo "lab/dhcpcd.conf has no 'script @SCRIPT@' line" >&2; return 1; }
    # DUID-LL of wan0's MAC: the same client id on every run.
    echo 00:03:00:01:02:00:00:00:01:02 >"$WORK/dhcpcd/db/duid"
    # The stock hooks, and the shim installed next to them.
    cp -p /usr/lib/dhcpcd/dhcpcd-hooks/* "$WORK/dhcpcd/hooks/" || return 1
    # The shim as `meson install` makes it from its template (@HOOKCTL@ = the
    # installed binary's path).
    local hooks=$NETNS_REPO_ROOT/hooks
    sed 's|@HOOKCTL@|/usr/sbin/hookctl|g' "$hooks/dhcpcd/90-hookctl.in" >"$WORK/dhcpcd/hooks/90-hookctl" || return 1
    # /usr/sbin/hookctl in the private namespaces: the binary under test.
    ln -s "$HOOKCTL" "$WORK/sbin/hookctl"
    # pppd's side: Debian's own wrappers, their .d directories holding only hookctl's
    # links, made by the script `meson install` runs (hooks/install-links.sh TARGET
    # LINK..., the names of hooks/meson.build).
    local s links=()
    for s in ip-up ip-down ipv6-up ipv6-down; do
        cp -p "/etc/ppp/$s" "$WORK/etc-ppp/$s" || return 1
        links+=("/etc/ppp/$s.d/50-hookctl" "/etc/ppp/$s.d/50-hookctl.sh")
    done
    mkdir -p "$WORK/pppfs"
    DESTDIR=$WORK/pppfs sh "$hooks/install-links.sh" /usr/sbin/hookctl "${links[@]}" >/dev/null || return 1
    cp -a "$WORK/pppfs/etc/ppp/." "$WORK/etc-ppp/" && rm -rf "$WORK/pppfs"
}

# live_kea_config PD-PREFIX: the lab's kea-dhcp6.json with a pool of exactly one /56 and
# long timers (renew 1000 s: every renew in the scenario is asked for with `dhcpcd -N`).
live_kea_config() {
    jq --arg pd "$1" '
        .Dhcp6["renew-timer"] = 1000 | .Dhcp6["rebind-timer"] = 1600 |
        .Dhcp6["preferred-lifetime"] = 1800 | .Dhcp6["valid-lifetime"] = 3600 |
        .Dhcp6.subnet6[0]["pd-pools"] = [{ "prefix": $pd, "prefix-len": 56, "delegated-len": 56 }]' \
        "$LIVE_LAB/kea-dhcp6.json" | sed "s|@ISP@|$WORK/isp|g" >"$WORK/isp/kea-dhcp6.conf"
}

# kea_starts: how often kea has logged that it serves (its log is appended to).
kea_starts() { cat "$WORK/isp/kea-dhcp6.log" 2>/dev/null | grep -c DHCP6_STARTED; }

# live_kea_start PD-PREFIX: kea-dhcp6 with that pool; waits until it serves. The lease
# file is kept across restarts, as a provider's would be.
live_kea_start() {
    local started
    live_kea_config "$1" || return 1
    started=$(kea_starts)
    ip netns exec "$LIVE_ISP" env KEA_PIDFILE_DIR="$WORK/isp" KEA_LOCKFILE_DIR="$WORK/isp" \
        kea-dhcp6 -c "$WORK/isp/kea-dhcp6.conf" >>"$WORK/isp/kea.out" 2>&1 &
    KEA_PID=$!
    kea_started() { [ "$(kea_starts)" -gt "$started" ]; }
    if ! until_true 15 kea_started; then
        echo "kea-dhcp6 did not start:" >&2
        tail -5 "$WORK/isp/kea.out" "$WORK/isp/kea-dhcp6.log" >&2 2>/dev/null
        return 1
    fi
}

# live_kea_renumber PD-PREFIX: the provider changes its delegation pool and restarts kea.
live_kea_renumber() {
    netns_stop_pid "$KEA_PID"
    KEA_PID=
    live_kea_start "$1"
}

live_named_start() {
    ip netns exec "$LIVE_ISP" /usr/sbin/named -g -n 1 -c "$WORK/named/named.conf" >>"$WORK/named.log" 2>&1 &
    NAMED_PID=$!
    named_serves() { [ -n "$(live_dig "$LIVE_ISP" "$LIVE_ZONE" SOA)" ]; }
    if ! until_true 15 named_serves; then
        echo "named did not start:" >&2
        tail -20 "$WORK/named.log" >&2
        return 1
    fi
}

# live_syslog_start: the lab's syslog: a datagram socket at $WORK/syslog.sock (bound
# over /dev/log in the private mount namespaces), each message one line of
# $WORK/syslog.lines, newlines in it escaped. A pathname socket is reached from every
# network namespace.
live_syslog_start() {
    python3 -c '
import os, socket, sys
sock_path, lines_path = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sock_path)
os.chmod(sock_path, 0o666)
with open(lines_path, "ab", buffering=0) as out:
    open(lines_path + ".ready", "w").close()
    while True:
        out.write(s.recv(65536).replace(b"\n", b"\\n") + b"\n")
' "$WORK/syslog.sock" "$WORK/syslog.lines" &
    SYSLOG_PID=$!
    syslog_ready() { [ -e "$WORK/syslog.lines.ready" ]; }
    until_true 10 syslog_ready
}

# live_dhcpcd_start: dhcpcd in the router namespace, in the foreground (-B) of its own
# mount namespace (see the top of this file); an empty lease database, a fixed DUID.
live_dhcpcd_start() {
    ip netns exec "$NS" sh -c '
        w=$1; shift
        mount --bind "$w/dhcpcd/run" /run &&
        mount --bind "$w/dhcpcd/db" /var/lib/dhcpcd &&
        mount --bind "$w/dhcpcd/hooks" /usr/lib/dhcpcd/dhcpcd-hooks &&
        mount -t overlay overlay -o "lowerdir=$w/sbin:/usr/sbin" /usr/sbin &&
        mount -t overlay overlay -o "lowerdir=/etc,upperdir=$w/etc-upper,workdir=$w/etc-work" /etc &&
        mount -t overlay overlay -o "lowerdir=/dev,upperdir=$w/dev-dhcpcd/upper,workdir=$w/dev-dhcpcd/work" /dev &&
        rm -f /dev/log && : >/dev/log && mount --bind "$w/syslog.sock" /dev/log &&
        exec "$@"' sh "$WORK" \
        env -i PATH="$LIVE_PATH" \
        dhcpcd -f "$WORK/dhcpcd/dhcpcd.conf" -B -j "$WORK/dhcpcd/dhcpcd.log" >"$WORK/dhcpcd/dhcpcd.out" 2>&1 &
    DHCPCD_PID=$!
}

# live_dhcpcd ARGS...: dhcpcd's own client (`dhcpcd -N`, `dhcpcd -k`) in the daemon's
# namespaces, where it finds the manager's pid file.
live_dhcpcd() {
    nsenter --target "$DHCPCD_PID" --mount --net -- env -i PATH="$LIVE_PATH" \
        dhcpcd -f "$WORK/dhcpcd/dhcpcd.conf" "$@" >>"$WORK/dhcpcd/control.out" 2>&1
}
dhcpcd_running() { [ -n "$DHCPCD_PID" ] && kill -0 "$DHCPCD_PID" 2>/dev/null; }
dhcpcd_exited() { ! dhcpcd_running; }

# live_radvd_start: the router's radvd on the file hookctl wrote, pid file where the
# config's reload-pidfile points.
live_radvd_start() {
    ip netns exec "$NS" radvd -n -C "$WORK/radvd.conf" -p "$WORK/radvd.pid" -m logfile -l "$WORK/radvd.log" &
    RADVD_PID=$!
    radvd_up() { [ -s "$WORK/radvd.pid" ]; }
    until_true 10 radvd_up
}

# live_ppp SCRIPT IFNAME TTY SPEED LOCAL REMOTE: what pppd does for SCRIPT: run
# /etc/ppp/SCRIPT with five arguments (no ipparam) and only its own variables in the
# environment (no PATH; `set HOOKCTL_CONFIG=...` in a peers file adds the two paths).
# /etc/ppp is Debian's wrappers with hookctl's links; /usr/sbin/hookctl the binary under test.
live_ppp() {
    local script=$1
    shift
    local env=(IFNAME="$1" PPPLOGNAME=root PPPD_PID=4242 UNIT=0 DEVICE="$2"
        "HOOKCTL_CONFIG=$WORK/hookctl.toml" "HOOKCTL_STATE_DIR=$WORK/state")
    case $script in
        ip-up | ip-down) env+=("IPLOCAL=$4" "IPREMOTE=$5") ;;
        ipv6-up | ipv6-down) env+=("LLLOCAL=$4" "LLREMOTE=$5") ;;
    esac
    ip netns exec "$NS" sh -c '
        w=$1; shift
        mount --bind "$w/etc-ppp" /etc/ppp &&
        mount -t overlay overlay -o "lowerdir=$w/sbin:/usr/sbin" /usr/sbin &&
        mount -t overlay overlay -o "lowerdir=/dev,upperdir=$w/dev-ppp/upper,workdir=$w/dev-ppp/work" /dev &&
        rm -f /dev/log && : >/dev/log && mount --bind "$w/syslog.sock" /dev/log &&
        exec "$@"' sh "$WORK" \
        env -i "${env[@]}" "/etc/ppp/$script" "$@" >>"$WORK/ppp.out" 2>&1
}

# ---- observations -----------------------------------------------------------------------

# live_journal: hookctl's journal as a JSON array.
live_journal() { hk events --json --limit 1000 2>/dev/null || echo '[]'; }
live_last_id() { live_journal | jq '[.[] | .id] | max // 0'; }
# live_entries [NAME]: journal entries after the step began (one JSON object a line),
# optionally only those for dhcpcd reason / pppd script NAME.
live_entries() {
    live_journal | jq -c --argjson after "$LIVE_MARK" --arg n "${1:-}" \
        '.[] | select(.id > $after) | select($n == "" or .name == $n)'
}
has_entry() { [ -n "$(live_entries "$1")" ]; }
# live_entry NAME: the step's last entry for NAME.
live_entry() { live_entries "$1" | tail -1; }
# live_show_entries: the step's entries as a transcript: the event, what hookctl saw
# change (transitions), each action with its result.
live_show_entries() {
    live_entries | jq -r '
        "  #\(.id) \(.source) \(.name) \(.interface // ""): \(.status)",
        (if (.transitions | length) == 0 and (.actions | length) == 0 then "      nothing to do" else empty end),
        (.transitions[]? | "      saw: \(.text)"),
        (.actions[]? | "      [\(.result)] \(.describe)" +
            (if (.message // "") != "" then "  (\(.message))" else "" end))'
}

# live_syslog: hookctl's syslog lines so far, "<PRI>TEXT" each ("hookctl[PID]: "
# taken out). Datagrams on one socket keep their order, so once a marker
# sent now has been written, every line sent before it has been too.
live_syslog() {
    local markers
    markers=$(grep -c '^<15>live-lib-marker$' "$WORK/syslog.lines")
    python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"<15>live-lib-marker", sys.argv[1])' \
        "$WORK/syslog.sock" || return 1
    marker_arrived() { [ "$(grep -c '^<15>live-lib-marker$' "$WORK/syslog.lines")" -gt "$markers" ]; }
    until_true 10 marker_arrived || return 1
    sed -n 's/^\(<[0-9]*>\)hookctl\[[0-9]*\]: /\1/p' "$WORK/syslog.lines"
}
# live_syslog_step: the lines for the current step's journal entries (hookctl names the
# journal id in each).
live_syslog_step() {
    local line id
    live_syslog | while IFS= read -r line; do
        id=$(sed -n 's/.*, journal #\([0-9]*\).*/\1/p' <<<"$line")
        [ -n "$id" ] && [ "$id" -gt "$LIVE_MARK" ] && printf '%s\n' "$line"
    done
}

# live_rules: hookctl's rules in the router (protocol 211), both families.
live_rules() {
    { ip -n "$NS" -4 rule show; ip -n "$NS" -6 rule show; } |
        sed -e 's/ proto hookctl$/ proto 211/' -e 's/ lookup kd / lookup 199 /' | grep ' proto 211$'
}
# live_ra: what the LAN host hears when it solicits: "PREFIX valid V preferred P" per
# prefix (rdisc6; retried while radvd starts or reloads).
live_ra() {
    local out
    for _ in 1 2 3 4 5; do
        out=$(ip netns exec "$LIVE_LAN" rdisc6 -1 -n -r 2 -w 1500 lan0 2>/dev/null | awk '
            /^ Prefix/ { p = $3 }
            /Valid time/ { v = $4 }
            /Pref\. time/ { print p, "valid", v, "preferred", $4 }')
        [ -n "$out" ] && break
    done
    printf '%s\n' "$out"
}
# live_lan_addrs: the LAN host's global addresses as its kernel holds them:
# "ADDRESS/LEN [deprecated] valid Vs preferred Ps".
live_lan_addrs() {
    ip -n "$LIVE_LAN" -6 -o addr show dev lan0 scope global | awk '{
        flags = ""; v = ""; p = ""
        for (i = 5; i <= NF; i++) {
            if ($i == "deprecated") flags = " deprecated"
            if ($i == "valid_lft") v = $(i + 1)
            if ($i == "preferred_lft") p = $(i + 1)
        }
        print $4 flags, "valid", v, "preferred", p }'
}
# lan_addr_state ADDRESS: "deprecated", "preferred" or "absent".
lan_addr_state() {
    local line
    line=$(live_lan_addrs | grep "^$1/")
    if [ -z "$line" ]; then echo absent
    elif [[ $line == *" deprecated "* ]]; then echo deprecated
    else echo preferred; fi
}
# live_dig NAMESPACE NAME TYPE: the answer named gives, sorted, space-separated.
live_dig() {
    ip netns exec "$1" dig @"$LIVE_DNS" +time=2 +tries=2 +short "$2" "$3" 2>/dev/null | sort | tr '\n' ' ' | sed 's/ $//'
}
live_serial() { live_dig "$LIVE_ISP" "$LIVE_ZONE" SOA | awk '{ print $3 }'; }
# live_int0_addrs: the router's global addresses on int0 (put there by dhcpcd).
live_int0_addrs() { ip -n "$NS" -6 -o addr show dev int0 scope global | awk '{ print $4 }' | sort | tr '\n' ' ' | sed 's/ $//'; }

# ---- the scenario -------------------------------------------------------------------------

# live_step TITLE: a new step: its title, and journal entries from here on are its own.
live_step() {
    LIVE_MARK=$(live_last_id)
    live_say "$1"
}

# live_wait_for SECONDS NAME...: until the step's journal has an entry for each NAME.
live_wait_for() {
    local limit=$1 name
    shift
    for name in "$@"; do
        until_true "$limit" has_entry "$name" || { echo "# no $name in hookctl's journal within ${limit} s" >&2; return 1; }
    done
}

pd_of() { jq -r '.event.env.new_dhcp6_ia_pd1_prefix1 // empty' <<<"$1"; }
renew_has_new_prefix() { [ "$(pd_of "$(live_entry RENEW6)")" = "$LIVE_PD2" ]; }
delegated_has_new_prefix() { live_entries DELEGATED6 | grep -qF "\"new_delegated_dhcp6_prefix\":\"${LIVE_PD2}321/64\""; }
lan_host_renumbered() {
    [ "$(lan_addr_state "$LIVE_PD2${LIVE_LAN_HOST_TOKEN#::}")" = preferred ] &&
        [ "$(lan_addr_state "$LIVE_PD1${LIVE_LAN_HOST_TOKEN#::}")" = deprecated ]
}
lan_host_has() { [ "$(lan_addr_state "$1")" = "$2" ]; }

live_scenario() {
    local pd1_host=$LIVE_PD1${LIVE_LAN_HOST_TOKEN#::} pd2_host=$LIVE_PD2${LIVE_LAN_HOST_TOKEN#::}

    live_step "dhcpcd starts on the router: Solicit, Advertise, Request, Reply from kea"
    live_dhcpcd_start
    live_wait_for 30 BOUND6 DELEGATED6
    # radvd is started once there is a file to read; from now on hookctl reloads it.
    [ -s "$WORK/radvd.conf" ] && live_radvd_start
    until_true 15 lan_host_has "$pd1_host" preferred
    live_on_step bind

    live_step "pppd: ip-up and ipv6-up on ppp0, through /etc/ppp/ip-up and run-parts"
    live_ppp ip-up ppp0 eth0 0 "$LIVE_PPP_LOCAL" 203.0.113.1
    live_ppp ipv6-up ppp0 eth0 0 fe80::1 fe80::2
    live_on_step ppp-up

    # kea's T1 is 1000 s: `dhcpcd -N` (SIGUSR1 to the manager) renews now, as T1 would.
    live_step "dhcpcd -N: a Renew, the same prefix comes back"
    LIVE_SERIAL_BEFORE=$(live_serial)
    LIVE_RADVD_MTIME=$(stat -c %Y.%y "$WORK/radvd.conf")
    live_dhcpcd -N
    live_wait_for 20 RENEW6 DELEGATED6
    live_on_step renew

    live_step "the provider renumbers: kea's delegation pool becomes $LIVE_PD2/56 (kea restarted), then dhcpcd -N"
    # kea drops a lease outside every pool at the Renew, delegates from the new pool and
    # returns the old prefix with lifetimes 0 (docs/daemons.md, kea).
    live_kea_renumber "$LIVE_PD2"
    live_dhcpcd -N
    live_wait_for 20 RENEW6
    until_true 10 renew_has_new_prefix
    until_true 10 delegated_has_new_prefix
    until_true 20 lan_host_renumbered
    live_on_step renumber

    live_step "someone deletes hookctl's rule by hand: status shows it, apply puts it back"
    ip -n "$NS" -6 rule del from "$LIVE_PD2/64" lookup 199 proto 211 priority 10000
    live_on_step drift

    live_step "pppd: ip-down on ppp0"
    live_ppp ip-down ppp0 eth0 0 "$LIVE_PPP_LOCAL" 203.0.113.1
    live_on_step ppp-down

    live_step "dhcpcd -k: dhcpcd releases its lease and exits"
    live_dhcpcd -k
    live_wait_for 20 RELEASE6
    until_true 15 dhcpcd_exited
    until_true 20 lan_host_has "$pd2_host" deprecated
    live_on_step release
}
