#!/bin/sh
# `meson install` step (hooks/meson.build): TARGET, then the absolute paths of the
# links to make to it, each replacing whatever link was there. DESTDIR is honoured.
# A script rather than meson's install_symlink(): meson 1.0 (Debian 12) gives up on
# every link, exit status 0, when one exists whose target is not there yet (a
# second install into the same DESTDIR).
# Usage: install-links.sh TARGET LINK...
set -eu
# The directories made here 0755 whatever the caller's umask: networkd-dispatcher
# runs no script from a directory that is not (docs/daemons.md).
umask 022
target=$1
shift
for link in "$@"; do
    dest=${DESTDIR:-}$link
    mkdir -p "$(dirname "$dest")"
    ln -sfn "$target" "$dest"
    echo "Installing symlink $dest -> $target"
done
