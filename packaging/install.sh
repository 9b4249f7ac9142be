#!/bin/sh
# Installs a built hookctl (meson build dir "build") and its hooks on this machine.
# Usage: packaging/install.sh [BUILD_DIR]   (as root; DESTDIR is honoured)
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$src/build}
root=${DESTDIR:-}
install -D -m 0755 "$build/cli/hookctl" "$root/usr/sbin/hookctl"
install -D -m 0644 "$src/hooks/dhcpcd/90-hookctl" "$root/usr/lib/dhcpcd/dhcpcd-hooks/90-hookctl"
install -D -m 0644 "$src/packaging/iproute2/hookctl.conf" "$root/etc/iproute2/rt_protos.d/hookctl.conf"
install -d -m 0755 "$root/etc/hookctl" "$root/var/lib/hookctl"
[ -e "$root/etc/hookctl/hookctl.toml" ] || install -m 0644 "$src/examples/minimal.toml" "$root/etc/hookctl/hookctl.toml"
DESTDIR="$root" sh "$src/hooks/install-ppp-links.sh" /usr/sbin/hookctl
install -D -m 0644 "$src/packaging/systemd/hookctl-apply.service" "$root/lib/systemd/system/hookctl-apply.service"
install -D -m 0644 "$src/packaging/systemd/hookctl-apply.timer" "$root/lib/systemd/system/hookctl-apply.timer"
echo "installed; edit /etc/hookctl/hookctl.toml, then run: hookctl check && hookctl apply"
