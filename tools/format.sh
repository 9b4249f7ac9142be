#!/bin/bash
# Applies .clang-format to every C++ file of the project; with --check, changes
# nothing and exits 1 listing the files that are not formatted.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v clang-format >/dev/null || { echo "SKIP: clang-format not found (Debian package clang-format)"; exit 77; }
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.hpp.in' | grep -v '\.in$')
if [ "${1:-}" = "--check" ]; then
    bad=()
    for f in "${files[@]}"; do
        clang-format --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
    done
    if [ ${#bad[@]} -gt 0 ]; then
        printf 'not formatted (run bash tools/format.sh): %s\n' "${bad[@]}"
        exit 1
    fi
    echo "format: ${#files[@]} files formatted"
    exit 0
fi
clang-format -i "${files[@]}"
