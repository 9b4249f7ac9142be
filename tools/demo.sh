#!/bin/bash
# hookctl demo: a router in network namespaces, driven the way its daemons drive it.
#
#   [demo-r]  ppp0 (a veth: the kernel here has no PPP; pppd's contract is replayed
#             through Debian's own /etc/ppp/ip-up wrapper and run-parts)
#             wan0 (a veth: dhcpcd's uplink; its real captured events are replayed)
#             int0 ====veth==== lan0 [demo-lan]   (radvd announces the LAN prefix; rdisc6 listens)
#
# Everything hookctl writes lives in a temp dir; namespaces and processes are removed at
# the end. Needs root (network namespaces). Run: sudo bash tools/demo.sh
set -euo pipefail
cd "$(dirname "$0")/.."
src=$(pwd)
if [ "$(id -u)" -ne 0 ]; then echo "demo: needs root (network namespaces)" >&2; exit 1; fi
bash tools/build.sh
bin=$src/build/cli/hookctl
fixtures=$src/tests/data/dhcpcd

R=hookctl-demo-r-$$ L=hookctl-demo-l-$$
dir=$(mktemp -d /tmp/hookctl-demo.XXXXXX)
cleanup() {
    [ -f "$dir/radvd.pid" ] && kill "$(cat "$dir/radvd.pid")" 2>/dev/null || true
    ip netns del "$R" 2>/dev/null || true
    ip netns del "$L" 2>/dev/null || true
    rm -rf "$dir"
}
trap cleanup EXIT

say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
inr() { ip netns exec "$R" "$@"; }
inl() { ip netns exec "$L" "$@"; }

say "network namespaces: router $R (ppp0, wan0, int0) and LAN $L (lan0)"
ip netns add "$R"; ip netns add "$L"
inr ip link set lo up
inr ip link add ppp0 type veth peer name ppp0-isp
inr ip link add wan0 type veth peer name wan0-isp
inr ip link add int0 type veth peer name lan0 netns "$L"
for i in ppp0 ppp0-isp wan0 wan0-isp int0; do inr ip link set "$i" up; done
inl ip link set lo up; inl ip link set lan0 up
inr sysctl -qw net.ipv6.conf.all.forwarding=1
inl sysctl -qw net.ipv6.conf.lan0.accept_ra=2

mkdir -p "$dir/etc-ppp" "$dir/state"
cat > "$dir/hookctl.toml" <<TOML
# The demo's config: the router of docs/design.md, with paths in a temp dir.
[tables]
kd = 199

[uplink.tkom]                    # PPPoE uplink (pppd)
interface = "ppp0"
sysctl.ipv6 = { use_tempaddr = 1, forwarding = 0, autoconf = 1, accept_ra = 1 }
on.ipv6-up = [["/bin/echo", "ipv6-up on ppp0: a real router would run rdisc6 ppp0 here"]]

[uplink.isp]                     # dhcpcd asks for a delegated prefix on wan0
interface = "wan0"
pd-iaid = 2

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[[rule]]                         # two hosts reached through table kd while ppp0 is up
to = ["198.51.100.10/32", "203.0.113.20/32"]
table = "kd"
while = "tkom"

[[rule]]                         # follows the delegated prefix
from = "lan.prefix"
table = "kd"

[radvd]
file = "$dir/radvd.conf"
reload-pidfile = "$dir/radvd.pid"
interface.lan = { managed = true, min-interval = 3, max-interval = 4, deprecate-old = "2h" }

[[file]]                         # a forwarder's target follows the prefix
path = "$dir/rdp-forward"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
TOML
"$bin" check "$dir/hookctl.toml"

# pppd runs /etc/ppp/ip-up etc.; Debian's wrappers run-parts /etc/ppp/<script>.d. In a
# private mount namespace /etc/ppp is a copy of Debian's wrappers whose .d dirs hold
# only the hookctl links, exactly as hooks/install-ppp-links.sh installs them.
for s in ip-up ip-down ipv6-up ipv6-down; do
    cp "/etc/ppp/$s" "$dir/etc-ppp/$s"
    mkdir -p "$dir/etc-ppp/$s.d"
    ln -s "$bin" "$dir/etc-ppp/$s.d/50-hookctl"
done
# pppd's environment holds only its own variables (no PATH); `set HOOKCTL_CONFIG=...`
# in a peers file puts the config path there.
pppd_event() {  # SCRIPT, then pppd's argv[1..]
    local script=$1; shift
    local env=(IFNAME=ppp0 PPPLOGNAME=root PPPD_PID=4242 UNIT=0 DEVICE=eth0
               "HOOKCTL_CONFIG=$dir/hookctl.toml" "HOOKCTL_STATE_DIR=$dir/state")
    case $script in
        ip-up|ip-down) env+=(IPLOCAL=$4 IPREMOTE=$5) ;;
        ipv6-up|ipv6-down) env+=(LLLOCAL=$4 LLREMOTE=$5) ;;
    esac
    inr unshare -m sh -c 'mount --bind "$1" /etc/ppp && shift && exec "$@"' sh "$dir/etc-ppp" \
        env -i "${env[@]}" "/etc/ppp/$script" "$@" || echo "  (the wrapper exited $?)"
}
# dhcpcd runs its hook with only PATH and its variables in the environment.
dhcpcd_event() {  # a captured environment (dhcpcd 9.4.1), one VAR=value per line
    local vars=()
    while IFS= read -r line; do vars+=("$line"); done < "$fixtures/$1"
    inr env -i "${vars[@]}" "$bin" --config "$dir/hookctl.toml" --state-dir "$dir/state" dhcpcd ||
        echo "  (hookctl exited $?)"
}
rules() { { inr ip -4 rule show; inr ip -6 rule show; } | grep -E 'proto (211|hookctl)' | sed 's/^/    /' ||
          echo "    (none of hookctl's)"; }
# rdisc6 solicits and prints what the LAN host hears; retried while radvd starts up.
lan_sees() {
    local out
    for _ in 1 2 3 4 5; do
        out=$(inl rdisc6 -1 -n -r 3 -w 1000 lan0 2>/dev/null | grep -E '^ Prefix|Valid time|Pref. time' || true)
        [ -n "$out" ] && break
        sleep 1
    done
    sed 's/^/    /' <<<"${out:-(no answer)}"
}
hookctl() { inr "$bin" --config "$dir/hookctl.toml" --state-dir "$dir/state" "$@"; }

say "pppd ip-up ppp0 (through /etc/ppp/ip-up and run-parts: 6 arguments, the last empty)"
pppd_event ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1
echo "  rules now:"; rules

say "pppd ipv6-up ppp0 (link-local addresses only)"
pppd_event ipv6-up ppp0 eth0 0 fe80::1 fe80::2
for k in use_tempaddr forwarding autoconf accept_ra; do
    printf '    net.ipv6.conf.ppp0.%s = %s\n' "$k" "$(inr cat /proc/sys/net/ipv6/conf/ppp0/$k)"; done

say "the same ipv6-up again: no state change (the event's own command runs each time)"
pppd_event ipv6-up ppp0 eth0 0 fe80::1 fe80::2

say "dhcpcd BOUND6 on wan0 (captured): delegated 2001:db8:100::/56"
dhcpcd_event a-initial-start/07-DELEGATED6.env
dhcpcd_event a-initial-start/08-BOUND6.env
echo "  rules now:"; rules
echo "  $dir/rdp-forward:"; sed 's/^/    /' "$dir/rdp-forward"
inr radvd -n -C "$dir/radvd.conf" -p "$dir/radvd.pid" -m logfile -l "$dir/radvd.log" &
echo "  rdisc6 on the LAN sees:"; lan_sees

say "dhcpcd RENEW6 (captured), same prefix: nothing to do"
dhcpcd_event b3-renew-timer/01-DELEGATED6.env
dhcpcd_event b3-renew-timer/02-RENEW6.env

say "dhcpcd REBIND6 (captured): the ISP moved us to 2001:db8:1cd::/56"
dhcpcd_event c1-prefix-change-rebind/04-REBIND6.env
echo "  rules now:"; rules
echo "  rdisc6 on the LAN sees (the old prefix is deprecated: preferred 0):"; lan_sees

say "pppd ip-down ppp0: the rules scoped to tkom go, nothing else is touched"
pppd_event ip-down ppp0 eth0 0 198.51.100.7 203.0.113.1
echo "  rules now:"; rules
echo "  all IPv4 rules of the router (local/main/default untouched):"; inr ip rule show | sed 's/^/    /'

say "a rule deleted behind hookctl's back: status shows the drift, apply repairs it"
inr ip -6 rule del from 2001:db8:1cd::/64 lookup 199 proto 211 priority 10000
hookctl status | sed -n '/^drift/,/^last/p' | grep -v '^last'
hookctl apply
echo "  rules now:"; rules

say "hookctl status"
hookctl status
say "hookctl events"
hookctl events
say "demo done; cleaning up"
