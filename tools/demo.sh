#!/bin/bash
# hookctl demo: the whole router, live. Real daemons in network namespaces: kea-dhcp6,
# radvd and named at the "ISP", dhcpcd 9.4.1 on the router running hookctl through its
# installed hook shim, radvd on the LAN side reading what hookctl writes, a LAN host whose
# kernel takes the announcements (rdisc6 and dig look on its behalf); pppd's side through
# Debian's /etc/ppp wrappers. The ISP renumbers the delegated prefix half-way.
# The lab and the scenario are tests/netns/live_lib.sh (tests/netns/live_router.sh runs
# the same scenario with checks at every step).
#
# Run: sudo bash tools/demo.sh   (installs missing Debian packages, builds, runs; about
# 15 s after the build). Everything it creates (namespaces, daemons, a temp dir) is
# removed at the end, also on Ctrl-C.
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
if [ "$(id -u)" -ne 0 ]; then
    echo "demo: needs root (network namespaces): sudo bash tools/demo.sh" >&2
    exit 1
fi
bash tools/build.sh || exit 1
HOOKCTL=$PWD/build/cli/hookctl
. tests/netns/lib.sh
. tests/netns/live_lib.sh
live_require_tools

if [ -t 1 ]; then bold=$'\033[1m' plain=$'\033[0m'; else bold='' plain=''; fi
live_say() { printf '\n%s== %s%s\n' "$bold" "$*" "$plain"; }
# show TITLE COMMAND...: COMMAND's output under TITLE, indented.
show() {
    local title=$1 out
    shift
    out=$("$@" 2>&1)
    printf '  %s\n' "$title"
    printf '%s\n' "${out:-(nothing)}" | sed 's/^/      /'
}
# events: the step's hook runs as hookctl journaled them, then their syslog lines. A
# hook run that dhcpcd starts after this is shown (a late ROUTERADVERT, say) is left to
# `hookctl events` at the end, in both views.
events() {
    local shown last
    shown=$(live_show_entries)
    last=$(sed -n 's/^  #\([0-9]*\) .*/\1/p' <<<"$shown" | tail -1)
    printf '  hookctl saw (its journal: each hook run, what changed, each action and its result):\n'
    printf '%s\n' "${shown:-  (no hook run)}" | sed 's/^/  /'
    syslog_view "${last:-$LIVE_MARK}"
}
# syslog_view LAST-ID: the step's syslog lines up to journal id LAST-ID, one per hook run
# (what journalctl shows on a router).
syslog_view() {
    local lines line id
    lines=$(live_syslog_step | while IFS= read -r line; do
        id=$(sed -n 's/.*, journal #\([0-9]*\).*/\1/p' <<<"$line")
        [ "$id" -le "$1" ] && printf '%s\n' "$line"
    done | sed 's/^<30>/info     /; s/^<28>/warning  /')
    if [ -z "$lines" ] && [ -z "$(live_syslog)" ]; then
        printf '  syslog: nothing (this hookctl build does not log its hook runs to syslog)\n'
    else
        show "syslog, facility daemon (one line per hook run; journalctl -t hookctl shows these):" echo "$lines"
    fi
}
lan_view() {
    show "rdisc6 on the LAN host (what the router's radvd announces):" live_ra
    show "the LAN host's kernel (ip -6 addr on lan0):" live_lan_addrs
}
dns_view() {  # NAMESPACE: where dig runs
    local ns=$1 who=LAN
    [ "$ns" = "$LIVE_ISP" ] && who=ISP
    show "dig from the $who namespace:" dns_answers "$ns"
}
dns_answers() {
    local name type answer
    for name in router lanhost; do
        for type in AAAA A; do
            [ "$name/$type" = lanhost/A ] && continue
            answer=$(live_dig "$1" "$name.$LIVE_ZONE" "$type")
            printf '%-24s %-4s %s\n' "$name.$LIVE_ZONE" "$type" "${answer:-(no record)}"
        done
    done
}
ppp0_sysctls() {
    local k
    for k in use_tempaddr forwarding autoconf accept_ra; do
        printf '%s = %s\n' "$k" "$(ip netns exec "$NS" cat "/proc/sys/net/ipv6/conf/ppp0/$k")"
    done
}
dns_status_lines() { hk status | sed -n '/^dns records/,/^drift/p' | sed '1d;$d'; }
drift_lines() { hk status | sed -n '/^drift/,/^last/p' | grep -v '^last'; }
pd_vars() {  # JOURNAL-ENTRY: the IA_PD variables dhcpcd passed
    jq -r '.event.env | to_entries[] | select(.key | test("_dhcp6_ia_pd1_prefix")) | "\(.key)=\(.value)"' <<<"$1"
}

live_on_step() {
    case $1 in
        bind)
            events
            show "hookctl's rules in the router:" live_rules
            show "int0 (dhcpcd put ::321 there):" live_int0_addrs
            lan_view
            dns_view "$LIVE_LAN" ;;
        ppp-up)
            events
            show "hookctl's rules in the router:" live_rules
            show "ppp0's IPv6 sysctls:" ppp0_sysctls
            dns_view "$LIVE_LAN" ;;
        renew)
            events
            printf '  zone serial before %s, after %s; radvd.conf %s\n' "$LIVE_SERIAL_BEFORE" "$(live_serial)" \
                "$([ "$(stat -c %Y.%y "$WORK/radvd.conf")" = "$LIVE_RADVD_MTIME" ] && echo untouched || echo rewritten)" ;;
        renumber)
            show "what dhcpcd passed with RENEW6 (kea returns the old prefix with lifetimes 0):" \
                pd_vars "$(live_entry RENEW6)"
            events
            show "hookctl's rules in the router:" live_rules
            show "int0:" live_int0_addrs
            lan_view
            dns_view "$LIVE_LAN" ;;
        drift)
            show "hookctl status, drift:" drift_lines
            show "hookctl apply:" hk apply
            show "hookctl's rules in the router:" live_rules ;;
        ppp-down)
            events
            show "hookctl's rules in the router:" live_rules
            dns_view "$LIVE_LAN" ;;
        release)
            events
            show "hookctl's rules in the router:" live_rules
            show "int0:" live_int0_addrs
            lan_view
            # The router no longer routes the LAN's prefix: ask named from the ISP side.
            dns_view "$LIVE_ISP"
            show "hookctl status, DNS records (a record whose fact is gone is held, not deleted):" dns_status_lines ;;
    esac
}

live_say "set-up: three network namespaces, the ISP's daemons, hookctl's config"
live_setup || { echo "demo: the lab did not come up" >&2; exit 1; }
printf '  ISP %s: kea-dhcp6 (delegates %s/56), radvd, named (zone %s, TSIG key ddns-key)\n' "$LIVE_ISP" "$LIVE_PD1" "$LIVE_ZONE"
printf '  router %s: wan0 (dhcpcd), ppp0 (pppd'"'"'s scripts), int0; LAN %s: lan0\n' "$NS" "$LIVE_LAN"
printf '  hookctl config %s, state %s\n' "$WORK/hookctl.toml" "$WORK/state"
cat <<'EOF'
  Each step below: the event, then each hook run as hookctl journaled it ("saw:" what
  changed in its facts, "[result] action" what it did about it), its syslog lines, and
  what the network shows afterwards: hookctl's policy rules in the router's kernel,
  radvd's announcement as rdisc6 hears it on the LAN, the LAN host's addresses (old
  ones "deprecated" after the renumbering) and the records named answers to dig.
EOF
live_scenario

live_say "hookctl status"
hk status
live_say "hookctl events"
hk events --limit 1000
live_say "demo done in $((SECONDS - LIVE_T0)) s; cleanup: stopping the daemons, deleting the namespaces and $WORK"
work=$WORK
lab_namespaces=(-e "$NS" -e "$LIVE_ISP" -e "$LIVE_LAN")
netns_cleanup
trap - EXIT
left_ns=$(ip netns list | awk '{ print $1 }' | grep -xF "${lab_namespaces[@]}")
left_procs=$(pgrep -af -- "$work" || true)
printf '  namespaces left: %s\n' "${left_ns:-none}"
printf '  processes left that use %s: %s\n' "$work" "${left_procs:-none}"
printf '  %s: %s\n' "$work" "$([ -e "$work" ] && echo "still there" || echo removed)"
[ -z "$left_ns$left_procs" ] && [ ! -e "$work" ]
