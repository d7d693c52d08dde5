#!/usr/bin/env bash
# Instructions per validation, Swift `isValid` against jsonschema-rs `is_valid`, counted with
# valgrind rather than timed: counts do not move with the load of a shared machine.
# Swift: (I(N2) - I(N1)) / (N2 - N1) over two runs of N1 and N2 calls (cachegrind, no cache
# simulation), which removes start-up; Swift's start-up is deterministic, so this is exact.
# jsonschema-rs: Python's start-up is not (it moved by millions of instructions between runs,
# hundreds per call), so the peer is counted in-process instead: callgrind with collection
# switched on by a client request just before a loop of N calls (after 1,000 warm-up calls) and
# off just after, divided by N. The figure includes the Python loop and call, as its timings do.
# Usage: bench/jsonschema/count.sh [CASE...]   (run bench/jsonschema/run.sh once first: it builds
# the release binary and the peers' venv; needs a C compiler and valgrind's headers).
# SWIFT_DETERMINISTIC_HASHING=1 makes Swift's dictionary layout repeatable (evaluation order does
# not depend on it), PYTHONHASHSEED=0 the peer's.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build -c release --show-bin-path)/jsonschema-bench
py=bench/.venv/bin/python
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(small-3-field openai-get-weather mcp-create-issue large-order array-50-records oneof-action)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | tr -d , | awk '/I *refs/ {print $NF}'; }
cat >"$work/mark.c" <<'C'
#include <valgrind/callgrind.h>
void mark_start(void) { CALLGRIND_ZERO_STATS; CALLGRIND_TOGGLE_COLLECT; }
void mark_stop(void) { CALLGRIND_TOGGLE_COLLECT; CALLGRIND_DUMP_STATS; }
C
cc -O2 -shared -fPIC -o "$work/libmark.so" "$work/mark.c"
cat >"$work/peer.py" <<'PY'
import ctypes, json, sys
import jsonschema_rs
name, kind, n, mark = sys.argv[1], sys.argv[2], int(sys.argv[3]), ctypes.CDLL(sys.argv[4])
case = next(c for c in json.load(open("bench/jsonschema/data/cases.json")) if c["name"] == name)
validate = jsonschema_rs.validator_for(case["schema"]).is_valid
instance = case[kind]
for _ in range(1000):
    validate(instance)
start, stop = mark.mark_start, mark.mark_stop
start()
for _ in range(n):
    validate(instance)
stop()
PY
peer() {
  rm -f "$work"/out.*
  PYTHONHASHSEED=0 valgrind --tool=callgrind --collect-atstart=no --callgrind-out-file="$work/out.%p" \
    "$py" "$work/peer.py" "$1" "$2" 10000 "$work/libmark.so" >/dev/null 2>&1
  cat "$work"/out.*.1 | awk '/^totals:/ {print int($2 / 10000)}'
}
printf '%-20s %-8s %12s %14s %9s\n' case instance swift jsonschema-rs rs/swift
for name in "${cases[@]}"; do
  for kind in valid invalid; do
    s1=$(SWIFT_DETERMINISTIC_HASHING=1 count "$bin" --fixed 1000 --verdict-only --case "$name" --instance "$kind")
    s2=$(SWIFT_DETERMINISTIC_HASHING=1 count "$bin" --fixed 3000 --verdict-only --case "$name" --instance "$kind")
    swift=$(((s2 - s1) / 2000))
    rs=$(peer "$name" "$kind")
    awk -v n="$name" -v k="$kind" -v s="$swift" -v p="$rs" 'BEGIN { printf "%-20s %-8s %12d %14d %9.2f\n", n, k, s, p, p / s }'
  done
done
