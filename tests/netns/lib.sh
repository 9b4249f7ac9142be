#!/bin/bash
# Shared helpers for the network-namespace tests (source it; bash only):
#
#   . "$(dirname "$0")/lib.sh"
#   netns_require_root [REASON]        # exit 77 "SKIP: ..." unless root and `ip netns` works
#   netns_require_tools PKGS TOOL...   # exit 77 "SKIP: TOOL not installed (packages PKGS)"
#   netns_setup hookctl-dhcpcd         # NS=hookctl-dhcpcd-$$ with lo up, WORK=temp dir,
#                                      # both removed by an EXIT trap (also on INT/TERM)
#   netns_add NAME                     # one more namespace NAME (lo up), removed on exit too
#   netns_stop_on_exit VAR             # on exit, stop the process whose pid is in $VAR then
#   netns_stop_pid PID                 # SIGTERM (after SIGCONT), 5 s grace, SIGKILL; reaped
#                                      # (on exit, anything else still running in the
#                                      # namespaces is ended too: netns_kill_leftovers)
#   netns_veth wan0                    # veth wan0 (peer wan0-peer) in $NS, both up
#   netns_no_dad NS...                 # accept_dad=0 (all, default): link-locals usable at once
#   netns_wait_link_local NS DEV...    # up to 5 s until each (NS, DEV) has an fe80 address
#   HOOKCTL=$(netns_find_hookctl)      # $HOOKCTL (meson sets it) or <repo>/build/cli/hookctl
#   D=$(netns_find_driver netns_driver NETNS_DRIVER)
#                                      # $NETNS_DRIVER, else <build>/tests/netns_driver
#   hk ARGS...                         # $HOOKCTL in $NS, config $HK_CONFIG (default
#                                      # $WORK/hookctl.toml), state dir $WORK/state
#   hk_dhcpcd ENVFILE [OPTIONS...]     # `hk OPTIONS dhcpcd` in exactly the fixture's environment
#   expect NAME WANT CMD...            # CMD's stdout+stderr must equal WANT exactly
#   check NAME CONDITION               # CONDITION (eval'd) must hold; on failure calls
#                                      # check_detail if the script defines it
#   netns_done                         # prints "# N passed, M failed"; status 0 iff M = 0
#   read_env_file FILE                 # ENV_VARS=( "VAR=value" ... ) from a fixture .env
#
# Executed directly (`bash tests/netns/lib.sh`; meson does not list it as a test) it
# checks itself: setup, cleanup on exit (namespaces, temp dir, a registered process),
# check/expect, env-file decoding.

NETNS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_REPO_ROOT=$(cd "$NETNS_LIB_DIR/../.." && pwd)

# netns_require_root [REASON]: REASON defaults to "for network namespaces".
netns_require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root ${1:-for network namespaces}"
        exit 77
    fi
    if ! ip netns list >/dev/null 2>&1; then
        echo "SKIP: ip netns does not work here"
        exit 77
    fi
}

# netns_require_tools PACKAGES TOOL...: each TOOL (a name on PATH or an absolute
# path) must be executable, else skip naming the packages that bring them.
netns_require_tools() {
    local pkgs=$1 tool
    shift
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null; then
            echo "SKIP: $tool not installed (packages $pkgs)"
            exit 77
        fi
    done
}

NS=
WORK=
NETNS_EXTRA=()       # namespaces from netns_add
NETNS_STOP_VARS=()   # names of variables holding pids to stop on exit
# On exit: the registered processes (in registration order), then whatever still runs
# in the namespaces, then the namespaces, then the temp dir.
netns_cleanup() {
    local v ns
    for v in "${NETNS_STOP_VARS[@]}"; do netns_stop_pid "${!v:-}"; done
    for ns in "${NETNS_EXTRA[@]}" $NS; do
        netns_kill_leftovers "$ns"
        ip netns del "$ns" 2>/dev/null
    done
    [ -n "$WORK" ] && rm -rf "$WORK"
    return 0
}

# netns_kill_leftovers NS: processes still in the namespace (a daemon's helper
# processes after an interrupt, say) get SIGTERM, and SIGKILL after 2 s. Deleting a
# namespace does not end the processes in it.
netns_kill_leftovers() {
    local pids
    pids=$(ip netns pids "$1" 2>/dev/null)
    [ -n "$pids" ] || return 0
    # shellcheck disable=SC2086 # one pid a word
    kill $pids 2>/dev/null
    for _ in $(seq 20); do
        pids=$(ip netns pids "$1" 2>/dev/null)
        [ -n "$pids" ] || return 0
        sleep 0.1
    done
    # shellcheck disable=SC2086
    kill -9 $pids 2>/dev/null
    return 0
}

# netns_stop_pid PID: SIGCONT (it may be stopped), SIGTERM, up to 5 s to exit,
# then SIGKILL; reaped if it is our child. An empty PID or a gone process is fine.
netns_stop_pid() {
    local pid=$1
    [ -n "$pid" ] || return 0
    kill -CONT "$pid" 2>/dev/null
    kill "$pid" 2>/dev/null || return 0
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# netns_stop_on_exit VAR: stop the process whose pid $VAR holds when the script
# exits (read then, so a restarted daemon is the one stopped; empty = nothing).
netns_stop_on_exit() { NETNS_STOP_VARS+=("$1"); }

# netns_setup PREFIX: a fresh namespace PREFIX-$$ (lo up) and a temp dir, both
# removed when the script exits, however it exits.
netns_setup() {
    NS=$1-$$
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/$1.XXXXXX") || exit 1
    trap netns_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    if ! ip netns add "$NS"; then
        NS=
        echo "cannot create network namespace $1-$$" >&2
        exit 1
    fi
    ip -n "$NS" link set lo up || exit 1
}

# netns_add NAME: one more namespace (after netns_setup), lo up, removed on exit.
netns_add() {
    ip netns add "$1" || exit 1
    NETNS_EXTRA+=("$1")
    ip -n "$1" link set lo up || exit 1
}

# netns_no_dad NS...: no duplicate address detection, so addresses (and the
# link-locals) are usable at once.
netns_no_dad() {
    local ns
    for ns in "$@"; do
        ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0
    done
}

# netns_wait_link_local NS DEV [NS DEV ...]: polls up to 5 s until every DEV has
# its fe80:: address; status 1 if one has none by then.
netns_wait_link_local() {
    local i
    for _ in $(seq 50); do
        for ((i = 1; i < $#; i += 2)); do
            ip -n "${!i}" -6 addr show dev "${@:i+1:1}" scope link | grep -q 'inet6 fe80' || continue 2
        done
        return 0
    done
    return 1
}

# netns_veth NAME: a veth NAME with peer NAME-peer in $NS, both up.
netns_veth() {
    ip -n "$NS" link add "$1" type veth peer name "$1-peer" || exit 1
    ip -n "$NS" link set "$1" up || exit 1
    ip -n "$NS" link set "$1-peer" up || exit 1
}

# The binary under test: $HOOKCTL (set by meson), else the default build dir.
netns_find_hookctl() {
    local h=${HOOKCTL:-$NETNS_REPO_ROOT/build/cli/hookctl}
    if [ ! -x "$h" ]; then
        echo "hookctl not found at $h (set HOOKCTL)" >&2
        return 1
    fi
    echo "$h"
}

# netns_find_driver NAME VAR: the test driver NAME: $VAR if set, else next to the
# binary under test (<build>/cli/hookctl -> <build>/tests/NAME).
netns_find_driver() {
    local d=${!2:-}
    if [ -z "$d" ]; then
        d=$(dirname "${HOOKCTL:-$NETNS_REPO_ROOT/build/cli/hookctl}")/../tests/$1
    fi
    if [ ! -x "$d" ]; then
        echo "$1 not found at $d (set $2 or HOOKCTL)" >&2
        return 1
    fi
    echo "$d"
}

# hk ARGS...: the binary under test ($HOOKCTL) in $NS with the test's config
# ($HK_CONFIG, default $WORK/hookctl.toml) and state dir ($WORK/state).
hk() { ip netns exec "$NS" "$HOOKCTL" --config "${HK_CONFIG:-$WORK/hookctl.toml}" --state-dir "$WORK/state" "$@"; }
# hk_dhcpcd ENVFILE [OPTIONS...]: `hk OPTIONS... dhcpcd` as dhcpcd runs it: no
# arguments, and exactly the fixture's environment.
hk_dhcpcd() {
    local file=$1
    shift
    read_env_file "$file"
    ip netns exec "$NS" env -i "${ENV_VARS[@]}" \
        "$HOOKCTL" --config "${HK_CONFIG:-$WORK/hookctl.toml}" --state-dir "$WORK/state" "$@" dhcpcd
}

failures=0
passes=0
pass() { passes=$((passes + 1)); echo "ok - $1"; }
fail() { failures=$((failures + 1)); echo "FAIL - $1"; }
# expect NAME WANT CMD...: CMD's output (stdout and stderr) must equal WANT exactly.
expect() {
    local name=$1 want=$2
    shift 2
    local got
    got=$("$@" 2>&1)
    if [ "$got" = "$want" ]; then pass "$name"; else fail "$name: want [$want] got [$got]"; fi
}
# check NAME CONDITION: CONDITION, eval'd in the script's variables (no locals
# here to shadow them; $? is still the caller's), must succeed. On failure it
# calls check_detail when the script defines one (e.g. to show the last output).
check() {
    if eval "$2"; then pass "$1"; else
        fail "$1 ($2)"
        if declare -F check_detail >/dev/null; then check_detail; fi
    fi
}
netns_done() {
    echo "# $passes passed, $failures failed"
    [ "$failures" = 0 ]
}

# netns_named_write DIR PORT: the files of a named serving the primary zone
# dyn.example.org from DIR, on 127.0.0.1 and ::1 port PORT (zone transfers allowed
# from there, for dig AXFR), updates allowed to the TSIG key upd-key, made here into
# DIR/key.conf (also the key file hookctl is given).
netns_named_write() {
    local dir=$1 port=$2
    mkdir -p "$dir" || return 1
    /usr/sbin/tsig-keygen upd-key >"$dir/key.conf" || return 1
    cat >"$dir/named.conf" <<EOF
options {
    directory "$dir";
    pid-file "$dir/named.pid";
    listen-on port $port { 127.0.0.1; };
    listen-on-v6 port $port { ::1; };
    recursion no;
    dnssec-validation no;
    allow-transfer { 127.0.0.1; ::1; };
};
controls { };
include "$dir/key.conf";
zone "dyn.example.org" {
    type primary;
    file "$dir/dyn.example.org.zone";
    update-policy { grant upd-key zonesub ANY; };
};
EOF
    cat >"$dir/dyn.example.org.zone" <<'EOF'
$TTL 300
@   IN SOA ns.dyn.example.org. hostmaster.dyn.example.org. 1 3600 600 86400 60
@   IN NS  ns.dyn.example.org.
ns  IN A   127.0.0.1
EOF
}

# netns_named_start NS DIR PORT LOG: named in NS on netns_named_write's files in DIR,
# output appended to LOG, its pid in NAMED_PID; returns once it answers the zone's
# SOA and has taken an update, or prints LOG's end and returns 1 after 10 s. Updates
# are probed apart: restarted on a zone with a journal, named answered the SOA and
# logged "running", and yet answered hookctl's first update SERVFAIL now and then on
# a loaded machine (2 runs of dns.sh in 9, with three busy loops; nothing in its
# log). The probe adds a TXT record and deletes it in one update (the zone's serial
# moves on, its records stay), and is tried again until named takes it.
netns_named_start() {
    local ns=$1 dir=$2 port=$3 log=$4 i probe tried=()
    ip netns exec "$ns" /usr/sbin/named -g -c "$dir/named.conf" >>"$log" 2>&1 &
    NAMED_PID=$!
    for ((i = 0; i < 100; i++)); do
        if [ -n "$(ip netns exec "$ns" dig @::1 -p "$port" +time=1 +tries=1 +short dyn.example.org SOA)" ]; then
            if probe=$(printf 'server ::1 %s\nzone dyn.example.org\nupdate add hookctl-probe.dyn.example.org 1 TXT probe\nupdate delete hookctl-probe.dyn.example.org TXT\nsend\n' "$port" |
                ip netns exec "$ns" nsupdate -k "$dir/key.conf" -t 2 2>&1); then
                [ ${#tried[@]} = 0 ] || echo "# named took an update at probe $((${#tried[@]} + 1)); before: ${tried[*]}"
                return 0
            fi
            tried+=("${probe//$'\n'/ }")
        fi
        sleep 0.1
    done
    echo "named did not start (update probes: ${tried[*]:-none}):"
    tail -20 "$log"
    return 1
}

# DHCPv4 has no capture among the fixtures: netns_dhcp4_events DIR writes a minimal
# BOUND and RELEASE on wan0 as dhcpcd 9.4.1 passes them (the variables the parser
# reads, plus reason, interface and dhcpcd's PATH) to DIR/BOUND.env and DIR/RELEASE.env.
netns_dhcp4_events() {
    cat >"$1/BOUND.env" <<'EOF'
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
ifcarrier=up
interface=wan0
new_ip_address=192.0.2.100
new_routers=192.0.2.1
new_subnet_cidr=24
protocol=dhcp
reason=BOUND
EOF
    sed -e 's/^new_/old_/' -e 's/^reason=.*/reason=RELEASE/' "$1/BOUND.env" >"$1/RELEASE.env"
}

# read_env_file FILE: ENV_VARS=( "VAR=value" ... ), one element per line, for
# `env -i "${ENV_VARS[@]}" ...`. Values may contain spaces; the fixtures' only
# escapes are `\\` and `\n` (tests/data/dhcpcd/README.md), decoded here.
read_env_file() {
    local line out c i
    ENV_VARS=()
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        if [[ $line == *\\* ]]; then
            out=
            for ((i = 0; i < ${#line}; i++)); do
                c=${line:i:1}
                if [ "$c" = '\' ] && [ $((i + 1)) -lt ${#line} ]; then
                    i=$((i + 1))
                    case ${line:i:1} in
                        n) out+=$'\n' ;;
                        *) out+=${line:i:1} ;;
                    esac
                else
                    out+=$c
                fi
            done
            line=$out
        fi
        ENV_VARS+=("$line")
    done <"$1"
}

# ---- self-check when executed rather than sourced --------------------------------
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    set -u
    netns_require_root
    (
        netns_setup hookctl-lib
        netns_add "$NS-x"
        netns_no_dad "$NS" "$NS-x"
        netns_veth wan0
        ip -n "$NS" link add int0 type veth peer name lan0 netns "$NS-x" || exit 1
        ip -n "$NS" link set int0 up && ip -n "$NS-x" link set lan0 up || exit 1
        netns_wait_link_local "$NS" wan0 "$NS" int0 "$NS-x" lan0 && ll=yes || ll=no
        ip netns exec "$NS-x" sleep 300 &
        SLEEPER=$!
        netns_stop_on_exit SLEEPER
        netns_stop_on_exit UNSET_PID    # empty: nothing to stop
        ip netns exec "$NS" sleep 301 &   # not registered: still ended, being in $NS
        echo "$NS $WORK $NS-x $SLEEPER $ll $!"
    ) >"${TMPDIR:-/tmp}/hookctl-lib-$$.out" 2>&1
    read -r ns work nsx sleeper ll leftover <"${TMPDIR:-/tmp}/hookctl-lib-$$.out"
    rm -f "${TMPDIR:-/tmp}/hookctl-lib-$$.out"
    expect "setup named the namespace with the pid" 1 sh -c "echo '$ns' | grep -c '^hookctl-lib-[0-9][0-9]*$'"
    expect "link-locals came up without DAD" yes echo "$ll"
    expect "namespace removed on exit" 0 sh -c "ip netns list | grep -c '^$ns\\b'"
    expect "extra namespace removed on exit" 0 sh -c "ip netns list | grep -c '^$nsx\\b'"
    expect "registered process stopped on exit" gone sh -c "kill -0 '$sleeper' 2>/dev/null && echo running || echo gone"
    expect "unregistered process in the namespace ended on exit" gone sh -c "kill -0 '$leftover' 2>/dev/null && echo running || echo gone"
    expect "temp dir removed on exit" gone sh -c "[ -e '$work' ] && echo there || echo gone"
    expect "a missing tool skips" "SKIP: /nonexistent/tool not installed (packages pkg-x)
77" \
        sh -c "bash -c '. \"$NETNS_LIB_DIR/lib.sh\"; netns_require_tools pkg-x sh /nonexistent/tool; echo ran'; echo \$?"
    expect "driver from its variable" /bin/true sh -c "X_DRIVER=/bin/true bash -c '. \"$NETNS_LIB_DIR/lib.sh\"; netns_find_driver x X_DRIVER'"
    expect "driver next to HOOKCTL, or an error" "nope_driver not found at /nonexistent/cli/../tests/nope_driver (set NOPE or HOOKCTL)
1" \
        sh -c "HOOKCTL=/nonexistent/cli/hookctl bash -c '. \"$NETNS_LIB_DIR/lib.sh\"; netns_find_driver nope_driver NOPE'; echo \$?"
    rc=5
    (exit 3)
    check "check sees the caller's \$? and variables" '[ $? = 3 ] && [ $rc = 5 ]'
    failing_check() { check_detail() { echo "detail"; }; check "f" '[ 1 = 2 ]'; echo "$passes $failures"; }
    expect "check: a failure is counted and shows check_detail" "FAIL - f ([ 1 = 2 ])
detail
$passes $((failures + 1))" failing_check
    f=$(mktemp)
    printf 'A=two words\nB=back\\\\slash\nC=line\\nbreak\n\nD=\n' >"$f"
    read_env_file "$f"
    rm -f "$f"
    expect "env file: one element per variable" 4 echo "${#ENV_VARS[@]}"
    expect "env file: spaces kept" "A=two words" echo "${ENV_VARS[0]}"
    expect "env file: backslash escape decoded" 'B=back\slash' echo "${ENV_VARS[1]}"
    expect "env file: newline escape decoded" $'C=line\nbreak' echo "${ENV_VARS[2]}"
    expect "env file: empty value" "D=" echo "${ENV_VARS[3]}"
    netns_done
    exit
fi
