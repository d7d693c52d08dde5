#!/usr/bin/env bash
# Instructions per applied decide, counted with valgrind (callgrind, collecting only inside
# StateMachine.apply, RocksDB's writes included) rather than timed, so the figure does not move
# with the machine's load: (I(6,000) - I(2,000)) / 8,000, the difference between two runs of
# state-bench (each applies a warm-up of the same size, then the measured decides), which
# removes start-up and set-up. Valgrind 3.19 cannot read this binary's debug information, so a
# copy without it is counted (the symbol table stays). Under valgrind the CPU reports no SHA
# extensions, so BoringSSL's SHA-256 runs its vector code: the count is an upper bound there.
# Usage: bench/state/count.sh [BINARY]   (default: builds state-bench in release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
binary=${1:-}
if [ -z "$binary" ]; then
  swift build -c release --product state-bench >/tmp/state-bench-build.log 2>&1 \
    || { tail -20 /tmp/state-bench-build.log; exit 1; }
  binary="$(swift build -c release --show-bin-path)/state-bench"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$binary" "$work/state-bench"
symbol=$(nm "$work/state-bench" | awk '$3 ~ /0B7MachineC5applyySayAA11EntryResultVGSay4Raft0E0VGKF$/ {s = $3} END {print s}')
[ -n "$symbol" ] || { echo "StateMachine.apply not found in $binary" >&2; exit 1; }
count() {
  valgrind --tool=callgrind --toggle-collect="$symbol" --callgrind-out-file="$work/out" \
    "$work/state-bench" --directory "$work/state" --decides "$1" >/dev/null 2>"$work/log"
  awk '/Collected :/ {print $NF}' "$work/log"
}
small=$(SWIFT_DETERMINISTIC_HASHING=1 count 2000)
large=$(SWIFT_DETERMINISTIC_HASHING=1 count 6000)
echo "instructions per applied decide: $(((large - small) / 8000))"
