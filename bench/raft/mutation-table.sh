#!/usr/bin/env bash
# Prints the mutation table of docs/raft.md: for each mutation and 3, 5 and 7 voters, how many
# of SEEDS seeds (default 2000) the simulator catches, the first one, and the properties named.
# Usage: swift build -c release --product raft-sim && bench/raft/mutation-table.sh [SEEDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
seeds=${1:-2000}
sim=${RAFT_SIM:-.build/release/raft-sim}
names=$("$sim" --help | tr -d '\n' | sed -E 's/.*or runtime: ([a-z, -]+)\..*/\1/' | tr -d ' ' | tr ',' ' ')
echo "| mutation | 3 voters | 5 voters | 7 voters | caught by |"
echo "|---|---|---|---|---|"
for name in $names; do
  row="| \`$name\` |"
  props=""
  for nodes in 3 5 7; do
    out=$("$sim" --seeds "1..$seeds" --nodes "$nodes" --mutation "$name" || true)
    failed=$(grep -c ' FAILED: ' <<<"$out" || true)
    first=$( (grep ' FAILED: ' <<<"$out" || true) | awk '{print $2}' | sort -n | head -1)
    row="$row $failed (first: ${first:-none}) |"
    props="$props$(grep ' FAILED: ' <<<"$out" | sed -E 's/.*step [0-9]+: ([a-z /-]+):.*/\1/' || true)"$'\n'
  done
  summary=$( (grep -v '^$' <<<"$props" || true) | sort | uniq -c | sort -rn | awk '{n=$1; $1=""; sub(/^ /,""); printf "%s%s %d", (NR>1?", ":""), $0, n}')
  echo "$row $summary |"
done
