#!/usr/bin/env bash
# The README's test command: installs every dependency (apt), builds everything and runs all tests.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${COUNTERSCOPE_BUILD_DIR:-$root/build}"
export COUNTERSCOPE_BUILD_DIR="$build"

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build.sh"
export QT_QPA_PLATFORM=offscreen
cd "$build"
ctest --output-on-failure -j "${COUNTERSCOPE_TEST_JOBS:-2}" "$@"
