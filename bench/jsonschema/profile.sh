#!/usr/bin/env bash
# Where Swift's cycles go, per `isValid`, without timing: the machine is shared and exposes no
# hardware counters, so valgrind's simulators stand in for them. callgrind with its cache and
# branch simulators runs `jsonschema-bench --fixed N --verdict-only` at two lengths; the
# difference divided by the difference in calls removes start-up (deterministic in Swift). Per
# validation it prints: instructions, data reads and writes, first-level data misses (D1) and
# last-level misses (LL) of the simulated caches, mispredicted conditional and indirect branches
# (valgrind's simple predictor: a guide to where branches are unpredictable, not a CPU's exact
# count), the calls to the Swift runtime's reference counting (`swift_retain`/`release` and
# their `bridgeObject`/`unknownObject` forms; most return at once for a null, small-string or
# immortal value), the atomic read-modify-writes actually executed (lock-prefixed instructions,
# found with objdump; an atomic costs cycles far beyond its one instruction) and the calls to
# `swift_allocObject`.
# Usage: bench/jsonschema/profile.sh [CASE...]   (builds the release binary if needed; needs
# valgrind and python3). BENCH_BIN=path profiles that binary instead (a copy of an earlier
# build, to compare before and after). SWIFT_DETERMINISTIC_HASHING=1 makes dictionary layout repeatable.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${BENCH_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product jsonschema-bench >/tmp/jsonschema-bench-build.log 2>&1 \
    || { tail -20 /tmp/jsonschema-bench-build.log; exit 1; }
  bin=$(swift build -c release --show-bin-path)/jsonschema-bench
fi
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(small-3-field openai-get-weather mcp-create-issue large-order array-50-records oneof-action)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
run() {
  SWIFT_DETERMINISTIC_HASHING=1 valgrind --tool=callgrind --cache-sim=yes --branch-sim=yes --dump-instr=yes \
    --callgrind-out-file="$4" "$bin" --fixed "$1" --verdict-only --case "$2" --instance "$3" >/dev/null 2>&1
}
printf '%-18s %-8s %8s %7s %7s %7s %7s %7s %7s %7s %7s %7s\n' \
  case instance instr reads writes D1-miss LL-miss mis-c mis-i rc-calls atomic alloc
for name in "${cases[@]}"; do
  for kind in valid invalid; do
    run 500 "$name" "$kind" "$work/short"
    run 1500 "$name" "$kind" "$work/long"
    python3 bench/jsonschema/profile.py "$name" "$kind" 1000 "$work/short" "$work/long" "$work"
  done
done
