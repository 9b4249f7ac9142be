#!/bin/bash
# radvd.conf from the renderer, written by FileWriter (validated with the real
# `radvd -c -C`), announced by a real radvd 2.19 in a router namespace and read by
# rdisc6 in a LAN namespace: a prefix, then a renumbering with the old prefix
# deprecated, then a rejected rewrite that leaves file and radvd alone.
# Drives tests/radvd_driver (no CLI, no engine). Needs root; exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

netns_require_root
netns_require_tools "radvd, ndisc6" radvd rdisc6
DRIVER=$(netns_find_driver radvd_driver RADVD_DRIVER) || exit 1

# Router namespace ($NS) and temp dir ($WORK) from lib.sh, the LAN namespace and
# radvd registered with it: all removed or stopped on exit.
netns_setup hookctl-ra-r
NSR=$NS
NSL=hookctl-ra-l-$$
DIR=$WORK
CONF=$DIR/radvd.conf
PIDFILE=$DIR/radvd.pid
LOG=$DIR/radvd.log
RADVD_PID=
netns_stop_on_exit RADVD_PID

# --- two namespaces joined by a veth; no DAD so link-locals are usable at once --
netns_add "$NSL"
netns_no_dad "$NSR" "$NSL"
ip netns exec "$NSR" sysctl -qw net.ipv6.conf.all.forwarding=1
ip -n "$NSR" link add r0 type veth peer name l0 netns "$NSL" || exit 1
ip -n "$NSR" link set r0 up
ip -n "$NSL" link set l0 up
netns_wait_link_local "$NSR" r0 "$NSL" l0

drv() { "$DRIVER" "$CONF" r0 --interval 3 10 --lifetimes 1800 7200 "$@"; }
mtime() { stat -c %y "$CONF"; }

# rdisc6 output of one RA; retries because radvd spaces RAs at least 3 s apart.
solicit() { ip netns exec "$NSL" rdisc6 -1 -n -r 6 -w 1000 l0 2>&1; }
# field RA PREFIX NAME: the number after "NAME :" in PREFIX's block ("Pref. time", "Valid time").
field() {
    printf '%s\n' "$1" | awk -v p="$2" -v f="$3" '
        /^ Prefix/ { inblock = ($3 == p) }
        inblock && index($0, f) { split($0, a, ":"); split(a[2], w, " "); print w[1]; exit }'
}
# Solicits until the RA announces PREFIX (a reload shows from the next RA on).
wait_for_prefix() {
    local ra
    for _ in 1 2 3 4 5; do
        ra=$(solicit)
        if [ -n "$(field "$ra" "$1" "Pref. time")" ]; then printf '%s\n' "$ra"; return 0; fi
    done
    printf '%s\n' "$ra"
    return 1
}

# --- first write, under pppd's umask ----------------------------------------------
out=$(umask 077; drv --prefix 2001:db8:1:1::/64 --rdnss 2001:db8:1:1::1 --dnssl home.test)
check "first write is done" '[[ "$out" == "done: wrote "* ]]'
check "file mode is 0644 despite umask 077" '[ "$(stat -c %a "$CONF")" = 644 ]'
check "file starts with the marker" \
    'head -1 "$CONF" | grep -qx "# Written by hookctl; edits here are overwritten. Remove this line to take the file over."'
check "no temp file left" '[ "$(ls -A "$DIR")" = radvd.conf ]'

before=$(mtime)
sleep 0.05
out=$(drv --prefix 2001:db8:1:1::/64 --rdnss 2001:db8:1:1::1 --dnssl home.test)
check "same content is unchanged" '[ "$out" = "unchanged: " ]'
check "unchanged write keeps the mtime" '[ "$(mtime)" = "$before" ]'

# --- real radvd announces it --------------------------------------------------------
ip netns exec "$NSR" radvd -n -C "$CONF" -p "$PIDFILE" -m logfile -l "$LOG" &
RADVD_PID=$!
for _ in $(seq 50); do [ -s "$PIDFILE" ] && break; sleep 0.1; done
check "radvd started with the written file" '[ -s "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")"'

ra=$(wait_for_prefix 2001:db8:1:1::/64)
check "rdisc6 sees the prefix" '[ "$(field "$ra" 2001:db8:1:1::/64 "Pref. time")" = 1800 ]'
check "with its valid lifetime" '[ "$(field "$ra" 2001:db8:1:1::/64 "Valid time")" = 7200 ]'
check "and the RDNSS" 'printf "%s\n" "$ra" | grep -q "Recursive DNS server.*: 2001:db8:1:1::1"'

# --- renumbering: new prefix, old one deprecated, SIGHUP --------------------------
out=$(drv --prefix 2001:db8:1:2::/64 --deprecated 2001:db8:1:1::/64 --rdnss 2001:db8:1:2::1 --dnssl home.test)
check "renumbered write is done" '[[ "$out" == "done: wrote "* ]]'
kill -HUP "$(cat "$PIDFILE")"
ra=$(wait_for_prefix 2001:db8:1:2::/64)
check "new prefix is preferred" '[ "$(field "$ra" 2001:db8:1:2::/64 "Pref. time")" = 1800 ]'
check "old prefix has preferred lifetime 0" '[ "$(field "$ra" 2001:db8:1:1::/64 "Pref. time")" = 0 ]'
check "old prefix has valid lifetime 0" '[ "$(field "$ra" 2001:db8:1:1::/64 "Valid time")" = 0 ]'
check "radvd survived the reload" 'kill -0 "$(cat "$PIDFILE")"'

# --- a rewrite the validator rejects --------------------------------------------
cp -p "$CONF" "$DIR/good"
before=$(mtime)
out=$(drv --prefix 2001:db8:1:3::/64 --append "this is not radvd syntax")
rc=$?
check "rejected write fails" '[ $rc = 1 ] && [[ "$out" == "failed: $CONF: new content rejected by \`radvd -c -C "* ]]'
check "the message carries radvd's complaint" '[[ "$out" == *"error: syntax error"* ]] && [[ "$out" == *"the old file is kept" ]]'
check "old file byte for byte" 'cmp -s "$CONF" "$DIR/good"'
check "old file mtime unchanged" '[ "$(mtime)" = "$before" ]'
check "no temp file left" '[ "$(ls -A "$DIR" | grep -c hookctl)" = 0 ]'
kill -HUP "$(cat "$PIDFILE")"  # what an engine bug would do: radvd must still find a good file
sleep 1
check "radvd still running" 'kill -0 "$(cat "$PIDFILE")"'
ra=$(wait_for_prefix 2001:db8:1:2::/64)
check "still announcing the last good prefix" '[ "$(field "$ra" 2001:db8:1:2::/64 "Pref. time")" = 1800 ]'
check "and not the rejected one" '[ -z "$(field "$ra" 2001:db8:1:3::/64 "Pref. time")" ]'

# --- a foreign file is not touched ----------------------------------------------
FOREIGN=$DIR/foreign.conf
printf 'interface r0 { AdvSendAdvert on; };\n' >"$FOREIGN"
out=$("$DRIVER" "$FOREIGN" r0 --prefix 2001:db8:1:4::/64)
check "foreign file refused" '[ "$out" = "failed: $FOREIGN exists and is not owned by hookctl (no marker line); move it away or add the marker to hand it over" ]'
check "foreign file untouched" '[ "$(cat "$FOREIGN")" = "interface r0 { AdvSendAdvert on; };" ]'

# --- everything the renderer emits passes radvd -c (4 RDNSS = 2 statements) -------
out=$("$DRIVER" "$DIR/full.conf" r0 --managed --other --interval 3 10 --lifetimes 1800 7200 \
    --prefix 2001:db8:1:5::/64 --prefix 2001:db8:1:6::/64 --deprecated 2001:db8:1:7::/64 \
    --rdnss 2001:db8::1 --rdnss 2001:db8::2 --rdnss 2001:db8::3 --rdnss 2001:db8::4 \
    --dnssl a.test --dnssl b.test)
check "full rendering validates" '[[ "$out" == "done: "* ]]'

if grep -q "exiting" "$LOG"; then fail "radvd log mentions exiting"; cat "$LOG"; fi
netns_done
