#!/bin/bash
# Configures (once) and builds hookctl, warnings shown and treated as errors.
#   bash tools/build.sh [DIR]              # DIR defaults to ./build
#   bash tools/build.sh --sanitize [DIR]   # clang, ASan + UBSan, libFuzzer targets; DIR defaults
#                                          # to ./build-asan
set -euo pipefail
cd "$(dirname "$0")/.."
options=(-Dwerror=true)
dir=build
if [ "${1:-}" = "--sanitize" ]; then
    shift
    dir=build-asan
    # b_lundef=false: the sanitizer runtimes resolve some symbols at load time.
    # clang: its libFuzzer builds the fuzz targets in the same pass.
    options+=(-Db_sanitize=address,undefined -Db_lundef=false -Dbuildtype=debug -Dfuzzers=true
              -Dstatic_binary=false -Db_ndebug=false)
    export CXX=clang++
fi
dir=${1:-$dir}
bash tools/deps.sh
if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "${options[@]}" >/dev/null
else
    meson setup "$dir" "${options[@]}" >/dev/null
fi
# Warnings stay visible: ninja prints the compiler's output for any step that has one.
ninja -C "$dir" -j"$(nproc)" | grep -v '^\[' || true
test "${PIPESTATUS[0]}" -eq 0
