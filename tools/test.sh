#!/bin/bash
# The whole test suite: installs what is missing, builds, runs the unit, cli and
# netns suites, and ends with one line "N passed, N failed[, N skipped]".
# Counts: every Catch2 test case of the unit suite and every check of the script
# suites (each script ends with "# N passed, N failed"); a skipped script counts once.
set -uo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
meson test -C build --print-errorlogs --num-processes 2 "$@"
rc=$?
python3 - build/meson-logs/testlog.json <<'PY'
import json, re, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    t = json.loads(line)
    name, result, out = t["name"], t["result"], t.get("stdout", "") or ""
    if result == "SKIP":
        skipped += 1
        reason = [l for l in out.splitlines() if "SKIP" in l]
        print(f"skipped {name}: {reason[0] if reason else 'no reason given'}")
        continue
    # Catch2 2.x: "All tests passed (A assertions in N test cases)" or
    # "test cases: N | P passed | F failed"; the scripts end with "# N passed, N failed".
    m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
    counts = (int(m.group(1)), 0) if m else None
    if not counts:
        m = re.search(r"test cases:\s+\d+\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed", out)
        if m: counts = (int(m.group(1)), int(m.group(2)))
    if not counts:
        m = re.findall(r"(\d+) passed, (\d+) failed", out)
        if m: counts = (int(m[-1][0]), int(m[-1][1]))
    if not counts:
        counts = (1, 0) if result == "OK" else (0, 1)
    p, f = counts
    # A test that failed without saying so in its counts (a crash, a timeout) fails once.
    if result != "OK" and f == 0: f = 1
    passed += p; failed += f
line = f"{passed} passed, {failed} failed"
if skipped: line += f", {skipped} skipped"
print(line)
PY
exit $rc
