#!/usr/bin/env bash
# Configures and builds Counterscope in build/ (or $COUNTERSCOPE_BUILD_DIR). Extra arguments go to cmake.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${COUNTERSCOPE_BUILD_DIR:-$root/build}"
jobs="${COUNTERSCOPE_JOBS:-$(nproc)}"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo "$@"
cmake --build "$build" -j "$jobs"
