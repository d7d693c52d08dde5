#!/usr/bin/env bash
# Instructions per validation, Swift `isValid` against jsonschema-rs `is_valid`, counted with
# valgrind (cachegrind, no cache simulation) rather than timed: counts do not move with the load
# of a shared machine. Each figure is (I(N2) - I(N1)) / (N2 - N1) over two runs of N1 and N2
# calls, which removes start-up; the rs figure includes the Python call (as its timings do).
# Usage: bench/jsonschema/count.sh [CASE...]   (run bench/jsonschema/run.sh once first: it builds
# the release binary and the peers' venv). SWIFT_DETERMINISTIC_HASHING=1 makes Swift's
# dictionary layout repeatable (evaluation order does not depend on it), PYTHONHASHSEED=0 the
# peer's start-up.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=$(swift build -c release --show-bin-path)/jsonschema-bench
py=bench/.venv/bin/python
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(small-3-field openai-get-weather mcp-create-issue large-order array-50-records oneof-action)
count() { PYTHONHASHSEED=0 valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | tr -d , | awk '/I *refs/ {print $NF}'; }
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'PY'
import json, sys
import jsonschema_rs
name, kind, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
case = next(c for c in json.load(open("bench/jsonschema/data/cases.json")) if c["name"] == name)
validate = jsonschema_rs.validator_for(case["schema"]).is_valid
instance = case[kind]
for _ in range(n):
    validate(instance)
PY
printf '%-20s %-8s %12s %14s %9s\n' case instance swift jsonschema-rs rs/swift
for name in "${cases[@]}"; do
  for kind in valid invalid; do
    s1=$(SWIFT_DETERMINISTIC_HASHING=1 count "$bin" --fixed 1000 --verdict-only --case "$name" --instance "$kind")
    s2=$(SWIFT_DETERMINISTIC_HASHING=1 count "$bin" --fixed 3000 --verdict-only --case "$name" --instance "$kind")
    r1=$(count "$py" "$script" "$name" "$kind" 2000)
    r2=$(count "$py" "$script" "$name" "$kind" 6000)
    swift=$(((s2 - s1) / 2000))
    peer=$(((r2 - r1) / 4000))
    awk -v n="$name" -v k="$kind" -v s="$swift" -v p="$peer" 'BEGIN { printf "%-20s %-8s %12d %14d %9.2f\n", n, k, s, p, p / s }'
  done
done
