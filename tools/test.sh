#!/bin/bash
# The whole test suite: installs what is missing, builds, runs the unit, cli and
# netns suites, and ends with one line "N passed, N failed[, N skipped]".
# Counts: every Catch2 test case of the unit suite, plus every script test.
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
    if name.split(" / ")[-1] == "unit":
        # Catch2 2.x summary: "All tests passed (A assertions in N test cases)" or
        # "test cases: N | P passed | F failed"
        m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
        if m:
            passed += int(m.group(1)); continue
        m = re.search(r"test cases:\s+(\d+)\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed", out)
        if m:
            passed += int(m.group(2)); failed += int(m.group(3)); continue
    if result == "OK": passed += 1
    elif result == "SKIP":
        skipped += 1
        reason = [l for l in out.splitlines() if "SKIP" in l]
        print(f"skipped {name}: {reason[0] if reason else 'no reason given'}")
    else: failed += 1
line = f"{passed} passed, {failed} failed"
if skipped: line += f", {skipped} skipped"
print(line)
PY
exit $rc
