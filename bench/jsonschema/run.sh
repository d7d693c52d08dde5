#!/usr/bin/env bash
# Runs the JSON Schema benchmark (release build) and its peers on the same data, in the same run,
# and prints median nanoseconds per validation with ratios. Installs the peers (jsonschema-rs,
# jsonschema) from PyPI into bench/.venv on first use. Usage: bench/jsonschema/run.sh [--quick]
# RUNS=n (default 3) repeats both sides n times, alternating, and reports the median of the n
# medians per cell: on a shared, loaded machine one run can be off by 2x in either direction.
# CLOCK=cpu makes both sides time by their thread's CPU time instead of the wall clock (time
# spent descheduled on a loaded machine is then not counted; cache disturbance still is).
# BENCH_BIN=path times that jsonschema-bench binary instead of building one (a copy of an
# earlier build, to compare before and after against the same peers).
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c "import jsonschema, jsonschema_rs" 2>/dev/null \
  || bench/.venv/bin/pip install -q jsonschema-rs jsonschema
bin=${BENCH_BIN:-}
if [ -z "$bin" ]; then
  swift build -c release --product jsonschema-bench >/tmp/jsonschema-bench-build.log 2>&1 \
    || { tail -20 /tmp/jsonschema-bench-build.log; exit 1; }
  bin=$(swift build -c release --show-bin-path)/jsonschema-bench
fi
out=$(mktemp)
clock=()
[ "${CLOCK:-wall}" = cpu ] && clock=(--cpu-time)
for _ in $(seq "${RUNS:-3}"); do
  "$bin" --json "${clock[@]}" "$@" >>"$out"
  bench/.venv/bin/python bench/jsonschema/peers/peers.py "${clock[@]}" "$@" >>"$out"
done
bench/.venv/bin/python - "$out" <<'PY'
import json, os, statistics, sys
samples = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    samples.setdefault((r["case"], r["instance"]), {}).setdefault(r["impl"], []).append(r["ns"])
rows = {key: {impl: statistics.median(values) for impl, values in impls.items()} for key, impls in samples.items()}
versions = {}
try:
    import importlib.metadata as md
    versions = {n: md.version(n) for n in ("jsonschema-rs", "jsonschema")}
except Exception:
    pass
runs = len(next(iter(next(iter(samples.values())).values())))
clock = "CPU" if os.environ.get("CLOCK") == "cpu" else "wall-clock"
print(f"median {clock} ns per validation (is_valid / isValid), median of {runs} runs; swift-errors = validate(reporting: .all)")
print("peers: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
head = f"{'case':20} {'instance':8} {'swift':>8} {'swift-errors':>12} {'jsonschema-rs':>13} {'jsonschema':>11} {'rs/swift':>9} {'py/swift':>9}"
print(head)
for (case, kind), r in rows.items():
    s = r["swift"]
    print(f"{case:20} {kind:8} {s:8.0f} {r['swift-errors']:12.0f} {r['jsonschema-rs']:13.0f} {r['jsonschema']:11.0f} "
          f"{r['jsonschema-rs']/s:9.2f} {r['jsonschema']/s:9.1f}")
PY
rm -f "$out"
