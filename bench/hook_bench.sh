#!/bin/bash
# hookctl against the shell hooks it replaces, each event started the way the daemon
# starts it on the install path users choose, in one run: the table of issue 10 plus
# the static-C floor, the fixed cost of the daemons' own hook runners, the programs
# each install path starts, the child processes, syscalls and peak RSS of hookctl
# runs, and the targets, met or not. About 2 minutes with the defaults.
# Not a test: it prints (bench/README.md explains the method and keeps a result).
#
#   bench/hook_bench.sh [-n EVENTS] [-r ROUNDS] [BUILD_DIR]   (root; default 40 events
#                                                            per batch, 7 rounds, "build")
#   chrt -f 1 bench/hook_bench.sh ...                        (on a busy machine)
#   HOOKCTL=/path/to/hookctl bench/hook_bench.sh ...         (another binary)
#
# Where it runs: a network namespace of its own (veths ppp0 wan0 int0 int1 int2), with
# private mount and UTS namespaces. Inside, a tmpfs on /run, and bind mounts over
# /etc/ppp/{ip-up,ip-down,ipv6-up,ipv6-down}.d, /usr/lib/dhcpcd/dhcpcd-hooks (a copy of
# the stock hooks plus the hook under test) and /etc/resolv.conf, so Debian's real
# /etc/ppp wrappers and /usr/lib/dhcpcd/dhcpcd-run-hooks run unmodified and every file
# the stock hooks write stays inside. The host's files and hostname are compared
# before and after.
#
# Each round runs, per group of rows, one batch of EVENTS events per side (hookctl,
# the shell, the floor, the runner alone), the order of the sides rotated from round
# to round. Per-event wall time comes from bench/timer.c: posix_spawn to reaped exit,
# measured outside the process. Figures are medians over all events; a row's ratio
# is the median over rounds of (shell batch median / hookctl batch median).

# Arrays named per group and event (SIDES_*, REBIND_a, ...) are reached through namerefs.
# shellcheck disable=SC2034,SC2154
set -eu
# shellcheck source=bench/lib.sh
. "$(dirname "$0")/lib.sh"

BENCH_DEFAULT_N=40 bench_args build "$@"
HK=${HOOKCTL:-$BUILD/cli/hookctl}

if [ "$(id -u)" != 0 ]; then echo "needs root (network, mount and UTS namespaces)" >&2; exit 77; fi
[ -x "$HK" ] || { echo "no $HK; build it first: bash tools/build.sh" >&2; exit 1; }
for tool in cc jq radvd strace run-parts /usr/bin/time /etc/ppp/ip-up /usr/lib/dhcpcd/dhcpcd-run-hooks; do
    command -v "$tool" >/dev/null || { echo "hook_bench: $tool missing (bash tools/deps.sh installs it)" >&2; exit 1; }
done
HK=$(readlink -f "$HK")
export HOOKCTL=$HK

# ---- on the host: run the inner part in its namespaces, then prove the host untouched
if [ -z "${HOOKCTL_BENCH_IN_NS:-}" ]; then
    host_files() {
        local real
        real=$(readlink -f /etc/resolv.conf)
        sha256sum "$real"
        stat -c '%n %s %Y %a' "$real"
        cat /proc/sys/kernel/hostname
        ls -la --time-style=+%s /etc/ppp/*.d /usr/lib/dhcpcd/dhcpcd-hooks
        ls -la --time-style=+%s /run/dhcpcd /var/lib/dhcp /run/systemd/timesyncd.conf.d 2>&1 || true
    }
    before=$(host_files)
    rc=0
    bench_netns_run hookctl-hookbench ppp0 wan0 int0 int1 int2 || rc=$?
    after=$(host_files)
    if [ "$before" != "$after" ]; then
        echo "hook_bench: the host changed:" >&2
        diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") >&2 || true
        exit 1
    fi
    echo "host untouched: /etc/resolv.conf, hostname, /etc/ppp/*.d, dhcpcd-hooks, /run/dhcpcd, /var/lib/dhcp as before"
    exit $rc
fi

# ---- inside the namespaces ----------------------------------------------------------
cd /
WORK=$(mktemp -d /tmp/hookctl-bench.XXXXXX)
RADVD_PIDS=()
cleanup() {
    local p
    for p in "${RADVD_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$WORK"
}
trap cleanup EXIT
die() { echo "hook_bench: $*" >&2; exit 1; }

STAT0=$(head -1 /proc/stat)
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
mkdir -p "$WORK/bin" "$WORK/t" "$WORK/hk" "$WORK/sh" "$WORK/floor" "$WORK/seed" "$WORK/direct"
cc -O2 -static -o "$WORK/bin/timer" "$ROOT/bench/timer.c"
cc -O2 -static -o "$WORK/bin/floor" "$ROOT/bench/floor.c"
# hookctl as an install writes it (meson install, dpkg: the file written front to back),
# not the linker's output file: the same bits start measurably faster or slower
# depending on how the file's page cache was filled (bench/README.md).
HK_BUILT=$HK
install -m 0755 "$HK" "$WORK/bin/hookctl"
HK=$WORK/bin/hookctl
# A second copy whose pages are dropped from the page cache, so that its runs read it
# back from disk the way the first run after a reboot does: the hook-alone groups
# other than the prefix change also run it (side "disk"), as that is how a router
# rebooted since the install has the binary.
HK_DISK=$WORK/bin/hookctl-disk
install -m 0755 "$HK_BUILT" "$HK_DISK"
sync "$HK_DISK"
dd if="$HK_DISK" iflag=nocache count=0 status=none
TIMER=$WORK/bin/timer
FLOOR=$WORK/bin/floor
FLOOR_STATE=$WORK/floor/state

# Confinement: what the stock dhcpcd hooks write (/run/dhcpcd/hook-state, resolv.conf,
# the hostname via /proc/sys/kernel/hostname) lands in this mount/UTS namespace only.
RESOLV=$(readlink -f /etc/resolv.conf)
cp -p "$RESOLV" "$WORK/resolv.conf"
HAD_SYSTEMD_DIR=; [ -d /run/systemd/system ] && HAD_SYSTEMD_DIR=1
mount -t tmpfs -o mode=0755 hookctl-bench-run /run
# The stock hooks look at /run/systemd/system to pick their branch: keep what they see.
[ -z "$HAD_SYSTEMD_DIR" ] || mkdir -p /run/systemd/system
mkdir -p "$(dirname "$RESOLV")"
[ -e "$RESOLV" ] || : >"$RESOLV"    # it lived under /run: recreated on the tmpfs
mount --bind "$WORK/resolv.conf" "$RESOLV"
for s in ip-up ip-down ipv6-up ipv6-down; do
    mkdir -p "$WORK/ppp/$s.d"
    mount --bind "$WORK/ppp/$s.d" "/etc/ppp/$s.d"
done
cp -a /usr/lib/dhcpcd/dhcpcd-hooks "$WORK/dhcpcd-hooks"
STOCK_HOOKS=$(cd "$WORK/dhcpcd-hooks" && printf '%s ' *)
mount --bind "$WORK/dhcpcd-hooks" /usr/lib/dhcpcd/dhcpcd-hooks
HOSTNAME0=$(cat /proc/sys/kernel/hostname)

# ---- the two sides' hooks -----------------------------------------------------------
STATE=$WORK/state
CONFIG=$WORK/hookctl.toml
sed -e "/^#/d" -e "s|@RADVD_DIR@|$WORK/hk|g" "$ROOT/bench/hook_bench.toml.in" >"$CONFIG"
# The installed dhcpcd hook (meson install fills in @HOOKCTL@), calling the binary under test.
sed "s|@HOOKCTL@|$HK|" "$ROOT/hooks/dhcpcd/90-hookctl.in" >"$WORK/seed/90-hookctl"
grep -q "^$HK dhcpcd " "$WORK/seed/90-hookctl" || die "hooks/dhcpcd/90-hookctl.in does not call @HOOKCTL@"
# The seed-style shell hooks, with this run's directory.
for f in ip-up ip-down ipv6-up 90-shell; do
    sed "s|@DIR@|$WORK/sh|g" "$ROOT/bench/seed/$f" >"$WORK/seed/$f"
    chmod 0755 "$WORK/seed/$f"
done
chmod 0644 "$WORK/seed/90-shell"
cp "$ROOT/bench/seed/radvd.conf.in" "$WORK/sh/radvd.conf.in"
# hookctl as pppd's ip-up-script etc. (like /usr/lib/hookctl/ip-up -> /usr/sbin/hookctl).
for s in ip-up ip-down ipv6-up ipv6-down; do ln -s "$HK" "$WORK/direct/$s"; done

# ---- events: argv and environment as the daemons pass them --------------------------
SYS=/proc/sys/net/ipv6/conf/ppp0
bench_hook_events "$CONFIG" "$STATE"   # PPP4_ARGS, PPP6_ARGS, HK_ENV, PPPD_ENV, RP4_ENV, RP6_ENV
NO_ENV=()
ppp_args() { case $1 in ip-*) echo "${PPP4_ARGS[*]}" ;; *) echo "${PPP6_ARGS[*]}" ;; esac; }

# dhcpcd 9.4.1's environments (tests/data/dhcpcd): REBIND6 to prefix a or b (the other
# one as old, released with lifetime 0), RENEW6 with an unchanged prefix a or b, a
# ROUTERADVERT. One array per event, the daemon's variables plus HK_ENV.
DATA=$ROOT/tests/data/dhcpcd
other() { if [ "$1" = a ]; then echo b; else echo a; fi; }
for p in a b; do
    q=$(other $p)
    sed -e "s/2001:db8:1cd::/2001:db8:${p}00::/; s/2001:db8:100::/2001:db8:${q}00::/" \
        "$DATA/c1-prefix-change-rebind/04-REBIND6.env" >"$WORK/rebind-$p.env"
    sed -e "s/2001:db8:100::/2001:db8:${p}00::/" "$DATA/b3-renew-timer/02-RENEW6.env" >"$WORK/renew-$p.env"
    bench_load_env "REBIND_$p" "$WORK/rebind-$p.env"
    bench_load_env "RENEW_$p" "$WORK/renew-$p.env"
done
bench_load_env RA "$DATA/b3-renew-timer/03-ROUTERADVERT.env"
RUN_HOOKS=/usr/lib/dhcpcd/dhcpcd-run-hooks

# timed OUT ENV-ARRAY PROGRAM ARGS...: one event: PROGRAM under `env -i` with the
# array's variables, its wall time appended to OUT; stdin and stdout /dev/null as
# pppd and dhcpcd give them, stderr collected in $ERRLOG (checked after each batch).
ERRLOG=$WORK/stderr
timed() {
    local out=$1
    local -n env_=$2
    shift 2
    env -i "${env_[@]}" "$TIMER" "$out" "$@" </dev/null >/dev/null 2>>"$ERRLOG" ||
        die "exit status $? from $* (stderr: $(tail -3 "$ERRLOG"))"
}
# untimed ENV-ARRAY PROGRAM ARGS...: the same, not timed (set-up between events).
untimed() {
    local -n env_=$1
    shift
    env -i "${env_[@]}" "$@" </dev/null >/dev/null 2>>"$ERRLOG" || die "exit status $? from $*"
}
# A freshly created ppp0 has the kernel's defaults, not the values ipv6-up sets.
sysctls_fresh() {
    echo 0 >$SYS/use_tempaddr; echo 1 >$SYS/forwarding; echo 0 >$SYS/autoconf; echo 0 >$SYS/accept_ra
}
# pppd_d SIDE: what /etc/ppp/<script>.d holds for SIDE: hk (the 50-hookctl links of
# hooks/install-links.sh, as meson install makes them), disk (the same to the copy read back
# from disk), sh (the seed scripts; none for ipv6-down) or empty.
pppd_d() {
    local s
    for s in ip-up ip-down ipv6-up ipv6-down; do
        rm -f "$WORK/ppp/$s.d/"*
        case $1 in
            hk) ln -s "$HK" "$WORK/ppp/$s.d/50-hookctl" ;;
            disk) ln -s "$HK_DISK" "$WORK/ppp/$s.d/50-hookctl" ;;
            sh) [ ! -e "$WORK/seed/$s" ] || cp "$WORK/seed/$s" "$WORK/ppp/$s.d/50-shell" ;;
        esac
    done
}
# dhcpcd_hooks SIDE: the stock hooks, plus 90-hookctl (hk), 90-shell (sh) or nothing.
dhcpcd_hooks() {
    rm -f "$WORK/dhcpcd-hooks/90-hookctl" "$WORK/dhcpcd-hooks/90-shell"
    case $1 in
        hk) cp "$WORK/seed/90-hookctl" "$WORK/dhcpcd-hooks/" ;;
        sh) cp "$WORK/seed/90-shell" "$WORK/dhcpcd-hooks/" ;;
    esac
}
# journal_expect EVENTS LINE...: the last EVENTS x (number of LINEs) journal entries,
# each as "NAME STATUS DONE-ACTIONS", are the LINEs repeated: every hookctl run of the
# batch did exactly the work expected of it (the hook paths discard hookctl's output).
journal_expect() {
    local k=$1 want got i
    shift
    [ $((k * $#)) -le 900 ] || k=$((900 / $#))    # journal-max-entries is 1000
    want=$(for ((i = 0; i < k; i++)); do printf '%s\n' "$@"; done)
    got=$("$HK" --state-dir "$STATE" events --json --limit $((k * $#)) |
        jq -r '.[] | "\(.name) \(.status) \([.actions[] | select(.result == "done")] | length)"')
    [ "$got" = "$want" ] || die "journal: expected $k x [$*], got: $(printf '%s\n' "$got" | sort | uniq -c | tr '\n' ';')"
}
HUPS_HK=0
HUPS_SH=0
HUPS_FLOOR=0

# ---- the groups: per side a batch set-up, one event, and a check of the batch --------
# Group reconnect: pppd's four scripts in the order of a reconnect, as one event.
BENCH_GROUPS=(reconnect ipv6up ipup prefix renew ra prefix_rh renew_rh ra_rh)
SIDES_reconnect=(hk_wrap hk_direct sh_wrap wrapper)
reconnect() {  # OUT wrap|direct
    local s part=$WORK/part t=()
    : >"$part"
    sysctls_fresh
    for s in ip-down ipv6-down ip-up ipv6-up; do
        # shellcheck disable=SC2046
        if [ "$2" = direct ]; then
            timed "$part" PPPD_ENV "$WORK/direct/$s" $(ppp_args $s)
        else
            timed "$part" PPPD_ENV "/etc/ppp/$s" $(ppp_args $s)
        fi
    done
    mapfile -t t <"$part"
    echo $((t[0] + t[1] + t[2] + t[3])) >>"$1"
}
setup_reconnect_hk_wrap() { pppd_d hk; }
ev_reconnect_hk_wrap() { reconnect "$1" wrap; }
check_reconnect_hk_wrap() { journal_expect "$1" "ip-down applied 2" "ipv6-down applied 0" "ip-up applied 2" "ipv6-up applied 4"; }
setup_reconnect_hk_direct() { pppd_d empty; }
ev_reconnect_hk_direct() { reconnect "$1" direct; }
check_reconnect_hk_direct() { check_reconnect_hk_wrap "$1"; }
setup_reconnect_sh_wrap() { pppd_d sh; }
ev_reconnect_sh_wrap() { reconnect "$1" wrap; }
setup_reconnect_wrapper() { pppd_d empty; }
ev_reconnect_wrapper() { reconnect "$1" wrap; }

# Group ipv6up: the ipv6-up hook alone, as run-parts starts it (after an untimed
# ipv6-down and fresh sysctls, so every run writes all four).
SIDES_ipv6up=(hk disk sh floor io)
setup_ipv6up_hk() { pppd_d hk; }
setup_ipv6up_disk() { pppd_d disk; }
ev_ipv6up_disk() { ev_ipv6up_hk "$@"; }
check_ipv6up_disk() { check_ipv6up_hk "$@"; }
ev_ipv6up_hk() {
    untimed PPPD_ENV "$WORK/direct/ipv6-down" "${PPP6_ARGS[@]}"
    sysctls_fresh
    timed "$1" RP6_ENV /etc/ppp/ipv6-up.d/50-hookctl "${PPP6_ARGS[@]}"
}
check_ipv6up_hk() { journal_expect "$1" "ipv6-down applied 0" "ipv6-up applied 4"; }
setup_ipv6up_sh() { pppd_d sh; }
ev_ipv6up_sh() { sysctls_fresh; timed "$1" RP6_ENV /etc/ppp/ipv6-up.d/50-shell "${PPP6_ARGS[@]}"; }
ev_ipv6up_floor() { sysctls_fresh; timed "$1" NO_ENV "$FLOOR" sysctls ppp0 1 0 1 1; }
ev_ipv6up_io() { sysctls_fresh; timed "$1" NO_ENV "$FLOOR" io "$CONFIG" "$FLOOR_STATE" sysctls ppp0 1 0 1 1; }

# Group ipup: the ip-up hook alone (after an untimed ip-down).
SIDES_ipup=(hk disk sh floor io)
setup_ipup_hk() { pppd_d hk; }
setup_ipup_disk() { pppd_d disk; }
ev_ipup_disk() { ev_ipup_hk "$@"; }
check_ipup_disk() { check_ipup_hk "$@"; }
ev_ipup_hk() {
    untimed PPPD_ENV "$WORK/direct/ip-down" "${PPP4_ARGS[@]}"
    timed "$1" RP4_ENV /etc/ppp/ip-up.d/50-hookctl "${PPP4_ARGS[@]}"
}
check_ipup_hk() { journal_expect "$1" "ip-down applied 2" "ip-up applied 2"; }
setup_ipup_sh() { pppd_d sh; }
ev_ipup_sh() {
    untimed RP4_ENV /etc/ppp/ip-down.d/50-shell "${PPP4_ARGS[@]}"
    timed "$1" RP4_ENV /etc/ppp/ip-up.d/50-shell "${PPP4_ARGS[@]}"
}
ev_ipup_floor() { untimed NO_ENV "$FLOOR" rules del; timed "$1" NO_ENV "$FLOOR" rules add; }
ev_ipup_io() { untimed NO_ENV "$FLOOR" rules del; timed "$1" NO_ENV "$FLOOR" io "$CONFIG" "$FLOOR_STATE" rules add; }

# Group prefix: REBIND6 to the other prefix, the hook alone (`hookctl dhcpcd` as the
# shim starts it; `sh 90-shell`), the floor, and radvd -c on hookctl's radvd.conf
# (hookctl's validator, run by it on every change; the shell validates nothing).
SIDES_prefix=(hk sh floor validator)
HK_CUR=a SH_CUR=a FL_CUR=a ST_CUR=a
ev_prefix_hk() {
    local next
    next=$(other "$HK_CUR")
    timed "$1" "REBIND_$next" "$HK" dhcpcd
    HK_CUR=$next HUPS_HK=$((HUPS_HK + 1))
}
check_prefix_hk() { journal_expect "$1" "REBIND6 applied 4"; }
ev_prefix_sh() {
    local next
    next=$(other $SH_CUR)
    timed "$1" "REBIND_$next" /bin/sh "$WORK/seed/90-shell"
    SH_CUR=$next HUPS_SH=$((HUPS_SH + 1))
}
ev_prefix_floor() {
    local next
    next=$(other $FL_CUR)
    timed "$1" NO_ENV "$FLOOR" prefix "2001:db8:${FL_CUR}00::" "2001:db8:${next}00::" 10201 \
        "$WORK/floor/radvd.conf" "$WORK/floor/radvd.pid"
    FL_CUR=$next HUPS_FLOOR=$((HUPS_FLOOR + 1))
}
RADVD_C_ENV=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)
ev_prefix_validator() {
    # radvd -c reports on stderr even when the file is good
    env -i "${RADVD_C_ENV[@]}" "$TIMER" "$1" /usr/sbin/radvd -c -C "$WORK/hk/radvd.conf" \
        </dev/null >/dev/null 2>"$WORK/radvd-c.out" || die "radvd -c: $(cat "$WORK/radvd-c.out")"
}

# Group renew: RENEW6 with the prefix unchanged, the hook alone. hookctl has nothing to
# do (one untimed renew first, so the lifetimes it stores match); the seed script does
# all of its work again. The floor: a static program that starts and exits; the I/O
# floor: the same, with the reads, the rules dump and the journal line hookctl does.
SIDES_renew=(hk disk sh noop io)
setup_renew_hk() { untimed "RENEW_$HK_CUR" "$HK" dhcpcd; }
ev_renew_hk() { timed "$1" "RENEW_$HK_CUR" "$HK" dhcpcd; }
check_renew_hk() { journal_expect "$1" "RENEW6 applied 0"; }
setup_renew_disk() { setup_renew_hk; }
ev_renew_disk() { timed "$1" "RENEW_$HK_CUR" "$HK_DISK" dhcpcd; }
check_renew_disk() { check_renew_hk "$@"; }
ev_renew_sh() { timed "$1" "RENEW_$SH_CUR" /bin/sh "$WORK/seed/90-shell"; HUPS_SH=$((HUPS_SH + 1)); }
ev_renew_noop() { timed "$1" NO_ENV "$FLOOR" noop; }
ev_renew_io() { timed "$1" NO_ENV "$FLOOR" io "$CONFIG" "$FLOOR_STATE" noop; }

# Group ra: ROUTERADVERT, the hook alone: nothing to do on either side.
SIDES_ra=(hk disk sh noop io)
setup_ra_hk() { untimed RA "$HK" dhcpcd; }
ev_ra_hk() { timed "$1" RA "$HK" dhcpcd; }
check_ra_hk() { journal_expect "$1" "ROUTERADVERT applied 0"; }
setup_ra_disk() { setup_ra_hk; }
ev_ra_disk() { timed "$1" RA "$HK_DISK" dhcpcd; }
check_ra_disk() { check_ra_hk "$@"; }
ev_ra_sh() { timed "$1" RA /bin/sh "$WORK/seed/90-shell"; }
ev_ra_noop() { timed "$1" NO_ENV "$FLOOR" noop; }
ev_ra_io() { timed "$1" NO_ENV "$FLOOR" io "$CONFIG" "$FLOOR_STATE" noop; }

# Groups *_rh: the same dhcpcd events as dhcpcd starts its default script,
# dhcpcd-run-hooks, with the stock hooks and 90-hookctl (hk), 90-shell (sh) or no
# extra hook (runner: the fixed cost); and hookctl as dhcpcd's `script` (script).
SIDES_prefix_rh=(hk sh runner script)
setup_prefix_rh_hk() { dhcpcd_hooks hk; }
ev_prefix_rh_hk() {
    local next
    next=$(other "$HK_CUR")
    timed "$1" "REBIND_$next" $RUN_HOOKS
    HK_CUR=$next HUPS_HK=$((HUPS_HK + 1))
}
check_prefix_rh_hk() { check_prefix_hk "$1"; }
setup_prefix_rh_sh() { dhcpcd_hooks sh; }
ev_prefix_rh_sh() {
    local next
    next=$(other $SH_CUR)
    timed "$1" "REBIND_$next" $RUN_HOOKS
    SH_CUR=$next HUPS_SH=$((HUPS_SH + 1))
}
setup_prefix_rh_runner() { dhcpcd_hooks none; }
ev_prefix_rh_runner() {
    local next
    next=$(other $ST_CUR)
    timed "$1" "REBIND_$next" $RUN_HOOKS
    ST_CUR=$next
}
ev_prefix_rh_script() {    # dhcpcd execs its script with argv = { script } and its environment
    local next
    next=$(other "$HK_CUR")
    timed "$1" "REBIND_$next" "$HK"
    HK_CUR=$next HUPS_HK=$((HUPS_HK + 1))
}
check_prefix_rh_script() { check_prefix_hk "$1"; }

SIDES_renew_rh=(hk sh runner script)
setup_renew_rh_hk() { dhcpcd_hooks hk; setup_renew_hk; }
ev_renew_rh_hk() { timed "$1" "RENEW_$HK_CUR" $RUN_HOOKS; }
check_renew_rh_hk() { check_renew_hk "$1"; }
setup_renew_rh_sh() { dhcpcd_hooks sh; }
ev_renew_rh_sh() { timed "$1" "RENEW_$SH_CUR" $RUN_HOOKS; HUPS_SH=$((HUPS_SH + 1)); }
setup_renew_rh_runner() { dhcpcd_hooks none; }
ev_renew_rh_runner() { timed "$1" "RENEW_$ST_CUR" $RUN_HOOKS; }
setup_renew_rh_script() { setup_renew_hk; }
ev_renew_rh_script() { timed "$1" "RENEW_$HK_CUR" "$HK"; }
check_renew_rh_script() { check_renew_hk "$1"; }

SIDES_ra_rh=(hk sh runner script)
setup_ra_rh_hk() { dhcpcd_hooks hk; setup_ra_hk; }
ev_ra_rh_hk() { timed "$1" RA $RUN_HOOKS; }
check_ra_rh_hk() { check_ra_hk "$1"; }
setup_ra_rh_sh() { dhcpcd_hooks sh; }
ev_ra_rh_sh() { timed "$1" RA $RUN_HOOKS; }
setup_ra_rh_runner() { dhcpcd_hooks none; }
ev_ra_rh_runner() { timed "$1" RA $RUN_HOOKS; }
setup_ra_rh_script() { setup_ra_hk; }
ev_ra_rh_script() { timed "$1" RA "$HK"; }
check_ra_rh_script() { check_ra_hk "$1"; }

# batch GROUP SIDE OUT EVENTS
batch() {
    local g=$1 s=$2 out=$3 k=$4 i umask0
    : >"$ERRLOG"
    umask0=$(umask)
    # pppd runs its scripts with umask 077 (docs/daemons.md)
    case $g in reconnect | ipv6up | ipup) umask 077 ;; esac
    if declare -F "setup_${g}_$s" >/dev/null; then "setup_${g}_$s"; fi
    for ((i = 0; i < k; i++)); do "ev_${g}_$s" "$out"; done
    umask "$umask0"
    if declare -F "check_${g}_$s" >/dev/null; then "check_${g}_$s" "$k"; fi
    [ ! -s "$ERRLOG" ] || die "$g/$s wrote to stderr: $(head -5 "$ERRLOG")"
}

# ---- start: radvd per side, the first events untimed ---------------------------------
sysctl -qw net.ipv6.conf.all.forwarding=1
for _ in $(seq 100); do    # radvd wants the LAN links' link-local addresses past DAD
    [ -z "$(ip -6 addr show tentative)" ] && break
    sleep 0.05
done
untimed "REBIND_a" "$HK" dhcpcd
env -i "${REBIND_a[@]}" /bin/sh "$WORK/seed/90-shell" >/dev/null 2>&1 || true
"$FLOOR" prefix 2001:db8:b00:: 2001:db8:a00:: 10201 "$WORK/floor/radvd.conf" "$WORK/floor/radvd.pid" || true
: >"$ERRLOG"    # the first runs had no radvd to signal yet
for side in hk sh floor; do
    radvd -n -C "$WORK/$side/radvd.conf" -p "$WORK/$side/radvd.pid" -m logfile -l "$WORK/$side/radvd.log" &
    RADVD_PIDS+=($!)
done
for _ in $(seq 100); do
    [ -s "$WORK/hk/radvd.pid" ] && [ -s "$WORK/sh/radvd.pid" ] && [ -s "$WORK/floor/radvd.pid" ] && break
    sleep 0.05
done
for side in hk sh floor; do
    [ -s "$WORK/$side/radvd.pid" ] || die "radvd ($side) did not start: $(cat "$WORK/$side/radvd.log")"
done
rereads() { grep -c "attempting to reread config file" "$WORK/$1/radvd.log" || true; }
untimed PPPD_ENV "$WORK/direct/ip-up" "${PPP4_ARGS[@]}"
untimed RP4_ENV "$WORK/seed/ip-up" "${PPP4_ARGS[@]}"
"$FLOOR" rules add
# The I/O floor's state directory: hookctl's layout, its state.json as the start.
mkdir -p "$FLOOR_STATE/journal"
chmod 0700 "$FLOOR_STATE" "$FLOOR_STATE/journal"
cp "$STATE/state.json" "$FLOOR_STATE/state.json"

# ---- the rounds ------------------------------------------------------------------------
T_START=$EPOCHREALTIME
for ((r = 0; r <= ROUNDS; r++)); do
    # round 0: a short warm-up, not counted
    if [ $r = 0 ]; then k=3; else k=$N; fi
    for g in "${BENCH_GROUPS[@]}"; do
        declare -n sides="SIDES_$g"
        n=${#sides[@]}
        for ((j = 0; j < n; j++)); do
            s=${sides[$(((j + r) % n))]}
            if [ $r = 0 ]; then out=/dev/null; else out=$WORK/t/$g.$s.$r; fi
            batch "$g" "$s" "$out" "$k"
        done
        unset -n sides
    done
done
T_END=$EPOCHREALTIME

# ---- end state ------------------------------------------------------------------------
[ "$(cat $SYS/use_tempaddr $SYS/forwarding $SYS/autoconf $SYS/accept_ra | tr '\n' ' ')" = "1 0 1 1 " ] ||
    die "ppp0 sysctls are not use_tempaddr=1 forwarding=0 autoconf=1 accept_ra=1"
[ "$(ip -4 rule show | grep -c 'proto 211')" = 2 ] || die "expected hookctl's 2 IPv4 rules"
[ "$(ip -4 rule show | grep -c '^10100:')" = 2 ] || die "expected the shell's 2 IPv4 rules"
# v6_rule_is SELECT MATCH: exactly one IPv6 rule matches SELECT, and it matches MATCH
v6_rule_is() {
    local got
    got=$(ip -6 rule show | grep -e "$1" || true)
    [ "$(grep -c . <<<"$got")" = 1 ] && grep -q -e "$2" <<<"$got"
}
v6_rule_is 'proto 211' "^10000:.*from 2001:db8:${HK_CUR}00::/64 lookup 199 proto 211" ||
    die "hookctl's IPv6 rules are not the one for 2001:db8:${HK_CUR}00::/64: $(ip -6 rule show)"
v6_rule_is '^10101:' "^10101:.*from 2001:db8:${SH_CUR}00::/64 lookup 199" ||
    die "the shell's IPv6 rules are not the one for 2001:db8:${SH_CUR}00::/64: $(ip -6 rule show)"
v6_rule_is '^10201:' "^10201:.*from 2001:db8:${FL_CUR}00::/64 lookup 199" ||
    die "the floor's IPv6 rules are not the one for 2001:db8:${FL_CUR}00::/64: $(ip -6 rule show)"
grep -q "prefix 2001:db8:${HK_CUR}00::/64 {" "$WORK/hk/radvd.conf" || die "hookctl's radvd.conf lacks prefix ${HK_CUR}"
grep -q "prefix 2001:db8:${SH_CUR}00::/64 {" "$WORK/sh/radvd.conf" || die "the shell's radvd.conf lacks prefix ${SH_CUR}"
for i in 0 1 2; do kill -0 "${RADVD_PIDS[$i]}" 2>/dev/null || die "a radvd died"; done
[ "$(cat /proc/sys/kernel/hostname)" = "$HOSTNAME0" ] || echo "note: the stock hooks set the hostname (inside the UTS namespace only)"
sleep 0.5   # radvd logs its last rereads

# ---- outside the timing: children, syscalls, peak RSS, size ------------------------------
STRACE=/usr/bin/strace
# prep_for EVENT: the untimed step that makes EVENT do its work; run_cmd EVENT: the
# array of the event's command (env -i ... PROGRAM ARGS) for strace and time.
prep_for() {
    case $1 in
        ipv6-up) untimed PPPD_ENV "$WORK/direct/ipv6-down" "${PPP6_ARGS[@]}"; sysctls_fresh ;;
        ip-up) untimed PPPD_ENV "$WORK/direct/ip-down" "${PPP4_ARGS[@]}" ;;
        rebind6) ;;
        renew6) untimed "RENEW_$HK_CUR" "$HK" dhcpcd ;;
        ra) untimed RA "$HK" dhcpcd ;;
        ipv6-up-again) ;;
    esac
}
# with_event EVENT TOOL...: runs TOOL... hookctl-command for EVENT under its environment.
with_event() {
    local e=$1 next
    shift
    case $e in
        ipv6-up | ipv6-up-again) env -i "${RP6_ENV[@]}" "$@" "$WORK/ppp/ipv6-up.d/50-hookctl" "${PPP6_ARGS[@]}" ;;
        ip-up) env -i "${RP4_ENV[@]}" "$@" "$WORK/ppp/ip-up.d/50-hookctl" "${PPP4_ARGS[@]}" ;;
        rebind6)
            next=$(other "$HK_CUR")
            local -n env_=REBIND_$next
            env -i "${env_[@]}" "$@" "$HK" dhcpcd
            HK_CUR=$next HUPS_HK=$((HUPS_HK + 1)) ;;
        renew6)
            local -n env_=RENEW_$HK_CUR
            env -i "${env_[@]}" "$@" "$HK" dhcpcd ;;
        ra) env -i "${RA[@]}" "$@" "$HK" dhcpcd ;;
    esac
}
pppd_d hk
EVENTS=(ipv6-up ip-up rebind6 renew6 ra)
declare -A CHILDREN RSS
for e in "${EVENTS[@]}"; do
    prep_for "$e"
    with_event "$e" "$STRACE" -f -qq -e trace=clone,clone3,fork,vfork,execve -o "$WORK/strace.$e" </dev/null >/dev/null 2>&1
    CHILDREN[$e]="$(grep -cE '(clone3?|v?fork)\(' "$WORK/strace.$e" || true) clone/fork, $(grep -c 'execve(' "$WORK/strace.$e" || true) execve"
    max=0
    for _ in 1 2 3; do
        prep_for "$e"
        with_event "$e" /usr/bin/time -f %M -o "$WORK/rss" </dev/null >/dev/null 2>&1
        v=$(tail -1 "$WORK/rss")
        [ "$v" -gt "$max" ] && max=$v
    done
    RSS[$e]=$max
done
env -i "${RADVD_C_ENV[@]}" /usr/bin/time -f %M -o "$WORK/rss" /usr/sbin/radvd -c -C "$WORK/hk/radvd.conf" >/dev/null 2>&1
RSS_RADVD_C=$(tail -1 "$WORK/rss")

# System calls of one run, hookctl against the I/O floor (strace -f -c, every call
# counted, failed ones too), so that "the same syscalls" is seen, not assumed.
calls_in() { awk '$NF == "total" { print $(NF - 2) + 0 }' "$1"; }
declare -A CALLS
for e in ipv6-up ip-up renew6 ra; do
    prep_for "$e"
    with_event "$e" "$STRACE" -f -c -o "$WORK/calls.hk" </dev/null >/dev/null 2>&1
    case $e in
        ipv6-up) sysctls_fresh; io_mode=(sysctls ppp0 1 0 1 1) ;;
        ip-up) "$FLOOR" rules del; io_mode=(rules add) ;;
        *) io_mode=(noop) ;;
    esac
    "$STRACE" -f -c -o "$WORK/calls.io" "$FLOOR" io "$CONFIG" "$FLOOR_STATE" "${io_mode[@]}" </dev/null >/dev/null 2>&1 ||
        die "floor io ${io_mode[*]} failed"
    CALLS[$e]="$(calls_in "$WORK/calls.hk") / $(calls_in "$WORK/calls.io")"
done

# Programs started per event on each install path (successful execve under strace -f,
# the runner and the hook included): where the runners' fixed cost comes from.
procs_of() {  # ENV-ARRAY PROGRAM ARGS...
    local -n env_=$1
    shift
    env -i "${env_[@]}" "$STRACE" -f -qq -e trace=execve -o "$WORK/strace.p" "$@" </dev/null >/dev/null 2>>"$ERRLOG" ||
        die "exit status $? from $* under strace"
    grep -c ' = 0$' "$WORK/strace.p" || true
}
reconnect_procs() {  # wrap|direct: the four scripts of a reconnect, summed
    local s p n=0
    sysctls_fresh
    for s in ip-down ipv6-down ip-up ipv6-up; do
        if [ "$1" = direct ]; then p=$WORK/direct/$s; else p=/etc/ppp/$s; fi
        # shellcheck disable=SC2046
        n=$((n + $(procs_of PPPD_ENV "$p" $(ppp_args $s))))
    done
    echo $n
}
declare -A PROCS
pppd_d hk; PROCS[reconnect.hk]=$(reconnect_procs wrap)
pppd_d empty; PROCS[reconnect.direct]=$(reconnect_procs direct)
pppd_d sh; PROCS[reconnect.sh]=$(reconnect_procs wrap)
pppd_d empty; PROCS[reconnect.runner]=$(reconnect_procs wrap)
pppd_d hk
for side in hk sh runner; do
    dhcpcd_hooks "$side"
    if [ "$side" = sh ]; then cur=$SH_CUR; else cur=$HK_CUR; fi
    PROCS[renew.$side]=$(procs_of "RENEW_$cur" $RUN_HOOKS)
    [ "$side" != sh ] || HUPS_SH=$((HUPS_SH + 1))    # 90-shell reloads radvd on every RENEW6
    PROCS[ra.$side]=$(procs_of RA $RUN_HOOKS)
done
dhcpcd_hooks none
PROCS[renew.script]=$(procs_of "RENEW_$HK_CUR" "$HK")
PROCS[ra.script]=$(procs_of RA "$HK")

# Nothing to do: RENEW6 unchanged and ipv6-up again, every file syscall traced.
TRACE_SET=openat,open,read,pread64,readv,write,pwrite64,writev,rename,renameat,renameat2,unlink,unlinkat,fsync,fdatasync,clone,clone3,fork,vfork,execve
noop_report() {  # EVENT LABEL
    local e=$1 f=$WORK/strace.noop.$1 forks writes renames verdict=met
    if [ "$e" = renew6 ]; then prep_for renew6; else untimed RP6_ENV "$WORK/ppp/ipv6-up.d/50-hookctl" "${PPP6_ARGS[@]}"; fi
    with_event "$e" "$STRACE" -f -qq -y -e trace=$TRACE_SET -o "$f" </dev/null >/dev/null 2>&1
    forks=$(grep -cE '(clone3?|v?fork)\(' "$f" || true)
    renames=$(grep -E 'rename(at2?)?\(' "$f" | grep -v ' = -1 ' || true)
    writes=$(grep -oE '(write|pwrite64|writev)\([0-9]+<[^>]*>' "$f" | sed -E 's/^[a-z0-9]+\([0-9]+<//; s/>$//' | sort | uniq -c || true)
    echo "  $2:"
    echo "    fork/clone: $forks; rename: ${renames:-none}"
    echo "    writes by file: $(printf '%s' "${writes:-none}" | tr -s ' \n' ' ')"
    # opens and bytes read per file, against the file's size: more bytes than the
    # size, or two opens, is a second read of the same file
    awk '
        match($0, /open(at)?\([^"]*"[^"]*"/) { s = substr($0, RSTART, RLENGTH); sub(/^[^"]*"/, "", s); sub(/"$/, "", s)
                                              if ($0 !~ / = -1 /) opens[s]++ }
        match($0, /(p?read(64|v)?)\([0-9]+<[^>]*>/) { s = substr($0, RSTART, RLENGTH); sub(/^[^<]*</, "", s); sub(/>$/, "", s)
                                                     n = $NF; if (n + 0 > 0) bytes[s] += n; reads[s]++ }
        END { for (p in opens) printf "%s %d %d %d\n", p, opens[p], reads[p], bytes[p]
              for (p in reads) if (!(p in opens)) printf "%s 0 %d %d\n", p, reads[p], bytes[p] }' "$f" | sort >"$f.files"
    echo "    files (opens, read calls, bytes read, size):"
    while read -r path opens nreads bytes; do
        size=$(stat -c %s "$path" 2>/dev/null || echo 0)
        flag=
        if [ "$opens" -gt 1 ] || { [ "$size" -gt 0 ] && [ "$bytes" -gt "$size" ]; }; then flag="  <- read more than once"; verdict=MISSED; fi
        printf '      %-60s %d open, %d read, %d bytes, size %d%s\n' "$path" "$opens" "$nreads" "$bytes" "$size" "$flag"
    done <"$f.files"
    # the state is state.json; the journal records every event, this one included
    if [ "$forks" != 0 ] || grep -q 'state.json' <<<"$renames$writes"; then verdict=MISSED; fi
    echo "    no state.json write or rename, no fork, each file read once: $verdict"
    echo "    (journal writes, the event's own record: $(grep -c '/journal/' <<<"$writes" || true) files)"
}

# ---- report -------------------------------------------------------------------------------
# shellcheck disable=SC2119  # bench_median reads stdin here
med() { cat "$@" 2>/dev/null | bench_median; }                        # median of files, us
ms() { bench_ms "$1"; }
rfiles() { local r; for ((r = 1; r <= ROUNDS; r++)); do echo "$WORK/t/$1.$2.$r"; done; }
side_med() { local f; mapfile -t f < <(rfiles "$1" "$2"); med "${f[@]}"; }
# ratio GROUP NUM-SIDE DEN-SIDE: median over rounds of (NUM batch median / DEN batch median),
# and the range of those per-round ratios
ratio() {
    local r
    for ((r = 1; r <= ROUNDS; r++)); do
        awk -v a="$(med "$WORK/t/$1.$2.$r")" -v b="$(med "$WORK/t/$1.$3.$r")" 'BEGIN { printf "%.4f\n", a / b }'
    done | sort -n | awk '{ v[NR] = $1 } END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                                            printf "%.2f %.2f %.2f\n", m, v[1], v[NR] }'
}
mark() { awk -v v="$1" -v lim="$2" -v op="$3" 'BEGIN { ok = (op == "le") ? (v <= lim) : (v >= lim); print ok ? "met" : "MISSED" }'; }
sub_ms() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a - b) / 1000 }'; }

STAT1=$(head -1 /proc/stat)
busy() {  # percentage of all CPUs busy between two /proc/stat cpu lines
    awk -v a="$1" -v b="$2" 'BEGIN { n = split(a, x, " "); split(b, y, " "); t = 0
        for (i = 2; i <= n; i++) t += y[i] - x[i]
        idle = (y[5] - x[5]) + (y[6] - x[6]); printf "%.0f", 100 * (t - idle) / t }'
}
times >"$WORK/times"    # in this shell: its second line is the reaped children's user and system time
read -r cu cs < <(sed -n 2p "$WORK/times")
bench_cpu=$(awk -v u="$cu" -v s="$cs" -v w="$(awk -v a="$T_START" -v b="$T_END" 'BEGIN { print b - a }')" -v n="$(nproc)" '
    function sec(x) { split(x, p, "m"); sub(/s$/, "", p[2]); return p[1] * 60 + p[2] }
    BEGIN { printf "%.0f", 100 * (sec(u) + sec(s)) / (w * n) }')
buildtype=$(jq -r '.[] | select(.name == "buildtype") | .value' "$BUILD/meson-info/intro-buildoptions.json" 2>/dev/null || echo "?")

echo
echo "hook_bench: $ROUNDS rounds x $N events per batch per side, medians in ms per event"
echo "  binary: $("$HK" --version 2>/dev/null | head -1) ($HK_BUILT installed as $HK, buildtype $buildtype, commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo ?)$(git -C "$ROOT" diff --quiet 2>/dev/null || echo ' +local changes'))"
echo "  $(uname -r), $(nproc) CPUs, load $LOAD0 before, $(cut -d' ' -f1-3 /proc/loadavg) after;" \
     "CPUs busy $(busy "$STAT0" "$STAT1")% during the run (this benchmark's own processes: ~${bench_cpu}%);" \
     "scheduling $(chrt -p $$ | sed -n 's/.*scheduling policy: //p'); $(awk -v a="$T_START" -v b="$T_END" 'BEGIN { printf "%.0f", b - a }') s"
echo "  stock dhcpcd hooks: $STOCK_HOOKS"
echo

# The issue's table, plus the fixed cost of the runner on the wrapper paths.
printf '%-4s %-68s | %10s | %10s | %-22s | %10s\n' "row" "event, started as" "hookctl" "shell" "shell/hookctl (range)" "runner"
printf '%-4s %-68s | %10s | %10s | %-22s | %10s\n' "---" "---" "---" "---" "---" "---"
ALL_RATIOS_MET=met
row() {  # NO LABEL GROUP HK-SIDE SH-SIDE [RUNNER-SIDE]
    local h s w=- m rm rlo rhi
    h=$(side_med "$3" "$4")
    s=$(side_med "$3" "$5")
    read -r rm rlo rhi <<<"$(ratio "$3" "$5" "$4")"
    [ -z "${6:-}" ] || w=$(ms "$(side_med "$3" "$6")")
    m=$(mark "$rm" 2 ge)
    [ "$m" = met ] || ALL_RATIOS_MET=MISSED
    printf '%-4s %-68s | %10s | %10s | %-22s | %10s\n' "$1" "$2" "$(ms "$h")" "$(ms "$s")" \
        "${rm}x ($rlo-$rhi) $( [ "$m" = met ] && echo ok || echo '<2x')" "$w"
}
row 1 "pppd reconnect (4 scripts) via Debian's wrappers + run-parts" reconnect hk_wrap sh_wrap wrapper
row 2 "pppd reconnect, hookctl as ip-up-script etc. vs shell via wrappers" reconnect hk_direct sh_wrap wrapper
row 3 "ipv6-up hook alone (4 sysctls)" ipv6up hk sh
row 4 "ip-up hook alone (2 rules)" ipup hk sh
row 5 "dhcpcd REBIND6 new prefix, hook alone (hookctl incl. radvd -c)" prefix hk sh
row 6 "  same via dhcpcd-run-hooks (90-hookctl vs 90-shell)" prefix_rh hk sh runner
row 7 "dhcpcd RENEW6 unchanged, hook alone" renew hk sh
row 8 "  same via dhcpcd-run-hooks" renew_rh hk sh runner
row 9 "ROUTERADVERT via dhcpcd-run-hooks" ra_rh hk sh runner
row 9a "ROUTERADVERT, hook alone" ra hk sh
row 10a "hookctl as dhcpcd's script vs shell via run-hooks: prefix change" prefix_rh script sh runner
row 10b "  the same: RENEW6 unchanged" renew_rh script sh runner
row 10c "  the same: ROUTERADVERT" ra_rh script sh runner
echo "runner: the daemon's hook runner with no hook of ours (wrappers + run-parts on empty .d"
echo "directories; dhcpcd-run-hooks with the stock hooks only). With runner W, shell hook S and"
echo "hookctl H (each measured alone), (W+S)/(W+H) < 2 whenever S < W + 2H:"
for g in reconnect prefix_rh renew_rh ra_rh; do
    if [ $g = reconnect ]; then
        w=$(side_med reconnect wrapper) s=$(side_med reconnect sh_wrap)
    else
        w=$(side_med $g runner) s=$(side_med $g sh)
    fi
    printf '  %-10s W %s ms, shell total %s ms: even a hook that cost nothing would be %.2fx\n' \
        "$g" "$(ms "$w")" "$(ms "$s")" "$(awk -v a="$s" -v b="$w" 'BEGIN { print a / b }')"
done
echo

# Targets: hook alone against the issue's limits and the floors.
VAL=$(side_med prefix validator)
echo "targets (hook alone). floor: bench/floor.c, static C making the same changes with the fewest"
echo "system calls; I/O floor: the same program making them inside the file and socket calls"
echo "hookctl makes (floor io: config, lock, state, rules dump, journal, state write, syslog):"
printf '  %-40s | %8s | %8s | %-6s | %8s | %9s | %s\n' "event" "hookctl" "target" "" "floor" "I/O floor" \
    "hk - I/O floor <= 0.3"
target() {  # LABEL HK-US LIMIT-MS FLOOR-US [IO-FLOOR-US]
    local d=- io=-
    if [ -n "${5:-}" ]; then io=$(ms "$5"); d=$(sub_ms "$2" "$5"); d="$d $(mark "$d" 0.3 le)"; fi
    printf '  %-40s | %8s | %8s | %-6s | %8s | %9s | %s\n' "$1" "$(ms "$2")" "<= $3" "$(mark "$(ms "$2")" "$3" le)" \
        "$(ms "$4")" "$io" "$d"
}
target "ipv6-up (4 sysctls)" "$(side_med ipv6up hk)" 1.0 "$(side_med ipv6up floor)" "$(side_med ipv6up io)"
target "ipv6-up, binary read back from disk" "$(side_med ipv6up disk)" 1.0 "$(side_med ipv6up floor)" "$(side_med ipv6up io)"
target "ip-up (2 rules)" "$(side_med ipup hk)" 1.2 "$(side_med ipup floor)" "$(side_med ipup io)"
target "ip-up, binary read back from disk" "$(side_med ipup disk)" 1.2 "$(side_med ipup floor)" "$(side_med ipup io)"
target "RENEW6 unchanged" "$(side_med renew hk)" 1.0 "$(side_med renew noop)" "$(side_med renew io)"
target "RENEW6, binary read back from disk" "$(side_med renew disk)" 1.0 "$(side_med renew noop)" "$(side_med renew io)"
target "ROUTERADVERT" "$(side_med ra hk)" 1.0 "$(side_med ra noop)" "$(side_med ra io)"
target "ROUTERADVERT, binary read back from disk" "$(side_med ra disk)" 1.0 "$(side_med ra noop)" "$(side_med ra io)"
target "prefix change, minus radvd -c" "$(awk -v a="$(side_med prefix hk)" -v b="$VAL" 'BEGIN { print a - b }')" 2.0 \
    "$(side_med prefix floor)"
echo "  radvd -c -C on hookctl's radvd.conf, alone: $(ms "$VAL") ms (hookctl runs it on every change;" \
     "the prefix row above includes it)"
echo "  the floor for RENEW6 and ROUTERADVERT starts and exits only (floor noop); for the prefix"
echo "  change it swaps the rule, writes radvd.conf (temp + rename) and signals radvd, without validating"
echo "  (no I/O floor there: hookctl also checks radvd.conf's directory and owner, fsyncs, runs radvd -c)"
echo "  hk - floor (fewest calls), ms: ipv6-up $(sub_ms "$(side_med ipv6up hk)" "$(side_med ipv6up floor)")," \
     "ip-up $(sub_ms "$(side_med ipup hk)" "$(side_med ipup floor)")," \
     "RENEW6 $(sub_ms "$(side_med renew hk)" "$(side_med renew noop)")," \
     "ROUTERADVERT $(sub_ms "$(side_med ra hk)" "$(side_med ra noop)")," \
     "prefix change minus radvd -c $(awk -v a="$(side_med prefix hk)" -v b="$VAL" -v f="$(side_med prefix floor)" 'BEGIN { printf "%.3f", (a - b - f) / 1000 }')"
echo "  system calls of one run, hookctl / I/O floor (strace -f -c): ipv6-up ${CALLS[ipv6-up]}," \
     "ip-up ${CALLS[ip-up]}, RENEW6 ${CALLS[renew6]}, ROUTERADVERT ${CALLS[ra]}"
echo "  every row >= 2x the shell: $ALL_RATIOS_MET"
echo

echo "child processes of one hookctl run (strace -f; the execve is hookctl's own):"
for e in "${EVENTS[@]}"; do printf '  %-10s %s\n' "$e" "${CHILDREN[$e]}"; done
echo "programs started per event, by install path (strace -f, successful execve, runner and hook included):"
printf '  %-34s | %8s | %8s | %8s | %8s\n' "event" "hookctl" "shell" "runner" "direct"
printf '  %-34s | %8s | %8s | %8s | %8s\n' "pppd reconnect via wrappers" "${PROCS[reconnect.hk]}" "${PROCS[reconnect.sh]}" \
    "${PROCS[reconnect.runner]}" "${PROCS[reconnect.direct]}"
printf '  %-34s | %8s | %8s | %8s | %8s\n' "RENEW6 via dhcpcd-run-hooks" "${PROCS[renew.hk]}" "${PROCS[renew.sh]}" \
    "${PROCS[renew.runner]}" "${PROCS[renew.script]}"
printf '  %-34s | %8s | %8s | %8s | %8s\n' "ROUTERADVERT via dhcpcd-run-hooks" "${PROCS[ra.hk]}" "${PROCS[ra.sh]}" \
    "${PROCS[ra.runner]}" "${PROCS[ra.script]}"
echo "  (direct: hookctl as pppd's ip-up-script etc. / as dhcpcd's script, no runner)"
echo "peak RSS of one hookctl run (GNU time %M, max of 3; target <= 4096 KB):"
for e in "${EVENTS[@]}"; do
    printf '  %-10s %6s KB %s\n' "$e" "${RSS[$e]}" "$(mark "${RSS[$e]}" 4096 le)"
done
echo "  (rebind6 counts its radvd -c child too, which alone peaks at $RSS_RADVD_C KB)"
strip -o "$WORK/hookctl.stripped" "$HK"
read -r text data bss _ < <(size "$HK" | tail -1)
echo "binary: $(stat -c %s "$HK") bytes as built ($(stat -c %s "$WORK/hookctl.stripped") stripped), text $text, data $data, bss $bss; $(file -b "$HK" | cut -d, -f1-5)"
echo
echo "a \"nothing to do\" event (strace -f -y, file and process syscalls):"
noop_report renew6 "RENEW6 unchanged (hookctl dhcpcd)"
noop_report ipv6-up-again "ipv6-up again (the 50-hookctl link)"
echo
echo "checks: every hookctl batch's journal entries had the expected actions done; end state:"
echo "  ppp0 sysctls 1 0 1 1, hookctl's 2 IPv4 rules and its IPv6 rule for the last prefix,"
echo "  the shell's the same, both radvd.conf files with the last prefix, all radvd running"
echo "radvd reloads logged (SIGHUPs sent): hookctl $(rereads hk) ($HUPS_HK), shell $(rereads sh) ($HUPS_SH)," \
     "floor $(rereads floor) ($HUPS_FLOOR); a SIGHUP that arrives while radvd still reloads is merged"
for _ in $(seq 50); do "$TIMER" "$WORK/true.t" /bin/true; done
echo "for scale, by the same clock: /bin/true (dynamically linked) $(ms "$(med "$WORK/true.t")") ms," \
     "floor noop (static) $(ms "$(side_med renew noop)") ms"

# Process start and exit alone: a copy of hookctl whose main is patched to exit_group(0)
# (so its ELF loading, glibc start-up, static constructors and exit run, none of its own
# work), the static floor's noop and a program without libc, alternating, ROUNDS x N.
start_exit_row() {
    local main_va seg off va fileoff r i
    main_va=$(nm "$HK" 2>/dev/null | awk '$2 == "T" && $3 == "main" { print $1 }')
    [ -n "$main_va" ] || { echo "start and exit alone: skipped (no symbol main in $HK)"; return; }
    # the file offset of main: its address in the executable LOAD segment that holds it
    while read -r off va size; do
        if [ $((0x$main_va)) -ge $((va)) ] && [ $((0x$main_va)) -lt $((va + size)) ]; then
            fileoff=$((0x$main_va - va + off))
        fi
    done < <(readelf -lW "$HK" | awk '$1 == "LOAD" && / R E / { print $2, $3, $5 }')
    [ -n "${fileoff:-}" ] || { echo "start and exit alone: skipped (main not in an executable segment)"; return; }
    install -m 0755 "$HK" "$WORK/bin/hookctl-exit-at-main"
    # xor %edi,%edi; mov $231,%eax; syscall
    printf '\061\377\270\347\000\000\000\017\005' |
        dd of="$WORK/bin/hookctl-exit-at-main" bs=1 seek="$fileoff" conv=notrunc status=none
    cc -O2 -static -nostdlib -o "$WORK/bin/bare_exit" "$ROOT/bench/bare_exit.c"
    for ((r = 0; r < ROUNDS; r++)); do
        for ((i = 0; i < N; i++)); do
            "$TIMER" "$WORK/se.hk" "$WORK/bin/hookctl-exit-at-main" || die "hookctl patched to exit at main failed"
            "$TIMER" "$WORK/se.floor" "$FLOOR" noop
            "$TIMER" "$WORK/se.bare" "$WORK/bin/bare_exit"
        done
    done
    echo "start and exit alone, alternating ($ROUNDS x $N): hookctl exiting at main $(ms "$(med "$WORK/se.hk")") ms," \
         "floor noop $(ms "$(med "$WORK/se.floor")") ms, no libc (bench/bare_exit.c) $(ms "$(med "$WORK/se.bare")") ms"
}
start_exit_row
