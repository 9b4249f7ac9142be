#!/bin/bash
# Every hook run leaves exactly one line in syslog, for real: the test re-runs itself
# in private mount and network namespaces (as root, or as a user in a user
# namespace), puts an overlay on /dev and a unix datagram socket of its own at
# /dev/log (where glibc's syslog() writes), and compares the lines received with
# what each run must log: the event, the outcome, the actions and failures, the
# journal id, and on failure the first error at warning level. Runs act for real
# (no --simulate) on the empty network namespace. Dry runs, simulations and the
# read-only commands log nothing. Also: the dhcpcd shim drops hookctl's report
# but not its errors.
if [ -z "${HOOKCTL_SYSLOG_NS:-}" ]; then
    for how in -mn -rmn; do
        [ "$how" = -mn ] && [ "$(id -u)" != 0 ] && continue
        if unshare "$how" true 2>/dev/null; then
            HOOKCTL_SYSLOG_NS=1 exec unshare "$how" bash "$0" "$@"
        fi
    done
    echo "SKIP: needs private mount and network namespaces (root, or user namespaces)"
    exit 77
fi
. "$(dirname "$0")/lib.sh"

# /dev with our own /dev/log: an overlay, so /dev/null and the rest stay; where a
# user namespace may not put an overlay on /dev, a directory with the device nodes
# bound into it.
mkdir -p "$WORK/dev-upper" "$WORK/dev-work" "$WORK/dev"
if mount -t overlay overlay -o "lowerdir=/dev,upperdir=$WORK/dev-upper,workdir=$WORK/dev-work" /dev 2>/dev/null; then
    rm -f /dev/log
else
    for node in null zero full random urandom; do
        touch "$WORK/dev/$node"
        mount --bind "/dev/$node" "$WORK/dev/$node" || { echo "SKIP: cannot bind /dev/$node"; exit 77; }
    done
    mount --rbind "$WORK/dev" /dev || { echo "SKIP: cannot mount a /dev of our own"; exit 77; }
fi
LOG=$WORK/syslog.lines
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
open(sys.argv[1] + ".ready", "w").close()
with open(sys.argv[1], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(65536).replace(b"\n", b"\\n") + b"\n")
' "$LOG" &
LISTENER=$!
# The mounts go with the namespace, but the temp dir is removed from inside it.
trap 'kill $LISTENER 2>/dev/null; umount -l /dev "$WORK"/dev/* 2>/dev/null; rm -rf "$WORK"' EXIT
for _ in $(seq 100); do [ -e "$LOG.ready" ] && break; sleep 0.1; done
[ -e "$LOG.ready" ] || { echo "the syslog listener did not start" >&2; exit 1; }

# syslog_since N: the lines after the first N, once a marker sent after them has
# arrived (datagrams on one socket keep their order).
markers=0
syslog_since() {
    python3 -c 'import socket; socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM).sendto(b"<15>marker", "/dev/log")'
    markers=$((markers + 1))
    for _ in $(seq 100); do
        [ "$(grep -c '^<15>marker$' "$LOG")" -ge "$markers" ] && break
        sleep 0.1
    done
    SYSLOG=$(grep -v '^<15>marker$' "$LOG" | tail -n +$(($1 + 1)))
}
seen=0
# expect_syslog PRIORITY TEXT...: the lines since the last check are exactly these,
# each "<PRI>hookctl[PID]: TEXT" (PRI: facility daemon = 3*8, plus 6 info or 4
# warning; no timestamp: the receiver stamps the arrival).
expect_syslog() {
    local want=() pri line i=0
    while [ $# -gt 0 ]; do
        want+=("$1" "$2")
        shift 2
    done
    syslog_since "$seen"
    local got=()
    [ -n "$SYSLOG" ] && mapfile -t got <<<"$SYSLOG"
    seen=$((seen + ${#got[@]}))
    if [ "${#got[@]}" != $((${#want[@]} / 2)) ]; then
        fail "expected $((${#want[@]} / 2)) syslog lines, got ${#got[@]}: $SYSLOG"
        return
    fi
    for line in "${got[@]}"; do
        case ${want[i]} in info) pri=30 ;; warning) pri=28 ;; esac
        if [[ $line =~ ^\<$pri\>hookctl\[[0-9]+\]:\ (.*)$ ]] &&
            [ "${BASH_REMATCH[1]}" = "${want[i + 1]}" ]; then
            pass
        else
            fail "syslog line: want <$pri>... hookctl[PID]: ${want[i + 1]}
  got: $line"
        fi
        i=$((i + 2))
    done
}

cat >"$CONFIG" <<'TOML'
[uplink.isp]
interface = "wan0"

[uplink.dsl]
interface = "ppp0"
sysctl.ipv4 = { rp_filter = 2 }

[[rule]]
from = "isp.delegated"
table = 100
TOML
chmod 600 "$CONFIG"
ARGS=(--config "$CONFIG" --state-dir "$STATE")

# A bind that adds a rule, then an unchanged renew: info.
hk_env a-initial-start/08-BOUND6 "${ARGS[@]}" dhcpcd
expect_rc 0
hk_env b3-renew-timer/02-RENEW6 "${ARGS[@]}" dhcpcd
expect_rc 0
expect_syslog info "dhcpcd BOUND6 on wan0: applied, 1 action, 0 failed, journal #1" \
    info "dhcpcd RENEW6 on wan0: applied, 0 actions, 0 failed, journal #2"
expect_same "$(ip -6 rule list table 100 | grep -c 'from 2001:db8:100::/56')" 1 "the rule is in the kernel"

# ip-up for ppp0, which this namespace does not have: its sysctl fails. Warning,
# with the first error as hookctl reports it on stderr.
# ip-down ends it (a failed action is retried at every event while it is wanted).
hk "${ARGS[@]}" ppp ip-up ppp0 tty 0 198.51.100.7 203.0.113.1
expect_rc 1
expect_stderr_equals "hookctl: add sysctl net.ipv4.conf.ppp0.rp_filter = 2 failed: no such interface 'ppp0' (net.ipv4.conf.ppp0.rp_filter)"
hk "${ARGS[@]}" ppp ip-down ppp0 tty 0 198.51.100.7 203.0.113.1
expect_rc 0
expect_syslog warning "ppp ip-up on ppp0: partial, 1 action, 1 failed, journal #3: add sysctl net.ipv4.conf.ppp0.rp_filter = 2 failed: no such interface 'ppp0' (net.ipv4.conf.ppp0.rp_filter)" \
    info "ppp ip-down on ppp0: applied, 0 actions, 0 failed, journal #4"

# A rejected event, a config that cannot be read, a control character: warning.
run_cmd env -i reason=BOUND6 interface=../x "$HOOKCTL" "${ARGS[@]}" dhcpcd
expect_rc 2
expect_stderr_equals 'hookctl: interface: invalid character in interface name: "../x"'
hk --config "$WORK/missing.toml" --state-dir "$STATE" ppp ipv6-down ppp0 tty 0 fe80::1 fe80::2
expect_rc 2
run_cmd env -i reason=$'BOUND6\nFAKE' interface=wan0 "$HOOKCTL" "${ARGS[@]}" dhcpcd
expect_rc 2
expect_syslog warning "dhcpcd BOUND6 on ../x: rejected, 0 actions, 0 failed, journal #5: interface: invalid character in interface name: \"../x\"" \
    warning "ppp ipv6-down on ppp0: error, 0 actions, 0 failed, journal #6: $WORK/missing.toml: cannot read the config file: No such file or directory" \
    warning 'dhcpcd BOUND6\x0aFAKE on wan0: rejected, 0 actions, 0 failed, journal #7: reason: unknown reason: "BOUND6\x0aFAKE"'

# Nothing from dry runs, simulations and the commands that only look.
hk_env a-initial-start/08-BOUND6 "${ARGS[@]}" --dry-run dhcpcd
expect_rc 0
hk_env a-initial-start/08-BOUND6 --config "$CONFIG" --state-dir "$WORK/sim" --simulate dhcpcd
expect_rc 0
hk "${ARGS[@]}" events
hk "${ARGS[@]}" status
hk "${ARGS[@]}" check
hk "${ARGS[@]}" replay 1
expect_rc 0
hk "${ARGS[@]}" plan --env-file "$FIXTURES/b3-renew-timer/02-RENEW6.env"
expect_rc 0
expect_syslog
# replay --apply acts: it logs, under the new journal id.
hk "${ARGS[@]}" replay 2 --apply
expect_rc 0
expect_syslog info "dhcpcd RENEW6 on wan0: applied, 0 actions, 0 failed, journal #8"

# The dhcpcd shim, sourced as dhcpcd-run-hooks sources it: hookctl's report is
# dropped, its errors are not, the hooks after it still run, and it logs.
sed "s#@HOOKCTL@#$HOOKCTL#" "$SOURCE_ROOT/hooks/dhcpcd/90-hookctl.in" >"$WORK/90-hookctl"
read_env_file "$FIXTURES/b3-renew-timer/02-RENEW6.env"
run_cmd env -i HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "${ENV_VARS[@]}" \
    sh -c '. "$1"; echo "next hook"' sh "$WORK/90-hookctl"
expect_rc 0
expect_stdout_equals "next hook"
expect_stderr_empty
run_cmd env -i HOOKCTL_CONFIG="$WORK/missing.toml" HOOKCTL_STATE_DIR="$STATE" "${ENV_VARS[@]}" \
    sh -c '. "$1"; echo "next hook"' sh "$WORK/90-hookctl"
expect_rc 0
expect_stdout_equals "next hook"
expect_stderr_equals "hookctl: $WORK/missing.toml: cannot read the config file: No such file or directory"
expect_syslog info "dhcpcd RENEW6 on wan0: applied, 0 actions, 0 failed, journal #9" \
    warning "dhcpcd RENEW6 on wan0: error, 0 actions, 0 failed, journal #10: $WORK/missing.toml: cannot read the config file: No such file or directory"

# The kernel source: each dispatcher run and each engine run of `hookctl watch` logs
# its line too. In a network namespace of their own (all rules tagged 211 in one
# namespace are one hookctl's, and the runs above own some), with a veth ext
# holding A, then B, then only B; a state dir of their own, so the journal ids
# start again at 1. /dev/log is a path, the same in every network namespace.
unshare -n sleep 600 &
KNS=$!
for _ in $(seq 100); do
    [ "$(readlink /proc/$KNS/ns/net)" != "$(readlink /proc/self/ns/net)" ] && break
    sleep 0.05
done
kns() { nsenter -t "$KNS" -n "$@"; }
kns ip link add ext type veth peer name ext-peer && kns ip link set ext up && kns ip link set ext-peer up &&
    kns ip -6 addr add 2001:db8:a::1/64 dev ext nodad ||
    { echo "cannot make a veth pair in a network namespace of its own" >&2; exit 1; }
KCONFIG=$WORK/kernel.toml
cat >"$KCONFIG" <<'TOML'
[uplink.ext]
interface = "ext"
source = "kernel"

[[rule]]
from = "ext.prefix"
table = 199
TOML
chmod 600 "$KCONFIG"
KARGS=(--config "$KCONFIG" --state-dir "$WORK/kstate")
run_cmd kns env -i IFACE=ext STATE=routable OperationalState=routable "$HOOKCTL" "${KARGS[@]}" networkd
expect_rc 0
kns ip -6 addr add 2001:db8:b::1/64 dev ext nodad
run_cmd kns env -i "$HOOKCTL" "${KARGS[@]}" nm ext dhcp6-change
expect_rc 0
kns ip -6 addr del 2001:db8:a::1/64 dev ext
run_cmd kns "$HOOKCTL" "${KARGS[@]}" watch --once
expect_rc 0
run_cmd kns env -i 'IFACE=ext;reboot' STATE=routable "$HOOKCTL" "${KARGS[@]}" networkd
expect_rc 2
run_cmd kns env -i "$HOOKCTL" "${KARGS[@]}" nm ext up
expect_rc 0
expect_syslog info "kernel networkd routable on ext: applied, 1 action, 0 failed, journal #1" \
    info "kernel nm dhcp6-change on ext: applied, 0 actions, 0 failed, journal #2" \
    info "kernel watch on ext: applied, 2 actions, 0 failed, journal #3" \
    warning 'kernel networkd on ext;reboot: rejected, 0 actions, 0 failed, journal #4: IFACE: invalid character in interface name: "ext;reboot"' \
    info "kernel nm up on ext: applied, 0 actions, 0 failed, journal #5"
expect_same "$(kns ip -6 rule list table 199 | grep -c 'from 2001:db8:b::/64')" 1 "watch moved the rule to B"
kill "$KNS"
wait "$KNS" 2>/dev/null

finish
