#!/bin/bash
# Concurrency: 8 invokers at once, 100 events each (pppd runs ip-up and ip-down
# without waiting; dhcpcd's events arrive meanwhile), through the real CLI in a
# network namespace. Afterwards:
#   - every event is in the journal exactly once (800 entries, ids unique);
#   - the kernel's rules and the stored facts equal those of the same 8 sequences
#     run one after another in a second namespace.
. "$(dirname "$0")/lib.sh"
netns_require_root
netns_require_tools "jq" jq
netns_setup hookctl-conc
HOOKCTL=$(netns_find_hookctl)
SERIAL=${NS}-serial
netns_add "$SERIAL"
FIXTURES=$NETNS_REPO_ROOT/tests/data/dhcpcd
INVOKERS=8
EVENTS=100
# Under sanitizers each run is about ten times slower; the plain build's run is the
# full 8 x 100, the sanitized one looks for memory and UB errors in the same races.
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    EVENTS=40
    echo "# built with -fsanitize=$HOOKCTL_SANITIZED: $EVENTS events per invoker (the plain build runs 100)"
fi

{
    echo "[tables]"
    echo "kd = 199"
    for i in $(seq 0 6); do
        cat <<EOF
[uplink.tkom$i]
interface = "ppp$i"
[[rule]]
to = "198.51.100.$((10 + i))/32"
table = "kd"
while = "tkom$i"
EOF
    done
    cat <<EOF
[uplink.isp]
interface = "wan0"
[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
[[rule]]
from = "lan.prefix"
table = "kd"
EOF
} >"$WORK/hookctl.toml"
chmod 600 "$WORK/hookctl.toml"

# Invoker i < 7: pppd on ppp$i, ip-up/ip-down alternating (the last one an ip-up
# for odd i, an ip-down for even i). Invoker 7: dhcpcd on wan0, the delegated
# prefix moving between two /56s, ending on the second.
invoker() {  # NS STATE I
    local ns=$1 state=$2 i=$3 n
    for n in $(seq 1 $EVENTS); do
        if [ "$i" -lt 7 ]; then
            local script=ip-up
            if [ $(((n + i) % 2)) -eq 0 ]; then script=ip-down; fi
            ip netns exec "$ns" env -i "$HOOKCTL" --config "$WORK/hookctl.toml" --state-dir "$state" \
                ppp "$script" "ppp$i" eth0 0 "192.0.2.$((i + 1))" 203.0.113.1 "" >/dev/null 2>&1
        else
            local f=$FIXTURES/a-initial-start/08-BOUND6.env
            [ $((n % 2)) -eq 0 ] && f=$FIXTURES/c1-prefix-change-rebind/04-REBIND6.env
            read_env_file "$f"
            ip netns exec "$ns" env -i "${ENV_VARS[@]}" "$HOOKCTL" --config "$WORK/hookctl.toml" \
                --state-dir "$state" dhcpcd >/dev/null 2>&1
        fi
    done
}

t0=$(date +%s%N)
pids=()
for i in $(seq 0 $((INVOKERS - 1))); do invoker "$NS" "$WORK/state" "$i" & pids+=($!); done
wait "${pids[@]}"
t1=$(date +%s%N)
echo "# $((INVOKERS * EVENTS)) events from $INVOKERS invokers at once: $(((t1 - t0) / 1000000)) ms"
for i in $(seq 0 $((INVOKERS - 1))); do invoker "$SERIAL" "$WORK/serial" "$i"; done

journal() { "$HOOKCTL" --state-dir "$1" --json events --limit 1000000; }
check "every event journaled once" \
    '[ "$(journal "$WORK/state" | jq "length")" -eq $((INVOKERS * EVENTS)) ] &&
     journal "$WORK/state" | jq -e "[.[].id] | length == (unique | length)" >/dev/null'
check "every event has its outcome" \
    '[ "$(journal "$WORK/state" | jq "[.[] | select(.status == \"applied\")] | length")" -eq $((INVOKERS * EVENTS)) ]'
check "each invoker's events, all there" \
    '[ "$(journal "$WORK/state" | jq -r ".[].interface" | sort | uniq -c | awk "{print \$1}" | sort -u)" = "$EVENTS" ]'
rules() { { ip netns exec "$1" ip -4 rule show; ip netns exec "$1" ip -6 rule show; } | grep -E 'proto (211|hookctl)' | sed 's/^[0-9]*:\s*//' | sort; }
check "the kernel's rules equal the serial run's" '[ "$(rules "$NS")" = "$(rules "$SERIAL")" ] && [ -n "$(rules "$NS")" ]'
facts() { jq -S '.facts.interfaces | with_entries(.value |= del(.updated, .dhcp6.reported))' "$1/state.json"; }
check "the stored facts equal the serial run's" '[ "$(facts "$WORK/state")" = "$(facts "$WORK/serial")" ]'
echo "# rules at the end:"; rules "$NS" | sed 's/^/#   /'
netns_done
