#!/usr/bin/env bash
# The console's browser tests (tests/console): headless Debian Chromium driven by Selenium
# (.venv-console, made by scripts/setup) against a local 3-node cluster of the built sandboxd.
# Screenshots go to $CONSOLE_SCREENSHOTS (default artifacts/console-screenshots,
# git-ignored: the run's artifact; CI keeps the whole artifacts/ folder).
# On a hang, the run is interrupted after $CONSOLE_TIMEOUT seconds (default 600) with SIGINT,
# which unwinds pytest's fixtures (the cluster and the browser are stopped by PID), and
# killed 30 s later if it still runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONSOLE_SCREENSHOTS=${CONSOLE_SCREENSHOTS:-$PWD/artifacts/console-screenshots}
# Only a folder of screenshots is emptied: never a path that holds anything else.
if [ -d "$CONSOLE_SCREENSHOTS" ]; then
  if find "$CONSOLE_SCREENSHOTS" -mindepth 1 ! -name '*.png' ! -name '*.html' | grep -q .; then
    echo "CONSOLE_SCREENSHOTS=$CONSOLE_SCREENSHOTS holds more than screenshots: not emptied" >&2
    exit 2
  fi
  find "$CONSOLE_SCREENSHOTS" -mindepth 1 -maxdepth 1 \( -name '*.png' -o -name '*.html' \) -delete
fi
mkdir -p "$CONSOLE_SCREENSHOTS"
SANDBOXD=${SANDBOXD:-.build/debug/sandboxd} timeout -s INT -k 30 "${CONSOLE_TIMEOUT:-600}" \
  .venv-console/bin/python -m pytest -q -p no:cacheprovider --rootdir tests/console tests/console "$@"
echo "console screenshots: $CONSOLE_SCREENSHOTS"
