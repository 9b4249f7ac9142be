#!/bin/bash
# Installs what building and testing hookctl needs on Debian 12, if missing.
# Daemons installed only for the tests (radvd, kea, named) must not start as
# system services: a policy-rc.d that forbids starting is put in place for the
# install and removed afterwards (unless one was there already).
set -euo pipefail
pkgs=(meson ninja-build g++ pkg-config lld   # lld: hookctl's code ordered (cli/meson.build)
      libboost-dev libboost-program-options-dev libboost-filesystem-dev
      libfmt-dev catch2 libtomlplusplus-dev nlohmann-json3-dev
      clang clang-format clang-tidy libclang-rt-14-dev python3 util-linux
      iproute2 radvd ndisc6 kea-dhcp6-server dhcpcd-base bind9 bind9-utils bind9-dnsutils ppp jq
      nftables iptables dnsmasq-base   # nft, ip6tables-legacy, dnsmasq: hookctl doctor's checks and tests
      strace time    # strace, GNU time: bench/hook_bench.sh (child processes, syscalls, peak RSS)
      valgrind       # tools/symbol_order.sh (callgrind), tests/netns/symbol_order.sh
      dpkg-dev debhelper lintian man-db)   # tools/build-deb.sh, tests/netns/package*.sh
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
    echo "deps: missing packages: ${missing[*]}; run as root to install them" >&2
    exit 1
fi
echo "deps: installing ${missing[*]}"
added_policy=
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    added_policy=1
fi
trap '[ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d' EXIT
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
