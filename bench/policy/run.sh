#!/usr/bin/env bash
# Runs the policy-evaluation benchmark (release build) and its Cedar peer (cedarpy) on the same
# four decisions, in the same run, and prints median and p99 nanoseconds per decision with the
# ratio. Installs cedarpy from PyPI into bench/.venv on first use.
# Usage: bench/policy/run.sh [--quick]
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ ! -x bench/.venv/bin/python ]; then
  python3 -m venv bench/.venv
fi
bench/.venv/bin/python -c "import cedarpy" 2>/dev/null || bench/.venv/bin/pip install -q cedarpy
swift build -c release --product policy-bench >/tmp/policy-bench-build.log 2>&1 \
  || { tail -20 /tmp/policy-bench-build.log; exit 1; }
bin=$(swift build -c release --show-bin-path)/policy-bench
out=$(mktemp)
"$bin" --json "$@" >"$out"
bench/.venv/bin/python bench/policy/peers/cedar_peer.py "$@" >>"$out"
bench/.venv/bin/python - "$out" <<'PY'
import json, sys
rows = {}
for line in open(sys.argv[1]):
    r = json.loads(line)
    rows.setdefault(r["case"], {})[r["impl"]] = (r["median_ns"], r["p99_ns"])
try:
    import importlib.metadata as md
    print("peer: cedarpy " + md.version("cedarpy"))
except Exception:
    pass
print("ns per decision: median / p99; swift+trace = decision plus its materialised trace")
print(f"{'case':22} {'swift':>16} {'swift+trace':>18} {'cedar':>20} {'cedar/swift':>12}")
for case, r in rows.items():
    s, t, c = r["swift"], r["swift+trace"], r["cedar"]
    print(f"{case:22} {s[0]:7.0f} / {s[1]:6.0f} {t[0]:8.0f} / {t[1]:7.0f} {c[0]:9.0f} / {c[1]:8.0f} {c[0]/s[0]:11.0f}x")
PY
rm -f "$out"
