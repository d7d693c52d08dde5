#!/usr/bin/env bash
# bench/cluster/rounds.sh [ROUNDS] [LEVELS]: the same-run comparison of run.sh, repeated: ROUNDS
# (default 5) pairs of one sandboxd run and one etcd run of LEVELS (default "16 64"), each a fresh
# cluster, in ABBA order (sandboxd first in odd pairs, etcd first in even ones) so that a drift of
# the shared machine's load falls on both alike; no failover trials. Then bench/cluster/rounds.py:
# each pair's figures and ratios, and per level the median of each system and the median, lowest
# and highest of the pairs' ratios. One run of run.sh moves its 64-client ratio by a third between
# runs here; the median of pairs is the figure to compare with the goals. The environment goes to
# run.sh (DURATION, WARMUP, BENCH_BASE_PORT, BENCH_WORK_ROOT...); builds once, like run.sh.
# About 1 minute per pair at DURATION=10.
set -euo pipefail
cd "$(dirname "$0")/../.."
rounds=${1:-5}
levels=${2:-"16 64"}
case "$rounds" in '' | *[!0-9]*) echo "ROUNDS must be a number, not '$rounds'" >&2; exit 2 ;; esac
[ "$rounds" -ge 1 ] && [ "$rounds" -le 50 ] || { echo "ROUNDS must be 1-50" >&2; exit 2; }
out=$(mktemp /tmp/cluster-rounds.XXXXXX)
trap 'rm -f "$out"' EXIT
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) -eq 1 ]; then order="sandboxd etcd"; else order="etcd sandboxd"; fi
    for system in $order; do
        echo "round $round: $system ($(uptime | sed 's/.*load/load/'))" >&2
        ONLY=$system LEVELS="$levels" TRIALS=0 bench/cluster/run.sh 2>&1 | grep '^target' |
            sed "s/^/round=$round /" >>"$out" || { echo "run.sh failed in round $round ($system)" >&2; exit 1; }
        export SKIP_BUILD=1
    done
done
python3 bench/cluster/rounds.py "$out"
