#!/usr/bin/env bash
# Audit export benchmark: bench/audit/run.sh [RECORDS] (default 1,000,000).
# Builds sandboxd and audit-bench in release, generates a single-node data directory holding
# RECORDS decisions (log + state, no HTTP), starts sandboxd on it, and streams
# GET /v1/audit/export as a JSON array and as NDJSON, each with two clients: curl (a light
# client: its records counted by `wc -l`, so the wall clock is bounded by the server) and
# `audit-bench export` (URLSession, which spends more CPU than the server on these 2 cores).
# Prints records/s, the server's CPU seconds during each export, and the machine's load.
#   STATE=DIR      keep the generated data directory in DIR and reuse it when it exists
#                  (generating 1,000,000 records takes 7-17 minutes here)
#   SKIP_BUILD=1   use the release binaries already built
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-1000000}
if [ -z "${SKIP_BUILD:-}" ]; then
    swift build -c release --product sandboxd > /tmp/audit-bench-build.log 2>&1
    swift build -c release --product audit-bench >> /tmp/audit-bench-build.log 2>&1
fi
dir=$(mktemp -d)
state=${STATE:-$dir/node}
# The node is stopped and waited for before its directory goes (it writes while it exits).
trap 'kill "${pid:-0}" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
if [ ! -d "$state" ]; then
    .build/release/audit-bench generate --directory "$state" --records "$records"
fi
port=$((30000 + RANDOM % 5000))
token="audit-bench-$RANDOM$RANDOM"
# The state's cluster id and admin token come from its first start; a reused state keeps them.
if [ -f "$state.token" ]; then token=$(cat "$state.token"); fi
.build/release/sandboxd --node-id 1 --data-dir "$state" --http "127.0.0.1:$port" \
    --peer-listen "127.0.0.1:$((port + 1))" --peers "1=127.0.0.1:$((port + 1))" --cluster-id bench \
    --admin-token "$token" --signing-key "$(head -c 32 /dev/urandom | base64)" > "$dir/sandboxd.log" 2>&1 &
pid=$!
echo "$token" > "$state.token"
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
    sleep 0.2
done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
seconds() { awk -v t="$1" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}'; }
url="http://127.0.0.1:$port/v1/audit/export?from=0&to=9999999999"
for mode in "" "--ndjson"; do
    accept=$([ -n "$mode" ] && echo "application/x-ndjson" || echo "application/json")
    name=$([ -n "$mode" ] && echo "NDJSON" || echo "JSON array")
    # curl: each record is one line in both forms (the array puts `,\n` between records).
    echo "load before: $(uptime)"
    before=$(ticks)
    start=$(date +%s.%N)
    lines=$(curl -sS -N -H "Authorization: Bearer $token" -H "Accept: $accept" "$url" | wc -l)
    end=$(date +%s.%N)
    after=$(ticks)
    awk -v n="$lines" -v s="$start" -v e="$end" -v m="$name" \
        'BEGIN {printf "export (%s, curl): %d records in %.2f s wall: %.0f records/s\n", m, n, e - s, n / (e - s)}'
    echo "server CPU during the export: $(seconds $((after - before))) s"
    echo "load before: $(uptime)"
    before=$(ticks)
    .build/release/audit-bench export --url "http://127.0.0.1:$port" --token "$token" $mode
    after=$(ticks)
    echo "server CPU during the export: $(seconds $((after - before))) s"
done
echo "load after: $(uptime)"
