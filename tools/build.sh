#!/bin/bash
# Configures (once) and builds hookctl in ./build.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/deps.sh
if [ -f build/build.ninja ]; then
    meson setup --reconfigure build >/dev/null
else
    meson setup build >/dev/null
fi
ninja -C build -j"$(nproc)" >/dev/null
