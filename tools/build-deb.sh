#!/bin/bash
# Builds hookctl's Debian package from this checkout, without touching it: the
# files git knows (tracked, with their uncommitted changes, and new ones not
# ignored) are copied to a scratch tree, packaging/debian goes in as debian/, and
# `dpkg-buildpackage -us -uc -b` runs there. The .deb, its -dbgsym, .buildinfo and
# .changes end up in OUT.
#
#   bash tools/build-deb.sh [--quick] [--lintian] [OUT]    # OUT defaults to ./build-deb
#
# --quick    DEB_BUILD_OPTIONS="nocheck noopt noddebs", no debug info: about a third of
#            the compile time, for tests/netns/package.sh; the package holds the
#            same files (only the code is unoptimised).
# --lintian  then run lintian on the .changes (the .deb and .buildinfo); any tag
#            not overridden in packaging/debian/hookctl.lintian-overrides (each
#            with its reason) fails.
#
# A package in OUT built from the same files with the same options is reused:
# OUT/source.sha256 holds the hash of every file copied and the options.
# Prints the path of the .deb as its last line.
set -euo pipefail
cd "$(dirname "$0")/.."
quick= lintian=
while [ $# -gt 0 ]; do
    case $1 in
        --quick) quick=1 ;;
        --lintian) lintian=1 ;;
        -*) echo "build-deb: unknown option $1" >&2; exit 2 ;;
        *) break ;;
    esac
    shift
done
out=$(mkdir -p "${1:-build-deb}" && cd "${1:-build-deb}" && pwd)

for tool in dpkg-buildpackage dh; do
    command -v "$tool" >/dev/null || { echo "build-deb: $tool not installed (packages dpkg-dev debhelper)" >&2; exit 77; }
done

version=$(sed -n "s/^  version : '\(.*\)',$/\1/p" meson.build)
changelog_version=$(dpkg-parsechangelog -l packaging/debian/changelog -S Version)
if [ "$version" != "$changelog_version" ]; then
    echo "build-deb: meson.build says version $version, packaging/debian/changelog $changelog_version: add a changelog entry (dch -v $version)" >&2
    exit 1
fi

options=("DEB_BUILD_OPTIONS=parallel=$(nproc)")
[ -n "$quick" ] && options=("DEB_BUILD_OPTIONS=nocheck noopt noddebs parallel=$(nproc)" "DEB_CXXFLAGS_APPEND=-g0")
mapfile -d '' files < <(git ls-files -z --cached --others --exclude-standard | sort -z)
existing=()
for f in "${files[@]}"; do [ -e "$f" ] && existing+=("$f"); done
hash=$({ printf '%s\n' "${options[@]}"; printf '%s\0' "${existing[@]}" | xargs -0 sha256sum; } | sha256sum | cut -d' ' -f1)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
deb=$out/hookctl_${version}_$arch.deb

if [ -f "$deb" ] && [ "$(cat "$out/source.sha256" 2>/dev/null)" = "$hash" ]; then
    echo "build-deb: $deb is built from these files already"
else
    rm -f "$out"/hookctl*.deb "$out"/hookctl*.ddeb "$out"/hookctl*.buildinfo "$out"/hookctl*.changes "$out/source.sha256"
    scratch=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-deb.XXXXXX")
    trap 'rm -rf "$scratch"' EXIT
    tree=$scratch/hookctl-$version
    mkdir "$tree"
    printf '%s\0' "${existing[@]}" | tar --null -T - -cf - | tar -xf - -C "$tree"
    cp -a packaging/debian "$tree/debian"
    echo "build-deb: building in $tree (${options[*]})"
    start=$(date +%s)
    (cd "$tree" && env "${options[@]}" dpkg-buildpackage -us -uc -b >"$scratch/build.log" 2>&1) || {
        tail -40 "$scratch/build.log" >&2
        echo "build-deb: dpkg-buildpackage failed (whole log above, last 40 lines)" >&2
        exit 1
    }
    cp "$scratch/build.log" "$out/build.log"
    mv "$scratch"/hookctl*.deb "$scratch"/hookctl*.buildinfo "$scratch"/hookctl*.changes "$out/"
    mv "$scratch"/hookctl*.ddeb "$out/" 2>/dev/null || true
    echo "$hash" >"$out/source.sha256"
    echo "build-deb: built in $(($(date +%s) - start)) s"
fi

if [ -n "$lintian" ]; then
    command -v lintian >/dev/null || { echo "build-deb: lintian not installed (package lintian)" >&2; exit 77; }
    # --fail-on: every tag Debian would show (info and pedantic included) unless overridden.
    lintian --info --display-info --pedantic --fail-on error,warning,info,pedantic \
        "$out/hookctl_${version}_$arch.changes"
fi
echo "$deb"
