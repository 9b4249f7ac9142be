#!/bin/bash
# Shared helpers for the network-namespace tests (source it; bash only):
#
#   . "$(dirname "$0")/lib.sh"
#   netns_require_root                 # exit 77 "SKIP: ..." unless root and `ip netns` works
#   netns_setup hookctl-dhcpcd         # NS=hookctl-dhcpcd-$$ with lo up, WORK=temp dir,
#                                      # both removed by an EXIT trap (also on INT/TERM)
#   netns_veth wan0                    # veth wan0 (peer wan0-peer) in $NS, both up
#   HK=$(netns_find_hookctl)           # $HOOKCTL (meson sets it) or <repo>/build/cli/hookctl
#   expect NAME WANT CMD...            # CMD's stdout+stderr must equal WANT exactly
#   netns_done                         # prints "# N passed, M failed"; status 0 iff M = 0
#   read_env_file FILE                 # ENV_VARS=( "VAR=value" ... ) from a fixture .env
#
# Executed directly (`bash tests/netns/lib.sh`; meson does not list it as a test) it
# checks itself: setup,
# cleanup on exit, env-file decoding.

NETNS_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
NETNS_REPO_ROOT=$(cd "$NETNS_LIB_DIR/../.." && pwd)

netns_require_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "SKIP: needs root for network namespaces"
        exit 77
    fi
    if ! ip netns list >/dev/null 2>&1; then
        echo "SKIP: ip netns does not work here"
        exit 77
    fi
}

NS=
WORK=
netns_cleanup() {
    [ -n "$NS" ] && ip netns del "$NS" 2>/dev/null
    [ -n "$WORK" ] && rm -rf "$WORK"
    return 0
}

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
netns_done() {
    echo "# $passes passed, $failures failed"
    [ "$failures" = 0 ]
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
        netns_veth wan0
        echo "$NS $WORK"
    ) >"${TMPDIR:-/tmp}/hookctl-lib-$$.out" 2>&1
    read -r ns work <"${TMPDIR:-/tmp}/hookctl-lib-$$.out"
    rm -f "${TMPDIR:-/tmp}/hookctl-lib-$$.out"
    expect "setup named the namespace with the pid" 1 sh -c "echo '$ns' | grep -c '^hookctl-lib-[0-9][0-9]*$'"
    expect "namespace removed on exit" 0 sh -c "ip netns list | grep -c '^$ns\\b'"
    expect "temp dir removed on exit" gone sh -c "[ -e '$work' ] && echo there || echo gone"
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
