#!/usr/bin/env bash
# Instructions per decision, counted with valgrind (cachegrind, no cache simulation) rather than
# timed, so the figure does not move with the machine's load: (I(full) - I(quick)) / (2,700 x 64),
# the difference between a full run (3,000 samples of 64 decisions) and a quick one (300), which
# removes start-up and compilation. Valgrind 3.19 cannot read this binary's debug information, so
# a copy without it is counted (the symbol table stays).
# Usage: bench/policy/count.sh [CASE...]   (cases: denied-tool allowed-tool-schema
# approval-condition http-allowlist; builds policy-bench in release first)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product policy-bench >/tmp/policy-bench-build.log 2>&1 \
  || { tail -20 /tmp/policy-bench-build.log; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
objcopy --strip-debug "$(swift build -c release --show-bin-path)/policy-bench" "$work/policy-bench"
cases=("$@")
[ ${#cases[@]} -eq 0 ] && cases=(denied-tool allowed-tool-schema approval-condition http-allowlist)
count() { valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null "$@" 2>&1 | tr -d , | awk '/I *refs/ {print $NF}'; }
printf '%-22s %14s\n' case instructions
for name in "${cases[@]}"; do
  quick=$(SWIFT_DETERMINISTIC_HASHING=1 count "$work/policy-bench" --quick --no-trace --case "$name")
  full=$(SWIFT_DETERMINISTIC_HASHING=1 count "$work/policy-bench" --no-trace --case "$name")
  printf '%-22s %14d\n' "$name" $(((full - quick) / (2700 * 64)))
done
