#!/bin/bash
# packaging/arch/PKGBUILD holds what the Debian package holds: its build() and
# package() run into a scratch directory (tools/check-arch-layout.sh, as makepkg
# would run them; namcap is not in Debian) and the files, modes and link targets are
# compared with the .deb's, mapped for each distribution's paths. The .deb is the
# one tests/netns/package.sh uses (<build>/package-deb, built if missing or stale);
# PACKAGE_DEB=path.deb compares with that file instead. The Arch build dir is kept
# in <build>/package-arch, so a second run only relinks.
# In the netns suite for its cost (a whole second build at the first run) and
# because that suite runs one test at a time; needs root like package.sh (the .deb
# it shares). exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

# The package is dpkg-buildpackage's build, not this build's binary: under a
# sanitizer build (tools/test.sh's second pass) it would only be built again.
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    echo "SKIP: the package does not hold this sanitizer build's binary; the plain build's suite tests it"
    exit 77
fi
netns_require_root "like package.sh, whose .deb this compares with"
netns_require_tools "dpkg-dev debhelper" dpkg-buildpackage dh
netns_require_tools "meson" meson
root=$(cd "$(dirname "$0")/../.." && pwd)
build=${BUILD_ROOT:-$root/build}
passes=0 failures=0

if [ -z "${PACKAGE_DEB:-}" ]; then
    PACKAGE_DEB=$(bash "$root/tools/build-deb.sh" --quick "$build/package-deb" | tail -1)
    check "tools/build-deb.sh --quick built or reused the .deb" "[ -f '$PACKAGE_DEB' ]"
fi
start=$(date +%s)
out=$(bash "$root/tools/check-arch-layout.sh" "$PACKAGE_DEB" "$build/package-arch" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/#   /'
check "PKGBUILD's package() installs the .deb's files, modes and links (Arch paths mapped) [$(($(date +%s) - start)) s]" "[ $rc = 0 ]"
netns_done
