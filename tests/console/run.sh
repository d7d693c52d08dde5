#!/usr/bin/env bash
# The console's browser tests (tests/console): headless Debian Chromium driven by Selenium
# (.venv-console, made by scripts/setup) against a local 3-node cluster of the built sandboxd.
# Screenshots go to $CONSOLE_SCREENSHOTS (default artifacts/console-screenshots,
# git-ignored: the run's artifact).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONSOLE_SCREENSHOTS=${CONSOLE_SCREENSHOTS:-$PWD/artifacts/console-screenshots}
rm -rf "$CONSOLE_SCREENSHOTS"
mkdir -p "$CONSOLE_SCREENSHOTS"
SANDBOXD=${SANDBOXD:-.build/debug/sandboxd} timeout 600 .venv-console/bin/python -m pytest -q -p no:cacheprovider \
  --rootdir tests/console tests/console "$@"
echo "console screenshots: $CONSOLE_SCREENSHOTS"
