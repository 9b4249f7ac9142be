#!/bin/sh
# Installs hookctl as the pppd ip-up/ip-down/ipv6-up/ipv6-down hook by symlinks.
# Two links per script: one without a dot for Debian's run-parts (it skips names
# with a dot), one ending in .sh for Arch's wrapper (it runs only *.sh). hookctl
# reads the script name from the directory it is linked into.
set -eu
bin=${1:-/usr/sbin/hookctl}
root=${DESTDIR:-}
for script in ip-up ip-down ipv6-up ipv6-down; do
    dir="$root/etc/ppp/$script.d"
    mkdir -p "$dir"
    ln -sfn "$bin" "$dir/50-hookctl"
    ln -sfn "$bin" "$dir/50-hookctl.sh"
done
