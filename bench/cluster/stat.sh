#!/usr/bin/env bash
# bench/cluster/stat.sh [CLIENTS]: one sandboxd level of run.sh (ONLY=sandboxd, no failover
# trials, 20 s measured) with `perf stat` on the three sandboxd for 10 s of it: CPU time
# (task-clock, ms), context switches and the syscalls that mark hand-offs and group commit
# (futex, fdatasync, write), each divided by the decisions of those 10 s. Counts of events per
# decision move far less with the machine's other load than the wall-clock figures. The
# environment goes to run.sh (SKIP_BUILD=1, SANDBOXD_ARGS, BENCH_BASE_PORT...). Needs perf.
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-64}
source bench/cluster/level.sh
start_level stat "$clients"
perf stat -x, -o "$out/stat" -p "$pids" -e task-clock,context-switches,syscalls:sys_enter_futex \
    -e syscalls:sys_enter_fdatasync,syscalls:sys_enter_write -- sleep 10 >/dev/null 2>&1
wait "$runner"
runner=""
line=$(grep '^target' "$out/run" | head -1)  # the 1-client level runs twice: perf covered the first
throughput=$(echo "$line" | sed 's/.*throughput=\([0-9]*\).*/\1/')
echo "$line"
grep 'load before' "$out/run"
awk -F, -v ops="$((throughput * 10))" '/^[0-9]/ { printf "  %-32s %9.3f per decision\n", $3, $1 / ops }' "$out/stat"
