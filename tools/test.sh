#!/bin/bash
# The whole test suite: installs what is missing (Debian 12), builds with warnings
# as errors, runs every suite, and ends with one line "N passed, N failed[, N skipped]".
#
#   1. build/       unit, cli, netns (root: real kernel and daemons), lint (layer
#                   includes, clang-format, clang-tidy), harness (the CLI test
#                   helpers checking themselves; reported, not counted)
#   2. non-root     unit and cli again as user nobody, when run as root: parsing,
#                   planning and every read-only command must work without root
#   3. build-asan/  clang: unit, cli and netns again under AddressSanitizer and UBSan,
#                   and each libFuzzer target for HOOKCTL_FUZZ_SECONDS (default 30);
#                   compiled in the background while step 1's tests run
#
# Counts: every Catch2 test case and every check of the script suites (each script
# ends with "# N passed, N failed"); a skipped script counts once as skipped.
# HOOKCTL_TEST_QUICK=1 runs step 1 only (for iterating; CI runs all three).
set -uo pipefail
cd "$(dirname "$0")/.."
extra=$(mktemp /tmp/hookctl-test-results.XXXXXX)
asan_log=$(mktemp /tmp/hookctl-asan-build.XXXXXX)
asan_pid=
trap 'rm -f "$extra" "$asan_log"; [ -z "$asan_pid" ] || kill "$asan_pid" 2>/dev/null' EXIT
fail_build() { echo "$1 failed"; echo "0 passed, 1 failed"; exit 1; }

bash tools/build.sh || fail_build "build"
# The sanitizer build compiles while step 1's tests run: the netns tests mostly wait
# on daemons and the kernel, so its CPU is spare there (the suite is written to pass
# on a loaded machine). Its output is shown when step 3 starts.
if [ "${HOOKCTL_TEST_QUICK:-0}" != 1 ]; then
    bash tools/build.sh --sanitize >"$asan_log" 2>&1 &
    asan_pid=$!
fi
meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
logs=(build/meson-logs/testlog.json)

if [ "${HOOKCTL_TEST_QUICK:-0}" != 1 ]; then
    if [ "$(id -u)" -eq 0 ]; then
        echo "== unit and cli suites as user nobody"
        as_nobody() {
            setpriv --reuid=65534 --regid=65534 --clear-groups \
                env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp TMPDIR=/tmp \
                HOOKCTL="$PWD/build/cli/hookctl" SOURCE_ROOT="$PWD" "$@"
        }
        out=$(as_nobody build/tests/unit_tests 2>&1)
        tail -1 <<<"$out"
        if grep -q "All tests passed" <<<"$out"; then
            echo "nonroot/unit $(sed -n 's/.*All tests passed ([0-9]* assertions\? in \([0-9]*\) test.*/\1/p' <<<"$out") 0" >>"$extra"
        else
            printf '%s\n' "$out" | tail -40
            echo "nonroot/unit 0 1" >>"$extra"
            rc=1
        fi
        for t in tests/cli/*.sh; do
            case $(basename "$t") in lib.sh | lib_selfcheck.sh) continue ;; esac
            out=$(as_nobody bash "$t" 2>&1)
            line=$(grep -E '^# .*: [0-9]+ passed, [0-9]+ failed' <<<"$out" | tail -1)
            p=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\1/p' <<<"$line")
            f=$(sed -n 's/.*: \([0-9]*\) passed, \([0-9]*\) failed/\2/p' <<<"$line")
            if [ -z "$p" ]; then p=0 f=1; fi
            echo "nonroot/$(basename "$t"): $p passed, $f failed"
            [ "$f" -eq 0 ] || { printf '%s\n' "$out" | tail -30; rc=1; }
            echo "nonroot/$(basename "$t") $p $f" >>"$extra"
        done
    else
        echo "skipped the non-root rerun: already not root"
    fi

    echo "== unit, cli and netns suites under ASan and UBSan (build-asan/)"
    wait "$asan_pid"
    asan_rc=$?
    asan_pid=
    tail -5 "$asan_log"
    if [ "$asan_rc" = 0 ]; then
        ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
            meson test -C build-asan --print-errorlogs --num-processes 2 --suite unit --suite cli --suite netns \
            --suite fuzz
        rc=$((rc | $?))
        logs+=(build-asan/meson-logs/testlog.json)
    else
        cat "$asan_log"
        echo "sanitizer build 0 1" >>"$extra"
        rc=1
    fi
fi
python3 tools/count_tests.py "${logs[@]}" "$extra"
exit $rc
