#!/bin/bash
# Shared helpers for the CLI behaviour tests (source it; bash only). Each test script
# drives the real binary ($HOOKCTL, set by meson) with --simulate or --dry-run, a temp
# state dir and temp configs, so nothing needs root and nothing outside $WORK changes.
#
#   . "$(dirname "$0")/lib.sh"
#   hk ARGS...                        # run hookctl: $RC, $OUT (stdout), $ERR (stderr)
#   hk_env FIXTURE ARGS...            # same, under `env -i` + the fixture's variables
#   expect_rc N                       # the last run's exit status
#   expect_stdout_contains TEXT       # fixed-string matches on the last run's output
#   expect_stdout_not_contains TEXT
#   expect_stdout_equals TEXT
#   expect_stderr_contains TEXT
#   expect_stderr_equals TEXT
#   expect_file_absent PATH / expect_same A B
#   lab_config FILE                   # examples/lab.toml with its paths moved into $WORK,
#                                     # plus a [[dns]] zone and a [[file]]
#   read_env_file FILE                # ENV_VARS=( "VAR=value" ... ) from a fixture .env
#   in_netns CMD...                   # CMD in a private network namespace (unshare -n, or
#                                     # -rn without root); status 77 if neither works
#   finish                            # "# N checks, M failed"; exit 1 iff M > 0
#
# Executed directly (meson runs every tests/cli/*.sh) it checks its own helpers,
# including that a wrong expectation is reported as a failure.

set -u

CLI_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SOURCE_ROOT=${SOURCE_ROOT:-$(cd "$CLI_LIB_DIR/../.." && pwd)}
FIXTURES=$SOURCE_ROOT/tests/data/dhcpcd
if [ -z "${HOOKCTL:-}" ]; then
    for b in "$SOURCE_ROOT/build-tests/cli/hookctl" "$SOURCE_ROOT/build/cli/hookctl"; do
        [ -x "$b" ] && HOOKCTL=$b && break
    done
fi
[ -x "${HOOKCTL:-}" ] || { echo "hookctl binary not found: set HOOKCTL" >&2; exit 1; }

WORK=$(mktemp -d "${TMPDIR:-/tmp}/hookctl-cli.XXXXXX")
STATE=$WORK/state
CONFIG=$WORK/hookctl.toml
trap 'rm -rf "$WORK"' EXIT
# Safety net: a run that forgets --config/--state-dir (or cannot take options, like
# a pppd-style argv0 invocation) must never reach /etc/hookctl or /var/lib/hookctl.
export HOOKCTL_CONFIG=$CONFIG HOOKCTL_STATE_DIR=$STATE

CHECKS=0
FAILED=0
RC=0
OUT=
ERR=
LAST_CMD=

fail() {
    FAILED=$((FAILED + 1))
    echo "FAIL: $*" >&2
    echo "  command: $LAST_CMD" >&2
    echo "  rc=$RC" >&2
    printf '  stdout: %s\n' "$OUT" | head -40 >&2
    printf '  stderr: %s\n' "$ERR" | head -20 >&2
}

pass() { CHECKS=$((CHECKS + 1)); }

# hk ARGS...: runs hookctl with ARGS (no config/state added: say them explicitly).
hk() {
    LAST_CMD="hookctl $*"
    "$HOOKCTL" "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

# run_cmd CMD...: like hk for any command (a symlink to hookctl, env -i ...).
run_cmd() {
    LAST_CMD="$*"
    "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

# read_env_file FILE: the fixture format is VAR=value per line, `\\` and `\n`
# escapes, '#' comments. Read line by line (never sourced or eval'd): values hold
# spaces and would hold shell syntax.
read_env_file() {
    ENV_VARS=()
    local line value
    while IFS= read -r line || [ -n "$line" ]; do
        [ -z "$line" ] && continue
        [ "${line:0:1}" = "#" ] && continue
        value=${line#*=}
        [[ $value == *\\* ]] && decode_escapes "$value" && value=$REPLY
        ENV_VARS+=("${line%%=*}=$value")
    done <"$1"
}

# decode_escapes TEXT: REPLY = TEXT with `\\` and `\n` decoded left to right in one
# pass (so `a\\n` is `a\` then `n`, as hookctl's own reader has it).
decode_escapes() {
    local s=$1 out= i c
    for ((i = 0; i < ${#s}; i++)); do
        c=${s:i:1}
        if [ "$c" = '\' ] && [ "${s:i+1:1}" = n ]; then
            out+=$'\n'
            i=$((i + 1))
        elif [ "$c" = '\' ] && [ "${s:i+1:1}" = '\' ]; then
            out+='\'
            i=$((i + 1))
        else
            out+=$c
        fi
    done
    REPLY=$out
}

# hk_env FIXTURE ARGS...: hookctl ARGS under exactly the fixture's environment.
# FIXTURE is relative to tests/data/dhcpcd (".env" may be left out) or a path.
hk_env() {
    local f=$1
    shift
    [ -f "$f" ] || f=$FIXTURES/$f
    [ -f "$f" ] || f=$f.env
    read_env_file "$f"
    LAST_CMD="env -i <$(basename "$f")> hookctl $*"
    env -i HOOKCTL_CONFIG="$CONFIG" HOOKCTL_STATE_DIR="$STATE" "${ENV_VARS[@]}" "$HOOKCTL" "$@" >"$WORK/.out" 2>"$WORK/.err"
    RC=$?
    OUT=$(cat "$WORK/.out")
    ERR=$(cat "$WORK/.err")
}

expect_rc() {
    if [ "$RC" = "$1" ]; then pass; else fail "expected exit status $1, got $RC"; fi
}

expect_stdout_contains() {
    if grep -qF -- "$1" <<<"$OUT"; then pass; else fail "stdout lacks: $1"; fi
}

expect_stdout_not_contains() {
    if grep -qF -- "$1" <<<"$OUT"; then fail "stdout has: $1"; else pass; fi
}

expect_stdout_equals() {
    if [ "$OUT" = "$1" ]; then pass; else fail "stdout is not exactly: $1"; fi
}

expect_stderr_contains() {
    if grep -qF -- "$1" <<<"$ERR"; then pass; else fail "stderr lacks: $1"; fi
}

expect_stderr_equals() {
    if [ "$ERR" = "$1" ]; then pass; else fail "stderr is not exactly: $1"; fi
}

expect_stderr_empty() {
    if [ -z "$ERR" ]; then pass; else fail "stderr is not empty"; fi
}

expect_file_absent() {
    if [ -e "$1" ]; then fail "$1 exists"; else pass; fi
}

expect_same() {
    if [ "$1" = "$2" ]; then pass; else fail "${3:-values differ}: '$1' != '$2'"; fi
}

# A checksum of the state files (missing ones included), to prove a run wrote nothing.
state_sum() {
    local f
    for f in state.json; do
        if [ -f "$STATE/$f" ]; then sha256sum <"$STATE/$f"; else echo "$f absent"; fi
    done
}

# The journal through hookctl itself (its storage format is hookctl's business).
journal_json() { "$HOOKCTL" --state-dir "$STATE" --json events --limit 1000000; }
journal_count() { journal_json | python3 -c 'import json, sys; print(len(json.load(sys.stdin)))'; }
# journal_entry ID: writes entry ID to a file under $WORK and prints the file's path.
journal_entry() {
    journal_json | python3 -c '
import json, sys
for e in json.load(sys.stdin):
    if e["id"] == int(sys.argv[1]): json.dump(e, open(sys.argv[2], "w"))
' "$1" "$WORK/journal-$1.json"
    echo "$WORK/journal-$1.json"
}

# lab_config FILE: the lab example with radvd's file and pid file under $WORK, and a
# DNS zone and a forwarder file on the LAN prefix, so a bind plans all object kinds.
lab_config() {
    sed -e "s#/etc/radvd.conf#$WORK/radvd.conf#" -e "s#/run/radvd.pid#$WORK/radvd.pid#" \
        "$SOURCE_ROOT/examples/lab.toml" >"$1"
    cat >>"$1" <<EOF

[[dns]]
server = "2001:db8:53::1"
zone = "dyn.example.org"
records = [ { name = "router", aaaa = "lan.address" } ]

[[file]]
path = "$WORK/rdp-forward"
content = "TARGET=[{lan.prefix + ::8}]:3389\n"
restart = "rdp-forward.service"
EOF
}

# Runs with the real executor (no --simulate: pppd-style argv0 invocations cannot
# take options) must not touch the host's rules: a fresh network namespace has none.
in_netns() {
    local how=
    if [ "$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then how="-n"
    elif unshare -rn true 2>/dev/null; then how="-rn"
    else
        RC=77
        return 77
    fi
    run_cmd unshare $how "$@"
}

finish() {
    echo "# $(basename "$0"): $CHECKS passed, $FAILED failed"
    [ "$FAILED" = 0 ]
}

# Self-check when run directly.
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    run_cmd printf 'a b\n'
    expect_rc 0
    expect_stdout_equals "a b"
    expect_stderr_empty
    # A wrong expectation must count as a failure (and not abort the script).
    before=$FAILED
    expect_stdout_contains "not there" 2>/dev/null
    expect_same "$FAILED" "$((before + 1))" "a failed expectation was not counted"
    FAILED=$before
    # Env-file decoding: spaces, '=', escapes, comments; nothing is evaluated.
    printf '# comment\nA=x y\nB=a=b\nC=one\\ntwo\nD=back\\\\slash\nE=$(touch %s/pwned)\nF=a\\\\n\n\n' "$WORK" >"$WORK/t.env"
    read_env_file "$WORK/t.env"
    expect_same "${#ENV_VARS[@]}" 6 "variable count"
    expect_same "${ENV_VARS[5]}" 'F=a\n' "a\\\\n is a backslash and an n, not a backslash and a newline"
    expect_same "${ENV_VARS[0]}" "A=x y"
    expect_same "${ENV_VARS[1]}" "B=a=b"
    expect_same "${ENV_VARS[2]}" "C=one"$'\n'"two"
    expect_same "${ENV_VARS[3]}" 'D=back\slash'
    expect_file_absent "$WORK/pwned"
    run_cmd env -i "${ENV_VARS[@]}" printenv A
    expect_stdout_equals "x y"
    # The temp dir goes away with the script.
    expect_same "$(bash -c ". '$CLI_LIB_DIR/lib.sh'; echo \$WORK" 2>/dev/null | xargs -r ls -d 2>/dev/null)" "" \
        "WORK of a sourcing script left behind"
    finish
fi
