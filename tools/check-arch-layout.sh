#!/bin/bash
# Checks packaging/arch/PKGBUILD without Arch: namcap is not in Debian, so its
# build() and package() run here as makepkg would run them (cwd $srcdir, $pkgdir
# empty, arch-meson as Arch defines it), and the files package() installs are
# compared with the Debian package's (`dpkg-deb -c`): path, mode and link target.
#
#   bash tools/check-arch-layout.sh DEB [OUT]     # OUT defaults to ./build-arch
#
# OUT/src/build is kept, so a second run only relinks. Exit 1 when they differ,
# with both lists' differences; 0 when the same.
#
# Differences that are each distribution's rule, mapped before comparing:
#   /usr/sbin/hookctl (Debian)            /usr/bin/hookctl (Arch: /usr/sbin is a link to /usr/bin)
#   /lib/systemd/system (Debian 12)       /usr/lib/systemd/system (Arch)
#   man pages .gz (dh_compress)           as installed (makepkg compresses them itself later)
# Files only one package has, by its policy:
#   Debian: /usr/share/doc/hookctl/copyright, changelog.gz (dh_installdocs,
#           dh_installchangelogs), /usr/share/lintian/overrides/hookctl
#   Arch:   /usr/share/licenses/hookctl/LICENSE
# Directories are not compared (each lists its own parents), but every directory
# of both must be 0755: networkd-dispatcher runs no script from a directory that is
# not (docs/daemons.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
deb=${1:?usage: check-arch-layout.sh DEB [OUT]}
out=$(mkdir -p "${2:-$root/build-arch}" && cd "${2:-$root/build-arch}" && pwd)
deb=$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")

# makepkg's environment for build() and package(): startdir is the PKGBUILD's
# directory, srcdir and pkgdir below it (here below OUT).
srcdir=$out/src pkgdir=$out/pkg
rm -rf "$pkgdir"
mkdir -p "$srcdir" "$pkgdir"
(
    set -e
    # arch-meson (Arch's devtools) with the build dir reused when it is there.
    arch-meson() {
        local setup=(setup)
        [ -f "$2/build.ninja" ] && setup=(setup --reconfigure)
        meson "${setup[@]}" --prefix /usr --libexecdir lib --sbindir bin --buildtype plain \
            --auto-features enabled --wrap-mode nodownload -D b_lto=false -D b_pie=true "$@"
    }
    startdir=$root/packaging/arch
    # shellcheck source=/dev/null
    . "$startdir/PKGBUILD"
    cd "$srcdir"
    build >"$out/build.log" 2>&1 || { tail -30 "$out/build.log" >&2; echo "check-arch-layout: build() failed" >&2; exit 1; }
    cd "$srcdir"
    package >"$out/package.log" 2>&1 || { tail -30 "$out/package.log" >&2; echo "check-arch-layout: package() failed" >&2; exit 1; }
)

# One line per file or link: "MODE PATH" or "MODE PATH -> TARGET", paths without
# the leading "./" or "/".
(cd "$pkgdir" && find . -mindepth 1 ! -type d -printf '%M %P' -a \( -type l -printf ' -> %l\n' -o -printf '\n' \)) |
    sed '\#^[^ ]* usr/share/licenses/hookctl/LICENSE$#d' | LC_ALL=C sort -k2 >"$out/arch.list"
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { $2 = $3 = $4 = $5 = ""; print }' |
    sed -E 's/^([^ ]+) +\.\//\1 /' |
    sed -E '\#^[^ ]+ usr/share/doc/hookctl/(copyright|changelog\.gz)$#d
            \#^[^ ]+ usr/share/lintian/overrides/hookctl$#d
            s# usr/sbin/hookctl# usr/bin/hookctl#
            s# -> /usr/sbin/hookctl$# -> /usr/bin/hookctl#
            s# lib/systemd/system/# usr/lib/systemd/system/#
            s#^([^ ]+ usr/share/man/.*)\.gz$#\1#' | LC_ALL=C sort -k2 >"$out/deb.list"

status=0
if ! diff -u --label "deb ($(basename "$deb"), mapped)" --label "arch (package() into $pkgdir)" \
    "$out/deb.list" "$out/arch.list"; then
    echo "check-arch-layout: the PKGBUILD and the .deb install different files (above)" >&2
    status=1
fi
bad_dirs=$({ (cd "$pkgdir" && find . -mindepth 1 -type d ! -perm 0755 -printf 'arch %M %P\n')
             dpkg-deb -c "$deb" | awk '$1 ~ /^d/ && $1 != "drwxr-xr-x" { print "deb", $1, $6 }'; })
if [ -n "$bad_dirs" ]; then
    printf 'check-arch-layout: directories not 0755:\n%s\n' "$bad_dirs" >&2
    status=1
fi
[ $status = 0 ] && echo "check-arch-layout: same $(wc -l <"$out/arch.list") files and links in both packages"
exit $status
