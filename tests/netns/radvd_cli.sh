#!/bin/bash
# The real CLI as dhcpcd runs it (`hookctl dhcpcd`, env only, captured dhcpcd 9.4.1
# environments) in a router namespace, a real radvd 2.19 reading the radvd.conf it
# writes, and rdisc6 in a LAN namespace: the bound prefix is announced; a prefix
# change announces the new one and the old one with preferred/valid 0; two changes
# in a row deprecate both old ones; after the deprecate-old window `hookctl apply`
# drops them; a rendition radvd rejects leaves the file and radvd alone and puts
# radvd's complaint in the exit status, stderr and journal; an unchanged renew
# neither touches the file nor signals radvd; hanging reload commands are killed
# at command-timeout and the hook returns within hook-budget.
# Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "radvd, ndisc6, jq" radvd rdisc6 jq
HOOKCTL=$(netns_find_hookctl) || exit 1
DATA=$NETNS_REPO_ROOT/tests/data/dhcpcd

# Router namespace ($NS) and temp dir ($WORK) from lib.sh, the LAN namespace and
# radvd registered with it: all removed or stopped on exit.
netns_setup hookctl-rc
NSR=$NS
NSL=hookctl-rc-l-$$
DIR=$WORK
CONF=$DIR/radvd.conf
PIDFILE=$DIR/radvd.pid
LOG=$DIR/radvd.log
RADVD_PID=
netns_stop_on_exit RADVD_PID

# A failed check (lib.sh) also shows the last hookctl output ($out).
check_detail() { [ -n "${out:-}" ] && printf '%s\n' "$out" | sed 's/^/#   /'; }

# --- router namespace: wan0 (veth), int0 === lan0 in the LAN namespace ----------
netns_add "$NSL"
netns_no_dad "$NSR" "$NSL"
ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
netns_veth wan0    # the uplink: only its name matters here (no dummy module in every kernel)
ip -n "$NSR" link add int0 type veth peer name lan0 netns "$NSL" || exit 1
ip -n "$NSR" link set int0 up
ip -n "$NSL" link set lan0 up
netns_wait_link_local "$NSR" int0 "$NSL" lan0

# --- configs ---------------------------------------------------------------------
# write_config FILE RADVD-INTERFACE-TABLE [VALIDATE-ARGV]
write_config() {
    local validate=${3:-'["radvd", "-c", "-C", "{}"]'}
    cat >"$1" <<EOF
[uplink.isp]
interface = "wan0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }
address-token = "::321"

[radvd]
file = "$CONF"
reload-pidfile = "$PIDFILE"
validate = $validate
interface.lan = $2
EOF
}
write_config "$DIR/main.toml" '{ min-interval = 3, max-interval = 4, deprecate-old = "2h" }'
write_config "$DIR/short.toml" '{ min-interval = 3, max-interval = 4, deprecate-old = "5s" }'
# radvd would refuse it (its default AdvValidLifetime 86400 is not above 2 days);
# hookctl's config check refuses it first.
write_config "$DIR/bad.toml" '{ min-interval = 3, max-interval = 4, preferred-lifetime = "2d", deprecate-old = "2h" }'
# Another rendition (max-interval 5) and a validator that always complains.
write_config "$DIR/false.toml" '{ min-interval = 3, max-interval = 5, deprecate-old = "2h" }' \
    '["/bin/sh", "-c", "echo bad config: $1 >&2; exit 1", "validator", "{}"]'

STATE=$DIR/state    # = $WORK/state, hk's (lib.sh)
HK_CONFIG=$DIR/main.toml

# event CONFIG ENVFILE: dhcpcd runs its script with no arguments and only its environment.
event() { HK_CONFIG=$1 hk_dhcpcd "$2"; }
last_entry() { hk events --json --limit 1 | jq '.[-1]'; }
mtime() { stat -c %y "$CONF"; }
rereads() { grep -c "attempting to reread config file" "$LOG" 2>/dev/null; }
radvd_alive() { [ -n "$RADVD_PID" ] && kill -0 "$RADVD_PID" 2>/dev/null && kill -0 "$(cat "$PIDFILE")" 2>/dev/null; }

# rdisc6 output of one RA (radvd here sends one every 3-4 s and answers solicitations).
solicit() { ip netns exec "$NSL" rdisc6 -1 -n -r 3 -w 1500 lan0 2>&1; }
# field RA PREFIX NAME: the number after "NAME :" in PREFIX's block ("Pref. time", "Valid time").
field() {
    printf '%s\n' "$1" | awk -v p="$2" -v f="$3" '
        /^ Prefix/ { inblock = ($3 == p) }
        inblock && index($0, f) { split($0, a, ":"); split(a[2], w, " "); print w[1]; exit }'
}
prefixes() { printf '%s\n' "$1" | awk '/^ Prefix/ { print $3 }' | sort | tr '\n' ' '; }
# wait_ra WANT: solicits until the RA's sorted prefix list is WANT (a reload shows
# from the next RA on); leaves the last RA in $RA.
wait_ra() {
    for _ in 1 2 3 4 5 6; do
        RA=$(solicit)
        [ "$(prefixes "$RA")" = "$1" ] && return 0
    done
    echo "# last RA:"; printf '%s\n' "$RA" | sed 's/^/#   /'
    return 1
}

P100=2001:db8:100::/64
P1CD=2001:db8:1cd::/64
P1EF=2001:db8:1ef::/64

# --- bind: BOUND6 with 2001:db8:100::/56 ---------------------------------------------
out=$(event "$DIR/main.toml" "$DATA/a-initial-start/08-BOUND6.env" 2>&1)
rc=$?
check "bind writes radvd.conf" '[ -s "$CONF" ] && grep -q "prefix $P100 {" "$CONF"'
check "radvd.conf carries the marker" 'head -1 "$CONF" | grep -q "^# Written by hookctl"'
# radvd is not running yet: no pidfile, so nothing to reload, and that is no failure.
e=$(last_entry)
check "bind: exit 0; journal: BOUND6, file written, reload not needed (no pidfile yet)" \
    '[ $rc = 0 ] && [ "$(jq -r ".name" <<<"$e")" = BOUND6 ] &&
     [ "$(jq -r "[.actions[] | .result] | join(\" \")" <<<"$e")" = "done unchanged" ] &&
     jq -r ".actions[1].message" <<<"$e" | grep -q "absent: not running"'

ip netns exec "$NSR" radvd -n -C "$CONF" -p "$PIDFILE" -m logfile -l "$LOG" &
RADVD_PID=$!
for _ in $(seq 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
check "radvd started with the written file" 'radvd_alive'

if wait_ra "$P100 "; then pass "rdisc6 sees $P100 after the bind"; else fail "rdisc6 sees $P100 after the bind"; fi
check "  preferred (radvd default 14400)" '[ "$(field "$RA" $P100 "Pref. time")" = 14400 ]'
check "  valid (radvd default 86400)" '[ "$(field "$RA" $P100 "Valid time")" = 86400 ]'

# --- unchanged renew: no write, no SIGHUP ------------------------------------------
cp -p "$CONF" "$DIR/good"
before=$(mtime)
hups=$(rereads)
sleep 0.05
out=$(event "$DIR/main.toml" "$DATA/b3-renew-timer/02-RENEW6.env" 2>&1)
rc=$?
sleep 0.5
e=$(last_entry)
check "renew: exit 0, nothing to do" '[ $rc = 0 ] && [[ "$out" == *"nothing to do"* ]]'
check "renew: journal RENEW6 with 0 actions" \
    '[ "$(jq -r ".name, (.actions | length)" <<<"$e" | tr "\n" " ")" = "RENEW6 0 " ]'
check "renew: radvd.conf mtime unchanged" '[ "$(mtime)" = "$before" ] && cmp -s "$CONF" "$DIR/good"'
check "renew: radvd not signalled (no new reread in its log)" '[ "$(rereads)" = "$hups" ]'

# --- prefix change: REBIND6 with 2001:db8:1cd::/56 ---------------------------------
hups=$(rereads)
out=$(event "$DIR/main.toml" "$DATA/c1-prefix-change-rebind/04-REBIND6.env" 2>&1)
rc=$?
check "change: exit 0" '[ $rc = 0 ]'
check "change: radvd.conf has the new prefix and the old one deprecated" \
    'grep -q "prefix $P1CD {" "$CONF" && grep -A4 "prefix $P100 {" "$CONF" | grep -q "AdvPreferredLifetime 0;"'
for _ in $(seq 30); do [ "$(rereads)" -gt "$hups" ] && break; sleep 0.1; done
check "change: radvd reread its config once" '[ "$(rereads)" = $((hups + 1)) ]'
if wait_ra "$P100 $P1CD "; then pass "rdisc6 sees both prefixes"; else fail "rdisc6 sees both prefixes"; fi
check "  $P1CD preferred" '[ "$(field "$RA" $P1CD "Pref. time")" = 14400 ] && [ "$(field "$RA" $P1CD "Valid time")" = 86400 ]'
check "  $P100 preferred lifetime 0" '[ "$(field "$RA" $P100 "Pref. time")" = 0 ]'
check "  $P100 valid lifetime 0" '[ "$(field "$RA" $P100 "Valid time")" = 0 ]'
check "radvd survived the reload" 'radvd_alive'

# --- second change in a row: 1cd -> 1ef (the c2 capture: dhcpcd restarted after the ISP
# moved it again) ---------------------------------------------------------------------
out=$(event "$DIR/main.toml" "$DATA/c2-prefix-change-restart/07-REBIND6.env" 2>&1)
rc=$?
T_CHANGE2=$(date +%s)
check "second change: exit 0" '[ $rc = 0 ]'
if wait_ra "$P100 $P1CD $P1EF "; then pass "rdisc6 sees three prefixes"; else fail "rdisc6 sees three prefixes"; fi
check "  $P1EF preferred" '[ "$(field "$RA" $P1EF "Pref. time")" = 14400 ]'
check "  $P1CD deprecated (0/0)" '[ "$(field "$RA" $P1CD "Pref. time")/$(field "$RA" $P1CD "Valid time")" = 0/0 ]'
check "  $P100 still deprecated (0/0)" '[ "$(field "$RA" $P100 "Pref. time")/$(field "$RA" $P100 "Valid time")" = 0/0 ]'
check "status lists both retired prefixes" \
    '[ "$(hk status | grep -c "retired prefix")" = 2 ]'

# --- a config radvd would reject: refused before anything is written -----------------
cp -p "$CONF" "$DIR/good"
before=$(mtime)
hups=$(rereads)
out=$(HK_CONFIG=$DIR/bad.toml hk apply 2>&1)
rc=$?
check "refused config: exit 2, the error names the key and radvd's reason" \
    '[ $rc = 2 ] && [[ "$out" == *"preferred-lifetime"*"radvd refuses the file"* ]]'
check "refused config: old radvd.conf byte for byte, mtime unchanged" 'cmp -s "$CONF" "$DIR/good" && [ "$(mtime)" = "$before" ]'
check "refused config: radvd not signalled, still running" '[ "$(rereads)" = "$hups" ] && radvd_alive'

# --- a rendition its validator rejects: the old file stays, radvd is not touched ------
# The same through a configured validator (argv, {} = the temporary file).
out=$(HK_CONFIG=$DIR/false.toml hk apply 2>&1)
rc=$?
e=$(last_entry)
check "validator: exit 1, its stderr in the error" '[ $rc = 1 ] && [[ "$out" == *"bad config: $DIR/"* ]]'
check "validator: journal records it" \
    'jq -r ".actions[] | select(.result == \"failed\") | .message" <<<"$e" | grep -q "bad config: "'
check "validator: old file kept byte for byte, mtime unchanged, no temp file" \
    'cmp -s "$CONF" "$DIR/good" && [ "$(mtime)" = "$before" ] && [ -z "$(ls -A "$DIR" | grep -i hookctl)" ]'
check "validator: radvd not signalled, still running" '[ "$(rereads)" = "$hups" ] && radvd_alive'
check "validator: journal has the failed write, reload skipped" \
    '[ "$(jq -r ".status" <<<"$e")" = partial ] &&
     [ "$(jq -r ".actions[] | select(.op == \"reload\") | .result" <<<"$e")" = skipped ]'
if wait_ra "$P100 $P1CD $P1EF "; then pass "validator: radvd still announces the last good file"; else fail "validator: radvd still announces the last good file"; fi

# --- after the window: apply with deprecate-old = 5s drops both old prefixes --------
while [ $(($(date +%s) - T_CHANGE2)) -lt 6 ]; do sleep 0.5; done
out=$(HK_CONFIG=$DIR/short.toml hk apply 2>&1)
rc=$?
check "window: apply exits 0" '[ $rc = 0 ]'
check "window: the old prefixes are gone from radvd.conf" \
    '! grep -q "2001:db8:100::\|2001:db8:1cd::" "$CONF" && grep -q "prefix $P1EF {" "$CONF"'
if wait_ra "$P1EF "; then pass "window: rdisc6 sees only $P1EF"; else fail "window: rdisc6 sees only $P1EF"; fi
check "window: no retired prefixes left in the state" '! hk status | grep -q "retired prefix"'
before=$(mtime)
out=$(hk apply 2>&1)
check "window: apply with the 2h config does not bring them back" \
    '[ $? = 0 ] && [ "$(mtime)" = "$before" ] && ! grep -q "2001:db8:100::" "$CONF"'
check "radvd never exited" 'radvd_alive && ! grep -q "exiting" "$LOG"'

# --- hanging reload commands ------------------------------------------------------------
# write_hang_config FILE N: a [[file]] whose on-change runs N commands that hang
# (distinct argv, so none is merged away); `sleep 30.PID` names them for pgrep.
write_hang_config() {
    local cmds="" i
    for i in $(seq "$2"); do
        cmds+="${cmds:+, }[\"/bin/sh\", \"-c\", \"sleep 30.$$; echo never\", \"hang$i\"]"
    done
    cat >"$1" <<EOF
[settings]
command-timeout = "1s"
hook-budget = "3s"

[uplink.isp]
interface = "wan0"

[lan.lan]
interface = "int0"
prefix = { from = "isp", subnet = 0, length = 64 }

[[file]]
path = "$DIR/hang$2/forward.env"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
on-change = [$cmds]
EOF
    mkdir -p "$DIR/hang$2"
}
# hang_event N: bind with the hanging config; sets rc, secs (elapsed), e (journal entry).
hang_event() {
    write_hang_config "$DIR/hang$1.toml" "$1"
    read_env_file "$DATA/a-initial-start/08-BOUND6.env"
    local t0 t1
    t0=$(date +%s.%N)
    out=$(ip netns exec "$NSR" env -i "${ENV_VARS[@]}" "$HOOKCTL" --config "$DIR/hang$1.toml" \
        --state-dir "$DIR/hang$1-state" dhcpcd 2>&1)
    rc=$?
    t1=$(date +%s.%N)
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
    e=$(ip netns exec "$NSR" "$HOOKCTL" --config "$DIR/hang$1.toml" --state-dir "$DIR/hang$1-state" events --json |
        jq '.[-1]')
}
lt() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a < b) }'; }

hang_event 1
check "hang: the file is written" '[ "$(cat "$DIR/hang1/forward.env")" != "" ] && grep -q "TARGET=\[2001:db8:100::8\]:3389" "$DIR/hang1/forward.env"'
check "hang: one hanging command is killed at its 1 s timeout (took $secs s)" 'lt 0.9 "$secs" && lt "$secs" 5'
check "hang: hookctl exits 1" '[ $rc = 1 ]'
check "hang: the journal records the timeout" \
    'jq -r ".actions[] | select(.op == \"reload\") | .message" <<<"$e" | grep -q "^timed out after 1[0-9][0-9][0-9] ms, killed$"'
check "hang: the whole process group is gone" '! pgrep -f "sleep 30\.$$" >/dev/null'

hang_event 5
check "budget: five hanging commands, the hook returns within its 3 s budget (took $secs s)" 'lt "$secs" 5'
check "budget: the first ones time out" \
    '[ "$(jq -r "[.actions[] | select(.op == \"reload\") | .message] | .[0]" <<<"$e")" != null ] &&
     jq -r ".actions[] | select(.op == \"reload\") | .message" <<<"$e" | head -1 | grep -q "^timed out after"'
check "budget: the last one names the used-up budget" \
    'jq -r "[.actions[] | select(.op == \"reload\")] | .[-1].message" <<<"$e" | grep -q "budget"'
check "budget: no hanging process left" '! pgrep -f "sleep 30\.$$" >/dev/null'

netns_done
