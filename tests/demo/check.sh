#!/usr/bin/env bash
# The main command in CI (scripts/test): scripts/demo as a user runs it, on a release build
# (DEMO_BUILD=debug reuses the debug build), on free ports, in a cluster state directory of its
# own; its narration checked step by step (demos/swift/check-narration), then the seed run again,
# which must change nothing. Every node is stopped at the end, also on failure.
# The release build is what keeps this step from passing on a debug build alone: optimized
# builds compile differently (cross-module optimization of SandboxCluster, specialization), and
# Swift 6.3.1's optimizer once crashed on code that built and tested fine in debug (5da5a14).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$(mktemp -d)
log="$root.log"
export CLUSTER_LOCAL_ROOT=$root
export SANDBOX_EXIT_WITH_PARENT=$$  # the nodes exit if this script dies
trap 'cluster/local down >/dev/null 2>&1 || true; rm -rf "$root" "$log"' EXIT
DEMO_BUILD=${DEMO_BUILD:-release} DEMO_BASE_PORT=auto scripts/demo --keep 2>&1 | tee "$log"
demos/swift/check-narration "$log"
echo "== cluster/seed again: idempotent"
cluster/seed | tee -a "$log"
grep -q '^seeded (0 changes)' "$log" || { echo "tests/demo/check.sh: the second seed changed something" >&2; exit 1; }
echo "ok: the demo's narration and the seed's idempotency"
