#!/bin/sh
# `meson install` step: installs the default config SRC as DEST unless DEST exists,
# so an edited config is never replaced (Debian's dpkg and Arch's pacman keep theirs
# as conffile / backup=, this is for a plain `meson install`). DESTDIR is honoured.
# Usage: install-config.sh SRC DEST
set -eu
src=$1
dest=${DESTDIR:-}$2
if [ -e "$dest" ] || [ -L "$dest" ]; then
    echo "hookctl: keeping the existing $dest (the default is $src)"
    exit 0
fi
install -D -m 0644 "$src" "$dest"
echo "Installing $src to $dest"
