#!/usr/bin/env bash
# bench/state/groups.sh [CLIENTS]: how the state machine's writes meet RocksDB's write groups in
# the cluster. One sandboxd level of bench/cluster/run.sh (bench/cluster/level.sh: ONLY=sandboxd,
# 20 s measured) with uprobes on RocksDB (linked into sandboxd) counted by thread for 4 s (`perf stat --per-thread`):
# writes (DBImpl::WriteImpl), memtable inserts of a writer's own batch in a concurrent group
# (WriteBatchInternal::InsertInto(Writer*)), of a group's batches by its leader, serially, with the
# insertion hints (InsertInto(WriteGroup&)), and concurrent groups launched
# (WriteThread::LaunchParallelMemTableWriters); summed over the three nodes' apply threads and Raft
# loops. The probes are removed on exit. Needs root, perf and tracefs (/sys/kernel/tracing).
# The environment goes to run.sh (SKIP_BUILD=1, BENCH_BASE_PORT...). Figures: bench/README.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
clients=${1:-64}
source bench/cluster/uprobes.sh
group=sandbox_groups_$$
declare -A symbols=(
    [writes]=_ZN7rocksdb6DBImpl9WriteImplE
    [concurrent_inserts]=_ZN7rocksdb18WriteBatchInternal10InsertIntoEPNS_11WriteThread6WriterE
    [serial_inserts]=_ZN7rocksdb18WriteBatchInternal10InsertIntoERNS_11WriteThread10WriteGroupE
    [concurrent_groups]=_ZN7rocksdb11WriteThread29LaunchParallelMemTableWritersE)
remove_probes() { remove_uprobes "$group" "${!symbols[@]}"; }
trap remove_probes EXIT
for name in "${!symbols[@]}"; do add_uprobe "$group" "$name" "${symbols[$name]}"; done
source bench/cluster/level.sh
start_level groups "$clients"
trap '[ -z "$runner" ] || kill "$runner" 2>/dev/null || true; rm -rf "$out"; remove_probes' EXIT
perf stat --per-thread -x, -o "$out/stat" -p "$pids" \
    $(for name in "${!symbols[@]}"; do echo "-e $group:$name"; done) -- sleep 4 >/dev/null 2>&1
wait "$runner"
runner=""
grep '^target' "$out/run" | head -1
grep 'load before' "$out/run"
awk -F, '$1 ~ /^(apply|raft)-/ && $2 ~ /^[0-9]+$/ {
        split($1, thread, "-"); sub(/^[^:]*:/, "", $4); count[thread[1] " " $4] += $2
    }
    END {
        for (t = 1; t <= 2; t++) {
            kind = t == 1 ? "apply" : "raft"
            printf "  %-5s threads: %6d writes, %6d concurrent inserts, %6d serial group inserts, %6d concurrent groups led\n",
                kind, count[kind " writes"], count[kind " concurrent_inserts"], count[kind " serial_inserts"],
                count[kind " concurrent_groups"]
        }
    }' "$out/stat"
