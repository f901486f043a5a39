#!/usr/bin/env bash
# The README's demo command: installs, builds, writes the synthetic LVIS world (once) and opens the
# application on it with the demo models. Without a display it renders the window offscreen to a
# screenshot and prints where it is.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
build="${COUNTERSCOPE_BUILD_DIR:-$root/build}"
export COUNTERSCOPE_BUILD_DIR="$build"
world="${COUNTERSCOPE_DEMO_WORLD:-$build/demo-world}"

bash "$root/packaging/install-deps.sh"
bash "$root/packaging/build.sh"

if [ ! -f "$world/annotations/val.json" ]; then
  echo "demo: writing the synthetic LVIS world to $world"
  "$build/bin/counterscope-cli" synth --out "$world"
fi

if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  shot="$build/demo-screenshot.png"
  QT_QPA_PLATFORM=offscreen "$build/bin/counterscope" --demo --world "$world" --screenshot "$shot"
  echo "demo: no display found; rendered the application offscreen to $shot"
  echo "demo: to open the window, run this script from a desktop session, or:"
  echo "        $build/bin/counterscope --demo --world $world"
  exit 0
fi
exec "$build/bin/counterscope" --demo --world "$world"
