#!/usr/bin/env bash
# Instructions per applied decide, counted with valgrind (callgrind, collecting only inside
# StateMachine.apply, RocksDB's writes included) rather than timed, so the figure does not move
# with the machine's load: (I(6,000) - I(2,000)) / 8,000, the difference between two runs of
# state-bench (each applies a warm-up of the same size, then the measured decides), which
# removes start-up and set-up. Valgrind 3.19 cannot read this binary's debug information, so a
# copy without it is counted (the symbol table stays). Under valgrind the CPU reports no SHA
# extensions, so BoringSSL's SHA-256 runs its vector code: the count is an upper bound there.
# With --day2: the second day's decides instead (each forgets the request id of 24 h before):
# (I(--days 2) - I(--days 1)) / decides per day, the decides STEP ms of entry time apart (default
# 10,000: 8,640 a day, so valgrind runs minutes, not an hour; STEP=1000 is the one-a-second day).
# With --kept DIR: the same count on a state kept by `state-bench --keep --directory DIR` (built
# once: agents, audit records) beside a fresh state's, each run on a copy of DIR (its SST files
# hard-linked, RocksDB never changes one in place; the rest copied), so DIR stays as it was.
# STATE_BENCH_ARGS go to every state-bench run (e.g. "--batch 1": one decide per committed batch,
# as at one client in the cluster; "--insert-hint 3").
# Usage: bench/state/count.sh [--day2 | --kept DIR] [BINARY]   (default: builds state-bench in release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
day2=0
kept=
if [ "${1:-}" = --day2 ]; then day2=1; shift; fi
if [ "${1:-}" = --kept ]; then
  kept=$(realpath "${2:?--kept needs the directory of a kept state}")
  [ -f "$kept/CURRENT" ] || { echo "no RocksDB state in $kept (build it with state-bench --keep)" >&2; exit 1; }
  shift 2
fi
binary=${1:-}
if [ -z "$binary" ]; then
  swift build -c release --product state-bench >/tmp/state-bench-build.log 2>&1 \
    || { tail -20 /tmp/state-bench-build.log; exit 1; }
  binary="$(swift build -c release --show-bin-path)/state-bench"
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$binary" "$work/state-bench"
# StateMachine.apply(_:computed:), which apply(_:) calls (the compiler may inline apply(_:) into
# its callers, so it is not always a symbol of its own).
symbol=$(nm "$work/state-bench" | awk '$3 ~ /0B7MachineC5apply_8computedSayAA11EntryResultVGSay4Raft0F0VG_yAHXEtKF$/ {s = $3} END {print s}')
[ -n "$symbol" ] || { echo "StateMachine.apply not found in $binary" >&2; exit 1; }
count() {
  valgrind --tool=callgrind --toggle-collect="$symbol" --callgrind-out-file="$work/out" \
    "$work/state-bench" --directory "$work/state" "$@" ${STATE_BENCH_ARGS:-} >/dev/null 2>"$work/log"
  awk '/Collected :/ {print $NF}' "$work/log"
}
# A copy of the kept state to run on: hard links for the SST files, copies of the rest.
copy_kept() {
  rm -rf "$work/state"
  cp -al "$kept" "$work/state"
  find "$work/state" -type f ! -name '*.sst' -printf '%P\n' | while read -r file; do
    cp --remove-destination "$kept/$file" "$work/state/$file"
  done
}
if [ -n "$kept" ]; then
  copy_kept
  small=$(SWIFT_DETERMINISTIC_HASHING=1 count --keep --decides 2000)
  copy_kept
  large=$(SWIFT_DETERMINISTIC_HASHING=1 count --keep --decides 6000)
  rm -rf "$work/state"
  fresh_small=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 2000)
  fresh_large=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 6000)
  echo "instructions per applied decide on the kept state ($kept): $(((large - small) / 8000))"
  echo "instructions per applied decide on a fresh state: $(((fresh_large - fresh_small) / 8000))"
  exit 0
fi
if [ "$day2" = 1 ]; then
  step=${STEP:-10000}
  perday=$((86400000 / step))
  one=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 2000 --step "$step" --days 1)
  two=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 2000 --step "$step" --days 2)
  echo "instructions per applied decide on the second day ($perday decides, $step ms apart): $(((two - one) / perday))"
  exit 0
fi
small=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 2000)
large=$(SWIFT_DETERMINISTIC_HASHING=1 count --decides 6000)
echo "instructions per applied decide: $(((large - small) / 8000))"
