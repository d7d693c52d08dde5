#!/usr/bin/env bash
# bench/cluster/run.sh: a 3-node sandboxd cluster against a 3-node etcd cluster (Debian's
# etcd-server, installed here with apt-get when missing), on 127.0.0.1, one after the other in
# the same run, driven by the same load generator (cluster-bench): budgeted, allowed decisions
# (POST /v1/decisions) against plain puts (etcd's JSON gateway, /v3/kv/put) at 1, 16 and 64
# concurrent clients spread over the nodes (the 1-client level twice: its client on the leader,
# then on a follower, since which node leads is not up to the benchmark); then the failover gap (kill -9 of the leader under
# 16 clients that retry on the other nodes), TRIALS times each. Figures: bench/README.md.
# Environment: DURATION (s per level, 10), WARMUP (s, 2), LEVELS ("1 16 64"), TRIALS (5),
# FAILOVER_DURATION (s, 8), BENCH_BASE_PORT (18480), SKIP_BUILD=1, ONLY=sandboxd|etcd, KEEP=1 (keep
# the servers' logs and data: the work folder is printed at the end), SANDBOXD_ARGS (more flags for
# every sandboxd, e.g. "--compact-after 2000" to make restarted nodes catch up by snapshot),
# BENCH_WORK_ROOT (/tmp: where the servers' data goes; /dev/shm takes the disk's fdatasync out of
# both systems' figures, to see what the software itself costs), CLUSTER_BENCH_ARGS (more flags for
# the load generator's levels, e.g. "--slow-ms 25": each slower operation on standard error),
# SANDBOXD (the sandboxd binary, .build-shipped/release/sandboxd: the node image's build; to compare
# builds in alternating runs), ROCKSDB=release|debian (the RocksDB archive the built sandboxd links:
# release, the default and the node image's, is built once by scripts/rocksdb-release into
# .rocksdb-release/lib, about 10 minutes; debian is Debian's, with its assertions, built into
# .build-shipped-debian). The first build of the shipped sandboxd takes about 20 minutes.
# Every process started is stopped by its PID on exit; the run takes about 4.5 minutes. Beside
# each level's wall-clock figures: the three servers' CPU time (user + system) per operation,
# which the machine's other load disturbs far less.
set -euo pipefail
cd "$(dirname "$0")/../.."
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
LEVELS=${LEVELS:-"1 16 64"}
TRIALS=${TRIALS:-5}
FAILOVER_DURATION=${FAILOVER_DURATION:-8}
BASE=${BENCH_BASE_PORT:-18480}
ONLY=${ONLY:-}
# sandboxd as the node image ships it (deploy/docker/Dockerfile): release, the Swift runtime linked
# statically, built in a scratch folder of its own so that it does not rebuild the other release
# products (whose runtime is shared) on every switch (bench/cluster/log.md, "The shipped build").
# RocksDB as the image links it too: without assertions (docs/storage.md, "Linking").
ROCKSDB=${ROCKSDB:-release}
case "$ROCKSDB" in
release) SHIPPED_SCRATCH=.build-shipped ;;
debian) SHIPPED_SCRATCH=.build-shipped-debian ;;
*) echo "ROCKSDB must be release or debian, not '$ROCKSDB'" >&2; exit 2 ;;
esac
SANDBOXD=${SANDBOXD:-$SHIPPED_SCRATCH/release/sandboxd}
work=$(mktemp -d "${BENCH_WORK_ROOT:-/tmp}/cluster-bench.XXXXXX")
results=$work/results
declare -A PID=()

cleanup() {
    local name
    for name in "${!PID[@]}"; do kill -9 "${PID[$name]}" 2>/dev/null || true; done
    wait 2>/dev/null || true
    if [ -n "${KEEP:-}" ]; then echo "kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT

if [ -z "${SKIP_BUILD:-}" ]; then
    link=()
    if [ "$ROCKSDB" = release ]; then
        [ -f .rocksdb-release/lib/librocksdb.a ] || scripts/rocksdb-release >"$work/rocksdb.log" 2>&1 ||
            { cat "$work/rocksdb.log"; exit 1; }
        link=(-Xlinker -L"$PWD/.rocksdb-release/lib")
    fi
    swift build -c release --static-swift-stdlib --scratch-path "$SHIPPED_SCRATCH" --product sandboxd "${link[@]}" \
        >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
    # Which archive the link took: RocksDB's assertions are about 5,400 of the binary's calls to
    # __assert_fail (7,100-7,400 with Debian's archive, about 1,750 without).
    asserts=$(objdump -d --no-show-raw-insn "$SHIPPED_SCRATCH/release/sandboxd" | grep -c 'call.*<__assert_fail@plt>' || true)
    if [ "$ROCKSDB" = release ] && [ "$asserts" -ge 4000 ]; then
        echo "bench/cluster/run.sh: $SHIPPED_SCRATCH/release/sandboxd calls __assert_fail from $asserts places:" \
            "it linked Debian's RocksDB, not .rocksdb-release/lib's" >&2
        exit 1
    fi
    swift build -c release --product cluster-bench >"$work/build.log" 2>&1 || { cat "$work/build.log"; exit 1; }
fi
if ! command -v etcd >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server >/dev/null
fi
BENCH=.build/release/cluster-bench

stop() {  # name: SIGKILL by PID, reaped
    local pid=${PID[$1]:-}
    [ -n "$pid" ] || return 0
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    unset "PID[$1]"
}

wait_ready() {  # url...: each answers 200 within 30 s
    local url
    for url in "$@"; do
        for _ in $(seq 1 300); do curl -sf --max-time 1 "$url" >/dev/null && continue 2; sleep 0.1; done
        echo "not ready: $url" >&2
        return 1
    done
}

# sandboxd: node N serves HTTP on BASE+N-1 and peers on BASE+10+N-1.
sd_port() { echo $((BASE + $1 - 1)); }
sd_start() {
    [ -f "$work/signing.key" ] || head -c 32 /dev/urandom | base64 >"$work/signing.key"
    local n=$1 peers="1=127.0.0.1:$((BASE + 10)),2=127.0.0.1:$((BASE + 11)),3=127.0.0.1:$((BASE + 12))"
    "$SANDBOXD" --node-id "$n" --data-dir "$work/sandboxd-$n" --http "127.0.0.1:$(sd_port "$n")" \
        --peer-listen "127.0.0.1:$((BASE + 10 + n - 1))" --peers "$peers" --cluster-id bench --bootstrap \
        --admin-token bench-admin-token --signing-key-file "$work/signing.key" --exit-with-parent $$ \
        ${SANDBOXD_ARGS:-} >>"$work/sandboxd-$n.log" 2>&1 </dev/null &
    PID[sandboxd$n]=$!
}
sd_ready() { wait_ready "http://127.0.0.1:$(sd_port 1)/readyz" "http://127.0.0.1:$(sd_port 2)/readyz" \
    "http://127.0.0.1:$(sd_port 3)/readyz"; }
sd_leader() {
    local n
    for n in 1 2 3; do
        curl -s --max-time 1 "http://127.0.0.1:$(sd_port "$n")/v1/cluster" | grep -q '"role":"leader"' && { echo "$n"; return; }
    done
}
sd_provision() {
    local url="http://127.0.0.1:$(sd_port 1)" auth=(-H "Authorization: Bearer bench-admin-token")
    curl -sf -XPOST "$url/v1/tenants" "${auth[@]}" -d '{"id": "bench", "name": "Bench"}' >/dev/null
    curl -sf -XPOST "$url/v1/tenants/bench/agents" "${auth[@]}" \
        -d '{"agent_id": "bench", "api_key": "bench-agent-key-0123456789"}' >/dev/null
    curl -sf -XPUT "$url/v1/policies/bench" "${auth[@]}" -H "Content-Type: application/x-yaml" \
        --data-binary @bench/cluster/policy.yaml >/dev/null
}
SD_LOAD=(--target sandboxd --agent-key bench-agent-key-0123456789
    --ports "$(sd_port 1),$(sd_port 2),$(sd_port 3)")

# etcd: member N serves clients on BASE+100+N-1 and peers on BASE+110+N-1.
etcd_port() { echo $((BASE + 100 + $1 - 1)); }
etcd_start() {
    local n=$1 cluster="e1=http://127.0.0.1:$((BASE + 110)),e2=http://127.0.0.1:$((BASE + 111)),e3=http://127.0.0.1:$((BASE + 112))"
    etcd --name "e$n" --data-dir "$work/etcd-$n" \
        --listen-client-urls "http://127.0.0.1:$(etcd_port "$n")" --advertise-client-urls "http://127.0.0.1:$(etcd_port "$n")" \
        --listen-peer-urls "http://127.0.0.1:$((BASE + 110 + n - 1))" \
        --initial-advertise-peer-urls "http://127.0.0.1:$((BASE + 110 + n - 1))" \
        --initial-cluster "$cluster" --initial-cluster-state new --initial-cluster-token bench \
        >>"$work/etcd-$n.log" 2>&1 </dev/null &
    PID[etcd$n]=$!
}
etcd_ready() { wait_ready "http://127.0.0.1:$(etcd_port 1)/health" "http://127.0.0.1:$(etcd_port 2)/health" \
    "http://127.0.0.1:$(etcd_port 3)/health"; }
etcd_leader() {
    local n status
    for n in 1 2 3; do
        status=$(curl -s --max-time 1 -XPOST "http://127.0.0.1:$(etcd_port "$n")/v3/maintenance/status" -d '{}' || true)
        python3 -c 'import json,sys; s=json.loads(sys.argv[1]); sys.exit(0 if s["header"]["member_id"]==s["leader"] else 1)' \
            "$status" 2>/dev/null && { echo "$n"; return; }
    done
}
ETCD_LOAD=(--target etcd --ports "$(etcd_port 1),$(etcd_port 2),$(etcd_port 3)")

cpu_ticks() {  # name: user+system clock ticks of the three servers so far (/proc/PID/stat)
    local n total=0 stat
    for n in 1 2 3; do
        stat=$(cat "/proc/${PID[$1$n]}/stat")
        stat=${stat##*) }  # the fields after the command name
        total=$((total + $(echo "$stat" | awk '{print $12 + $13}')))
    done
    echo "$total"
}

machine_ticks() {  # the machine's CPU ticks so far: total, idle (with I/O wait), stolen (/proc/stat)
    awk '/^cpu /{total = 0; for (i = 2; i <= 9; i++) total += $i; print total, $5 + $6, $9; exit}' /proc/stat
}

levels() {  # name leader-function port-function load-args...: each level's line, with the
    # servers' CPU per operation, the machine's idle and stolen share (this virtual machine's disk
    # stalls while both CPUs are busy: bench/README.md) and the leader's node. The 1-client level runs twice, its client
    # on the leader and on a follower (`on=`): a follower forwards to the leader, two more hops,
    # and which node leads after start-up is not up to the benchmark (etcd's first member
    # usually does, sandboxd's any), so each system is measured on both paths.
    local name=$1 leader_of=$2 port_of=$3 clients line before after ops leader on first n ports machine
    shift 3
    for clients in $LEVELS; do
        for on in $([ "$clients" = 1 ] && echo leader follower || echo any); do
            ports=()
            if [ "$on" != any ]; then
                leader=$($leader_of)
                first=$leader
                if [ "$on" = follower ]; then for n in 1 2 3; do [ "$n" = "$leader" ] || { first=$n; break; }; done; fi
                ports=(--ports "$($port_of "$first"),$(for n in 1 2 3; do [ "$n" = "$first" ] || echo -n "$($port_of "$n"),"; done | sed 's/,$//')")
            fi
            before=$(cpu_ticks "$name")
            machine=$(machine_ticks)
            line=$("$BENCH" "$@" "${ports[@]}" --clients "$clients" --warmup "$WARMUP" --duration "$DURATION" \
                --run "$name-$clients-$on-$$" ${CLUSTER_BENCH_ARGS:-})
            after=$(cpu_ticks "$name")
            machine=$(echo "$machine $(machine_ticks)" | awk '{t = $4 - $1; if (t < 1) t = 1
                printf "machine_idle_pct=%.0f machine_steal_pct=%.0f", 100 * ($5 - $2) / t, 100 * ($6 - $3) / t}')
            ops=$(echo "$line" | sed 's/.* ops=\([0-9]*\).*/\1/')
            # Warm-up included in the CPU, excluded from ops: scale the ticks to the measured share.
            line="$line cpu_us_per_op=$(( (after - before) * 1000000 / $(getconf CLK_TCK) * DURATION / (DURATION + WARMUP) / (ops > 0 ? ops : 1) )) $machine on=$on leader=$($leader_of)"
            echo "$line" | tee -a "$results"
        done
    done
}

failover() {  # name leader-function start-function ready-function load-args...
    local name=$1 leader_of=$2 start=$3 ready=$4 trial leader line
    shift 4
    for trial in $(seq 1 "$TRIALS"); do
        leader=$($leader_of)
        [ -n "$leader" ] || { sleep 1; leader=$($leader_of); }
        "$BENCH" "$@" --clients 16 --warmup 1 --duration "$FAILOVER_DURATION" --run "$name-f$trial-$$" \
            >"$work/failover.out" &
        local bench=$!
        sleep 3
        stop "$name$leader"
        wait "$bench"
        line="failover $(cat "$work/failover.out") killed=$leader trial=$trial"
        echo "$line" | tee -a "$results"
        $start "$leader"
        $ready
        sleep 2  # let the restarted node catch up before the next trial
    done
}

echo "load before: $(uptime)" >>"$results"
if [ "$ONLY" != etcd ]; then
    for n in 1 2 3; do sd_start "$n"; done
    sd_ready
    sd_provision
    levels sandboxd sd_leader sd_port "${SD_LOAD[@]}"
    failover sandboxd sd_leader sd_start sd_ready "${SD_LOAD[@]}"
    for n in 1 2 3; do stop "sandboxd$n"; done
fi
if [ "$ONLY" != sandboxd ]; then
    for n in 1 2 3; do etcd_start "$n"; done
    etcd_ready
    levels etcd etcd_leader etcd_port "${ETCD_LOAD[@]}"
    failover etcd etcd_leader etcd_start etcd_ready "${ETCD_LOAD[@]}"
    for n in 1 2 3; do stop "etcd$n"; done
fi
echo "load after: $(uptime)" >>"$results"
python3 bench/cluster/report.py "$results"
