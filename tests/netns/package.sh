#!/bin/bash
# The Debian package, built and installed the way a system installs it: the real
# dpkg with the real maintainer scripts, on this machine's own /usr, /etc and /var,
# each under an overlay in a private mount (and network) namespace, so the machine
# itself is never changed. Checks every file the package must hold (path, type,
# mode, owner, link target), what networkd-dispatcher and NetworkManager demand of a
# script, that no unit is enabled, that the installed `hookctl check` says the
# installed config takes no action, that remove keeps an edited config and purge
# takes it and /var/lib/hookctl, and that after the purge /etc, /usr and /var hold
# exactly the paths they held before the install.
#
# The package: tools/build-deb.sh --quick (reused while the sources are the same) in
# <build>/package-deb; PACKAGE_DEB=path.deb tests that file instead.
# Needs root (mounts, dpkg); exit 77 = skipped.
set -u
. "$(dirname "$0")/lib.sh"

# The package is dpkg-buildpackage's build, not this build's binary: under a
# sanitizer build (tools/test.sh's second pass) it would only be built again.
if [ -n "${HOOKCTL_SANITIZED:-}" ]; then
    echo "SKIP: the package does not hold this sanitizer build's binary; the plain build's suite tests it"
    exit 77
fi
if [ -z "${HOOKCTL_PACKAGE_NS:-}" ]; then
    netns_require_root "to mount overlays over /usr, /etc and /var and run dpkg"
    netns_require_tools "dpkg-dev debhelper" dpkg-buildpackage dh
    netns_require_tools "util-linux" unshare
    root=$(cd "$(dirname "$0")/../.." && pwd)
    if [ -z "${PACKAGE_DEB:-}" ]; then
        out=${BUILD_ROOT:-$root/build}/package-deb
        start=$(date +%s)
        PACKAGE_DEB=$(bash "$root/tools/build-deb.sh" --quick "$out" | tail -1) || {
            echo "FAIL - tools/build-deb.sh --quick failed"
            echo "# 0 passed, 1 failed"
            exit 1
        }
        echo "# package $PACKAGE_DEB ready in $(($(date +%s) - start)) s"
    fi
    HOOKCTL_PACKAGE_NS=1 PACKAGE_DEB=$PACKAGE_DEB SOURCE_ROOT=$root exec unshare -mn --propagation private bash "$0"
fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-package.XXXXXX")
trap 'umount -l /etc /usr /var "$WORK/ovl" 2>/dev/null; rm -rf "$WORK"' EXIT
passes=0 failures=0

# The overlays: upper dirs on a tmpfs of our own (the machine's /tmp may not be able
# to hold an overlay's upper dir). /run/systemd hidden: the maintainer scripts must
# see no running systemd, as in a chroot or a container.
mkdir -p "$WORK/ovl"
mount -t tmpfs tmpfs "$WORK/ovl" || { echo "cannot mount a tmpfs" >&2; exit 1; }
for d in etc usr var; do
    mkdir -p "$WORK/ovl/$d.upper" "$WORK/ovl/$d.work"
    mount -t overlay overlay -o "lowerdir=/$d,upperdir=$WORK/ovl/$d.upper,workdir=$WORK/ovl/$d.work" "/$d" ||
        { echo "cannot put an overlay on /$d" >&2; exit 1; }
done
[ -d /run/systemd ] && mount -t tmpfs tmpfs /run/systemd
export DEBIAN_FRONTEND=noninteractive

# A clean slate inside the overlays: no hookctl package, config or state from
# earlier work on this machine (only the overlays lose them).
if dpkg-query -W -f '${Status}' hookctl 2>/dev/null | grep -qv 'not-installed'; then
    echo "# hookctl is installed on this machine: purged inside the overlays first"
    dpkg --purge hookctl >/dev/null
fi
rm -rf /etc/hookctl /var/lib/hookctl

# Every path under /etc, /usr and /var but dpkg's and the logs' own bookkeeping
# (and man-db's cache, which the trigger rebuilds).
snapshot() {
    find /etc /usr /var -xdev \( -path /var/lib/dpkg -o -path /var/log -o -path /var/cache \
        -o -path /var/lib/systemd/deb-systemd-helper-enabled -o -path /var/lib/systemd/deb-systemd-helper-masked \) -prune -o -print |
        LC_ALL=C sort
}
snapshot >"$WORK/before"

check "dpkg -i installs $(basename "$PACKAGE_DEB")" "dpkg -i '$PACKAGE_DEB' >'$WORK/dpkg-i.log' 2>&1"
check_detail() { sed 's/^/#   /' "$WORK/dpkg-i.log"; }
check "dpkg says: install ok installed" "[ \"\$(dpkg-query -W -f '\${Status}' hookctl)\" = 'install ok installed' ]"
unset -f check_detail

# --- the files: exactly these, with these modes, owners and targets ----------------
bin=/usr/sbin/hookctl
{
    echo "-rwxr-xr-x root:root $bin"
    echo "-rw-r--r-- root:root /usr/lib/dhcpcd/dhcpcd-hooks/90-hookctl"
    for s in ip-up ip-down ipv6-up ipv6-down; do
        echo "lrwxrwxrwx root:root /etc/ppp/$s.d/50-hookctl -> $bin"
        echo "lrwxrwxrwx root:root /etc/ppp/$s.d/50-hookctl.sh -> $bin"
    done
    for s in routable degraded carrier no-carrier off; do
        echo "lrwxrwxrwx root:root /etc/networkd-dispatcher/$s.d/50-hookctl -> $bin"
    done
    echo "lrwxrwxrwx root:root /etc/NetworkManager/dispatcher.d/50-hookctl -> $bin"
    for u in hookctl-apply.service hookctl-apply.timer hookctl-watch.service; do
        echo "-rw-r--r-- root:root /lib/systemd/system/$u"
    done
    echo "-rw-r--r-- root:root /etc/iproute2/rt_protos.d/hookctl.conf"
    echo "-rw-r--r-- root:root /etc/hookctl/hookctl.toml"
    for e in default.toml ext.network ext.toml lab.toml minimal.toml router.toml; do
        echo "-rw-r--r-- root:root /usr/share/doc/hookctl/examples/$e"
    done
    for f in copyright changelog.gz doctor.md install.md; do
        echo "-rw-r--r-- root:root /usr/share/doc/hookctl/$f"
    done
    echo "-rw-r--r-- root:root /usr/share/man/man8/hookctl.8.gz"
    echo "-rw-r--r-- root:root /usr/share/man/man5/hookctl.toml.5.gz"
    echo "-rw-r--r-- root:root /usr/share/bash-completion/completions/hookctl"
    echo "-rw-r--r-- root:root /usr/share/lintian/overrides/hookctl"
} | LC_ALL=C sort -k3 >"$WORK/want"
# What dpkg installed (directories aside, and /lib, a link to usr/lib on a merged
# /usr), as stat sees it on the system.
dpkg -L hookctl | while read -r p; do
    [ -d "$p" ] && continue
    stat -c '%A %U:%G %N' "$p" | sed "s/'//g"
done | LC_ALL=C sort -k3 >"$WORK/got"
check "the package holds exactly the expected files, modes, owners and links" "diff -u '$WORK/want' '$WORK/got' >'$WORK/files.diff'"
[ -s "$WORK/files.diff" ] && sed 's/^/#   /' "$WORK/files.diff"
bad_dirs=$(dpkg -L hookctl | while read -r p; do
    [ -d "$p" ] && [ ! -L "$p" ] && [ "$(stat -c '%a %U:%G' "$p")" != "755 root:root" ] && echo "$p"
done)
check "every directory it made is 0755 root:root" "[ -z '$bad_dirs' ]"

check "the installed config is examples/default.toml" "cmp -s /etc/hookctl/hookctl.toml '$SOURCE_ROOT/examples/default.toml'"
check "  and a conffile" "dpkg-query -W -f '\${Conffiles}\n' hookctl | grep -q '^ /etc/hookctl/hookctl.toml [0-9a-f]\{32\}$'"
check "the dhcpcd shim runs the installed binary" "grep -qx '$bin dhcpcd >/dev/null || :' /usr/lib/dhcpcd/dhcpcd-hooks/90-hookctl"
check "the services run the installed binary" \
    "grep -qx 'ExecStart=$bin apply' /lib/systemd/system/hookctl-apply.service && grep -qx 'ExecStart=$bin watch' /lib/systemd/system/hookctl-watch.service"
check "no unit enabled or started by installing" "! ls /etc/systemd/system/*.wants/hookctl* 2>/dev/null | grep -q ."
check "ip knows protocol 211 as hookctl" "grep -qx '211[[:space:]]*hookctl' /etc/iproute2/rt_protos.d/hookctl.conf"

# networkd-dispatcher (check_perms): the script's real path a regular file, mode 0755,
# root:root, in a directory with the same. NetworkManager: owned by root, not
# writable by group or other, not set-UID (stat follows the link).
nd_ok=1
for s in routable degraded carrier no-carrier off; do
    link=/etc/networkd-dispatcher/$s.d/50-hookctl
    real=$(realpath "$link")
    [ -f "$real" ] && [ "$(stat -c '%a %u:%g' "$real")" = "755 0:0" ] &&
        [ "$(stat -c '%a %u:%g' "$(dirname "$link")")" = "755 0:0" ] || nd_ok=0
done
check "networkd-dispatcher would run every link (0755 root:root file and directory)" "[ $nd_ok = 1 ]"
nm_mode=$(stat -L -c '%u %a' /etc/NetworkManager/dispatcher.d/50-hookctl)
check "NetworkManager would run its link (root's, not group/other-writable, not set-UID)" \
    "[ '${nm_mode% *}' = 0 ] && [ \$(( 0${nm_mode#* } & 04022 )) = 0 ]"
check "man finds both pages" "man -w hookctl >/dev/null && man -w 5 hookctl.toml >/dev/null"

# --- the installed binary on the installed config ----------------------------------
expect "hookctl check: the installed config takes no action" \
    "/etc/hookctl/hookctl.toml: ok (0 uplinks, 0 lans, 0 rules, 0 routes, 0 files, 0 dns zones)
/etc/hookctl/hookctl.toml: this config takes no action: it declares no uplink, lan, rule, route, file, dns zone or radvd, so events are recorded and nothing is changed
  hint: declare an [uplink.NAME] and what follows from it; hookctl.toml(5) and the examples in /usr/share/doc/hookctl/examples show how" \
    "$bin" check
# A pppd event through Debian's own wrapper, if ppp is installed: the link runs,
# the event lands in /var/lib/hookctl (which purge must remove).
if [ -x /etc/ppp/ip-up ]; then
    env -i /etc/ppp/ip-up ppp0 /dev/null 0 198.51.100.7 203.0.113.1 '' >/dev/null 2>&1
    check "pppd's /etc/ppp/ip-up reaches hookctl: event 1 journaled in /var/lib/hookctl" \
        "[ \"\$('$bin' events --ids)\" = 1 ]"
else
    "$bin" apply >/dev/null 2>&1
    check "hookctl apply made /var/lib/hookctl" "[ -d /var/lib/hookctl ]"
fi

# --- remove keeps the edited config, purge takes everything -------------------------
echo '# edited' >>/etc/hookctl/hookctl.toml
check "dpkg -r removes it" "dpkg -r hookctl >'$WORK/dpkg-r.log' 2>&1"
check "  the binary is gone" "[ ! -e $bin ] && [ ! -L /etc/ppp/ip-up.d/50-hookctl ]"
check "  the edited config stays (config-files)" \
    "tail -1 /etc/hookctl/hookctl.toml | grep -qx '# edited' && [ \"\$(dpkg-query -W -f '\${Status}' hookctl)\" = 'deinstall ok config-files' ]"
check "  the state stays" "[ -d /var/lib/hookctl ]"
check "dpkg --purge purges it" "dpkg --purge hookctl >'$WORK/dpkg-p.log' 2>&1"
check "  dpkg knows it no more" "! dpkg-query -W -f '\${Status}' hookctl 2>/dev/null | grep -q installed"
check "  /etc/hookctl and /var/lib/hookctl are gone" "[ ! -e /etc/hookctl ] && [ ! -e /var/lib/hookctl ]"
snapshot >"$WORK/after"
check "/etc, /usr and /var hold exactly the paths they held before" \
    "diff '$WORK/before' '$WORK/after' >'$WORK/left.diff'"
[ -s "$WORK/left.diff" ] && sed 's/^/#   /' "$WORK/left.diff"
netns_done
