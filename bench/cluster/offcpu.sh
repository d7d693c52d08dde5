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
source bench/cluster/level.sh
start_level offcpu "$clients"
perf record -q -e sched:sched_switch -g -p "$pids" -o "$out/perf.data" -- sleep 5 >/dev/null 2>&1
wait "$runner"
runner=""
line=$(grep '^target' "$out/run")
throughput=$(echo "$line" | sed 's/.*throughput=\([0-9]*\).*/\1/')
echo "$line"
grep 'load before' "$out/run"
perf script -i "$out/perf.data" -F tid,time,event,trace,ip,sym 2>/dev/null >"$out/switches"
python3 bench/cluster/offcpu.py "$out/switches" 5 "$((throughput * 5))"
