#!/usr/bin/env bash
# bench/cluster/batches.sh [CLIENTS]: one sandboxd level of run.sh (ONLY=sandboxd, no failover
# trials, 20 s measured) with a uprobe on RocksDB's `rocksdb_write` counted over the three
# sandboxd for 10 s of it: since storage format 2 the Raft log is in segment files, so these
# writes are the apply threads' state batches (and a compaction point's write now and then), and
# decisions per write is how many decides one committed batch holds on a node (three nodes: 3 /
# writes per decision). Context switches and CPU time per decision beside it. Needs perf with
# uprobes (root) and tracefs (bench/cluster/uprobes.sh); the probe is removed on exit. The environment goes to run.sh (SKIP_BUILD=1...).
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-64}
source bench/cluster/uprobes.sh
group=sandbox_batches_$$
trap 'remove_uprobes "$group" rocksdb_write' EXIT
add_uprobe "$group" rocksdb_write rocksdb_write
source bench/cluster/level.sh
start_level batches "$clients"
# start_level's trap (the run stopped, its folder removed) and the probe removed.
trap '[ -z "$runner" ] || kill "$runner" 2>/dev/null || true; rm -rf "$out"; remove_uprobes "$group" rocksdb_write' EXIT
perf stat -x, -o "$out/stat" -p "$pids" -e "$group:rocksdb_write",context-switches,task-clock \
    -- sleep 10 >/dev/null 2>&1
wait "$runner"
runner=""
line=$(grep '^target' "$out/run" | head -1)
throughput=$(echo "$line" | sed 's/.*throughput=\([0-9]*\).*/\1/')
echo "$line"
awk -F, -v ops="$((throughput * 10))" '/^[0-9]/ { printf "  %-36s %9.3f per decision\n", $3, $1 / ops }
    /rocksdb_write/ { if ($1 > 0) printf "  %-36s %9.1f\n", "decides per state batch (a node)", 3 * ops / $1 }' "$out/stat"
