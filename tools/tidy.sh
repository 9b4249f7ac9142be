#!/bin/bash
# Runs clang-tidy (.clang-tidy: bugprone, performance, function size) over lib/ and
# cli/ with the build's compile_commands.json; exits 1 if it warns at all.
# Usage: bash tools/tidy.sh [BUILD_DIR]   (default: build)
set -uo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
[ -f "$build/compile_commands.json" ] || { echo "tidy: no $build/compile_commands.json (run tools/build.sh)"; exit 2; }
command -v run-clang-tidy >/dev/null || { echo "SKIP: run-clang-tidy not found (Debian package clang-tidy)"; exit 77; }
out=$(run-clang-tidy -quiet -p "$build" -j "$(nproc)" "$(pwd)/(lib|cli)/.*\.cpp$" 2>&1)
warnings=$(printf '%s\n' "$out" | sed 's/\x1b\[[0-9;]*m//g' | grep -E ': warning: ' | sort -u)
count=$(printf '%s' "$warnings" | grep -c . || true)
if [ "$count" -gt 0 ]; then
    printf '%s\n' "$warnings"
    echo "tidy: $count warnings"
    exit 1
fi
echo "tidy: clean ($(git ls-files 'lib/*.cpp' 'cli/*.cpp' | wc -l) files)"
