#!/bin/bash
# hookctl started by the daemon itself instead of its hook runner (the fast
# installs, docs/install.md): as dhcpcd's `script` (no arguments, dhcpcd's
# environment) and as pppd's ip-up-script (a link named ip-up, no wrapper's
# PPP_IFACE). It handles the event, then runs the daemon's own runner only when the
# config names it (settings.dhcpcd-hooks, settings.ppp-scripts), in the same process,
# with the same environment and arguments; started through the runner it never does.
. "$(dirname "$0")/lib.sh"

cat >"$WORK/run-hooks" <<SCRIPT
#!/bin/sh
{ echo "runner: \$0 \$*"; echo "reason=\${reason:-} interface=\${interface:-} PATH=\${PATH:-}"; } >>"$WORK/chained"
SCRIPT
chmod 755 "$WORK/run-hooks"
mkdir -p "$WORK/ppp" "$WORK/lib"
cp "$WORK/run-hooks" "$WORK/ppp/ip-up"
ln -s "$(readlink -f "$HOOKCTL")" "$WORK/lib/ip-up"
cat >"$CONFIG" <<TOML
[settings]
dhcpcd-hooks = "$WORK/run-hooks"
ppp-scripts = "$WORK/ppp"

[uplink.isp]
interface = "wan0"
TOML
chmod 600 "$CONFIG"

# dhcpcd runs hookctl as its script: the event is handled, then dhcpcd-run-hooks
# runs with dhcpcd's environment.
run_cmd env -i PATH=/usr/bin:/bin reason=BOUND6 interface=wan0 protocol=dhcp6 \
    HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "$HOOKCTL"
expect_rc 0
expect_same "$(cat "$WORK/chained")" "runner: $WORK/run-hooks 
reason=BOUND6 interface=wan0 PATH=/usr/bin:/bin" "the stock hooks ran after hookctl"
hk --state-dir "$STATE" events --limit 1
expect_stdout_contains "dhcpcd BOUND6 wan0"
rm -f "$WORK/chained"
# Through dhcpcd-run-hooks (the 90-hookctl shim: `hookctl dhcpcd`): no chaining.
run_cmd env -i reason=BOUND6 interface=wan0 HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "$HOOKCTL" dhcpcd
expect_rc 0
expect_file_absent "$WORK/chained"
# Without dhcpcd's variables, no arguments is still the usage error.
run_cmd env -i "$HOOKCTL"
expect_rc 2
expect_stderr_contains "usage: hookctl"

# pppd's ip-up-script is a link named ip-up: handled, then /etc/ppp/ip-up (here
# $WORK/ppp/ip-up) runs with pppd's arguments and environment.
run_cmd env -i IFNAME=ppp0 HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" \
    "$WORK/lib/ip-up" ppp0 eth0 0 198.51.100.7 203.0.113.1
expect_rc 0
expect_same "$(head -1 "$WORK/chained")" "runner: $WORK/ppp/ip-up ppp0 eth0 0 198.51.100.7 203.0.113.1" \
    "the wrapper ran with pppd's arguments"
rm -f "$WORK/chained"
# Run by the wrapper (PPP_IFACE set): no chaining back into it.
run_cmd env -i IFNAME=ppp0 PPP_IFACE=ppp0 HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" \
    "$WORK/lib/ip-up" ppp0 eth0 0 198.51.100.7 203.0.113.1 ""
expect_rc 0
expect_file_absent "$WORK/chained"
# A configured runner that is missing: said, the event still handled.
sed -i "s#$WORK/run-hooks#$WORK/missing#" "$CONFIG"
run_cmd env -i reason=BOUND6 interface=wan0 HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "$HOOKCTL"
expect_rc 0
expect_stderr_contains "hookctl: cannot run $WORK/missing: No such file or directory"

finish
