#!/usr/bin/env bash
# bench/cluster/offcpu.sh [CLIENTS]: one sandboxd level of run.sh (ONLY=sandboxd, no failover
# trials, 20 s measured) with `perf record -e sched:sched_switch -g` on the three sandboxd for 5 s
# of it, then bench/cluster/offcpu.py: where their Raft loops and apply threads wait (fdatasync,
# RocksDB's write queue, preempted after waking a pool thread, idle), in ms per second of the
# recording and switch-outs per decision. The environment goes to run.sh (SKIP_BUILD=1,
# BENCH_BASE_PORT...). Needs perf with tracepoints.
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-16}
binary=$(readlink -f .build/release/sandboxd)
out=$(mktemp -d /tmp/cluster-offcpu.XXXXXX)
runner=""
trap '[ -z "$runner" ] || kill "$runner" 2>/dev/null || true; rm -rf "$out"' EXIT
ONLY=sandboxd LEVELS="$clients" DURATION=20 TRIALS=0 bench/cluster/run.sh >"$out/run" 2>&1 &
runner=$!
pids=""
for _ in $(seq 1 600); do
    pids=$(for p in /proc/[0-9]*; do
        if [ "$(readlink "$p/exe" 2>/dev/null)" = "$binary" ]; then basename "$p"; fi
    done | paste -sd, -)
    [ "$(echo "$pids" | tr ',' '\n' | grep -c .)" -ge 3 ] && break
    sleep 0.2
done
sleep 10
perf record -q -e sched:sched_switch -g -p "$pids" -o "$out/perf.data" -- sleep 5 >/dev/null 2>&1
wait "$runner"
runner=""
line=$(grep '^target' "$out/run")
throughput=$(echo "$line" | sed 's/.*throughput=\([0-9]*\).*/\1/')
echo "$line"
grep 'load before' "$out/run"
perf script -i "$out/perf.data" -F tid,time,event,trace,ip,sym 2>/dev/null >"$out/switches"
python3 bench/cluster/offcpu.py "$out/switches" 5 "$((throughput * 5))"
