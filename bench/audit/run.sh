#!/usr/bin/env bash
# Audit export benchmark: bench/audit/run.sh [RECORDS] (default 1,000,000).
# Builds sandboxd and audit-bench in release, generates a single-node data directory holding
# RECORDS decisions (log + state, no HTTP), starts sandboxd on it, and streams
# GET /v1/audit/export twice (JSON array, then NDJSON), printing records/s, the server's CPU
# seconds during each export, and the machine's load.
set -euo pipefail
cd "$(dirname "$0")/../.."
records=${1:-1000000}
swift build -c release --product sandboxd > /tmp/audit-bench-build.log 2>&1
swift build -c release --product audit-bench >> /tmp/audit-bench-build.log 2>&1
dir=$(mktemp -d)
# The node is stopped and waited for before its directory goes (it writes while it exits).
trap 'kill "${pid:-0}" 2>/dev/null && wait "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
.build/release/audit-bench generate --directory "$dir/node" --records "$records"
port=$((30000 + RANDOM % 5000))
token="audit-bench-$RANDOM$RANDOM"
.build/release/sandboxd --node-id 1 --data-dir "$dir/node" --http "127.0.0.1:$port" \
    --peer-listen "127.0.0.1:$((port + 1))" --peers "1=127.0.0.1:$((port + 1))" --cluster-id bench \
    --admin-token "$token" --signing-key "$(head -c 32 /dev/urandom | base64)" > "$dir/sandboxd.log" 2>&1 &
pid=$!
for _ in $(seq 1 600); do
    curl -sf "http://127.0.0.1:$port/readyz" > /dev/null && break
    sleep 0.2
done
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
hz=$(getconf CLK_TCK)
for mode in "" "--ndjson"; do
    echo "load before: $(uptime)"
    before=$(ticks)
    .build/release/audit-bench export --url "http://127.0.0.1:$port" --token "$token" $mode
    after=$(ticks)
    echo "server CPU during the export: $(awk -v t=$((after - before)) -v hz="$hz" 'BEGIN {printf "%.2f s", t / hz}')"
done
echo "load after: $(uptime)"
