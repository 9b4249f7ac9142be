#!/bin/bash
# The dispatcher entry points as their daemons run them (docs/daemons.md):
#   networkd-dispatcher 2.2 runs /etc/networkd-dispatcher/<state>.d/NN-name with no
#   arguments and its own environment plus IFACE, STATE, ADDR, ESSID, IP_ADDRS,
#   IP6_ADDRS, AdministrativeState, OperationalState and json;
#   NetworkManager 1.42 runs /etc/NetworkManager/dispatcher.d/NN-name INTERFACE ACTION
#   with an environment of its own making (CONNECTION_*, DEVICE_*, IP4_*, IP6_*,
#   NM_DISPATCHER_ACTION).
# hookctl is a link in those directories; the config and state are at their default
# paths (bind-mounted from a temp dir in a private mount namespace, since NetworkManager
# passes no environment of ours). Each run reads the kernel for the interface named:
# the rule follows ext's address; a change the dispatchers do not report (a new prefix
# while routable) waits for the next event; an interface that is no kernel uplink is
# left alone without a journal entry; hostile values are refused and journaled.
# Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "util-linux" unshare
netns_require_tools "jq" jq
HOOKCTL=$(netns_find_hookctl) || exit 1

netns_setup hookctl-disp
netns_veth ext

# Mount points for the defaults; created here only if the machine has none, and
# removed again (empty) on exit.
created=()
for d in /etc/hookctl /var/lib/hookctl; do
    if [ ! -d "$d" ]; then mkdir -p "$d" && created+=("$d"); fi
done
cleanup_dirs() { for d in "${created[@]}"; do rmdir "$d" 2>/dev/null; done; netns_cleanup; }
trap cleanup_dirs EXIT

mkdir -p "$WORK/etc" "$WORK/state" "$WORK/networkd-dispatcher/routable.d" \
    "$WORK/networkd-dispatcher/off.d" "$WORK/NetworkManager/dispatcher.d"
ln -s "$HOOKCTL" "$WORK/networkd-dispatcher/routable.d/50-hookctl"
ln -s "$HOOKCTL" "$WORK/networkd-dispatcher/off.d/50-hookctl"
ln -s "$HOOKCTL" "$WORK/NetworkManager/dispatcher.d/50-hookctl"
cat >"$WORK/etc/hookctl.toml" <<'EOF'
[tables]
kd = 199

[uplink.ext]
interface = "ext"
source = "kernel"

[[rule]]
from = "ext.prefix"
table = "kd"
EOF

# run_script SCRIPT ENV... [-- ARGS...]: SCRIPT exec'd with exactly ENV, as the
# dispatcher does, with /etc/hookctl and /var/lib/hookctl from $WORK.
run_script() {
    local script=$1 env=() args=()
    shift
    while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
    [ "${1:-}" = -- ] && { shift; args=("$@"); }
    ip netns exec "$NS" unshare -m --propagation private sh -c \
        'mount --bind "$1" /etc/hookctl && mount --bind "$2" /var/lib/hookctl && shift 2 && exec "$@"' \
        sh "$WORK/etc" "$WORK/state" env -i "${env[@]}" "$script" "${args[@]}"
}
# networkd-dispatcher's environment for IFACE entering STATE (its own environment
# under systemd first: PATH, LANG, INVOCATION_ID, JOURNAL_STREAM).
networkd() {
    local iface=$1 state=$2 dir=$2
    [ -d "$WORK/networkd-dispatcher/$dir.d" ] || dir=routable
    run_script "$WORK/networkd-dispatcher/$dir.d/50-hookctl" \
        PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        INVOCATION_ID=0123456789abcdef0123456789abcdef JOURNAL_STREAM=8:12345 \
        "ADDR=" "ESSID=" "IP_ADDRS=" "IP6_ADDRS=$(ip -n "$NS" -6 -br addr show dev ext 2>/dev/null | cut -d' ' -f3-)" \
        "IFACE=$iface" "STATE=$state" AdministrativeState=configured "OperationalState=$state" \
        'json={"AdministrativeState": "configured", "OperationalState": "routable", "Type": "ether"}'
}
# NetworkManager's: argv INTERFACE ACTION, its own environment only.
nm() {
    run_script "$WORK/NetworkManager/dispatcher.d/50-hookctl" \
        CONNECTION_UUID=5fb06bd0-0bb0-7ffb-45f1-d6edd65f3e03 CONNECTION_ID="Wired connection 1" \
        CONNECTION_DBUS_PATH=/org/freedesktop/NetworkManager/Settings/1 \
        CONNECTION_FILENAME=/run/NetworkManager/system-connections/ext.nmconnection \
        "DEVICE_IFACE=$1" "DEVICE_IP_IFACE=$1" "NM_DISPATCHER_ACTION=$2" \
        IP6_NUM_ADDRESSES=1 "IP6_ADDRESS_0=2001:db8:a::dead:b0a1/64 fe80::1" -- "$@"
}
owned6() { ip -n "$NS" -6 rule show | grep 'proto 211' | sed 's/^[0-9]*:[[:space:]]*//; s/ proto 211//' | tr '\n' ';'; }
entries() { ip netns exec "$NS" "$HOOKCTL" --state-dir "$WORK/state" events --json --limit 1000 | jq length; }
check_detail() { [ -n "${out:-}" ] && printf '%s\n' "$out" | sed 's/^/#   /'; }

# --- networkd: ext becomes routable with A ------------------------------------------
ip -n "$NS" addr add 2001:db8:a::dead:b0a1/64 dev ext nodad
out=$(networkd ext routable 2>&1)
rc=$?
check "networkd routable: exit 0, the rule for A" "[ $rc = 0 ] && [ \"\$(owned6)\" = 'from 2001:db8:a::/64 lookup 199;' ]"
check "  journaled as a kernel event 'networkd routable' with the dump" \
    "ip netns exec $NS $HOOKCTL --state-dir $WORK/state events --json --limit 1 | jq -e '.[-1] | .name == \"networkd routable\" and .source == \"kernel\"' >/dev/null"

# --- a new prefix while ext stays routable: no dispatcher event, nothing follows ----
ip -n "$NS" addr add 2001:db8:b::dead:b0a1/64 dev ext nodad
ip -n "$NS" addr del 2001:db8:a::dead:b0a1/64 dev ext
check "without an event the rule stays on A (what watch is for)" "[ \"\$(owned6)\" = 'from 2001:db8:a::/64 lookup 199;' ]"

# --- NetworkManager dhcp6-change: read again, the rule follows ---------------------
out=$(nm ext dhcp6-change 2>&1)
rc=$?
check "nm dhcp6-change: exit 0, the rule follows to B" "[ $rc = 0 ] && [ \"\$(owned6)\" = 'from 2001:db8:b::/64 lookup 199;' ]"

# --- actions and interfaces hookctl leaves alone ------------------------------------
n0=$(entries)
out=$(nm none hostname 2>&1)
check "nm hostname (no interface): exit 0, no journal entry" "[ \$? = 0 ] && [ \"\$(entries)\" = $n0 ]"
out=$(nm lo up 2>&1)
rc=$?
check "nm up on lo (no kernel uplink): exit 0, says so, no journal entry" \
    "[ $rc = 0 ] && [[ \"\$out\" == *'no uplink with source = \"kernel\" uses it'* ]] && [ \"\$(entries)\" = $n0 ]"

# --- hostile values: refused, journaled, nothing changed ----------------------------
out=$(networkd 'ext;reboot' routable 2>&1)
rc=$?
check "networkd IFACE='ext;reboot': exit 2, refused naming IFACE" \
    "[ $rc = 2 ] && [[ \"\$out\" == *'IFACE: '* ]] && [ \"\$(owned6)\" = 'from 2001:db8:b::/64 lookup 199;' ]"
check "  journaled as rejected" "[ \"\$(entries)\" = $((n0 + 1)) ]"
out=$(networkd ext 'routable$(id)' 2>&1)
check "networkd STATE not a state: exit 2" "[ \$? = 2 ] && [[ \"\$out\" == *'STATE: not a networkd-dispatcher state'* ]]"
out=$(nm ext 'up' 'extra' 2>&1)
check "nm with 3 arguments: exit 2" "[ \$? = 2 ] && [[ \"\$out\" == *'NetworkManager passes 2 arguments'* ]]"

# --- networkd off: link down, the rule goes ------------------------------------------
ip -n "$NS" link set ext down
out=$(networkd ext off 2>&1)
rc=$?
check "networkd off (link down): exit 0, the rule goes" "[ $rc = 0 ] && [ -z \"\$(owned6)\" ]"

# --- the interface deleted: NM down ---------------------------------------------------
ip -n "$NS" link set ext up
ip -n "$NS" addr add 2001:db8:c::dead:b0a1/64 dev ext nodad
out=$(nm ext up 2>&1)
check "nm up: the rule for C" "[ \"\$(owned6)\" = 'from 2001:db8:c::/64 lookup 199;' ]"
ip -n "$NS" link del ext
out=$(nm ext down 2>&1)
rc=$?
check "nm down after the interface is deleted: exit 0, the rule goes, facts dropped" \
    "[ $rc = 0 ] && [ -z \"\$(owned6)\" ] && ! ip netns exec $NS $HOOKCTL --state-dir $WORK/state --config $WORK/etc/hookctl.toml status | grep -q 'ext.*kernel'"

netns_done
