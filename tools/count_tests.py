#!/usr/bin/env python3
"""Counts the results of one or more test runs and prints one line,
"N passed, N failed[, N skipped]". Inputs are meson's testlog.json files (a
Catch2 executable counts its test cases, a script its checks from its last
"N passed, N failed" line, anything else once) and plain result files written by
tools/test.sh for runs outside meson ("NAME PASSED FAILED" per line). Tests of the
`harness` suite check the test helpers themselves: reported, not counted."""
import json
import re
import sys


def counts_of(result: str, out: str):
    m = re.search(r"All tests passed \(\d+ assertions? in (\d+) test cases?\)", out)
    if m:
        return int(m.group(1)), 0
    m = re.search(r"test cases:\s+\d+\s+\|\s+(\d+) passed\s+\|\s+(\d+) failed", out)
    if m:
        return int(m.group(1)), int(m.group(2))
    m = re.findall(r"(\d+) passed, (\d+) failed", out)
    if m:
        return int(m[-1][0]), int(m[-1][1])
    return (1, 0) if result == "OK" else (0, 1)


def main(paths):
    passed = failed = skipped = 0
    for path in paths:
        if path.endswith(".json"):
            for line in open(path):
                t = json.loads(line)
                name, result, out = t["name"], t["result"], t.get("stdout", "") or ""
                if result == "SKIP":
                    skipped += 1
                    reason = [l for l in out.splitlines() if "SKIP" in l]
                    print(f"skipped {name}: {reason[0] if reason else 'no reason given'}")
                    continue
                p, f = counts_of(result, out)
                # A test that failed without saying so in its counts (a crash, a timeout) fails once.
                if result != "OK" and f == 0:
                    f = 1
                if "/ harness/" in name or name.startswith("harness/"):
                    print(f"harness {name}: {'ok' if f == 0 else 'FAILED'} ({p} self-checks, not counted)")
                    failed += 1 if f else 0
                    continue
                passed += p
                failed += f
        else:
            for line in open(path):
                parts = line.split()
                if len(parts) == 3:
                    passed += int(parts[1])
                    failed += int(parts[2])
    line = f"{passed} passed, {failed} failed"
    if skipped:
        line += f", {skipped} skipped"
    print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
