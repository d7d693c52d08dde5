# Sourced by stat.sh and offcpu.sh: start_level NAME CLIENTS runs one sandboxd level of run.sh
# (ONLY=sandboxd, no failover trials, 20 s measured) in the background and sets `out` (a work
# folder, removed on exit with the run stopped by its PID), `runner` (the run's PID) and `pids`
# (the three sandboxd of this checkout, comma-separated), then waits for readiness and warm-up.
start_level() {
    local name=$1 clients=$2 binary
    binary=$(readlink -f "${SANDBOXD:-.build-shipped/release/sandboxd}")  # /proc/PID/exe names the resolved path
    out=$(mktemp -d "/tmp/cluster-$name.XXXXXX")
    runner=""
    trap '[ -z "$runner" ] || kill "$runner" 2>/dev/null || true; rm -rf "$out"' EXIT
    ONLY=sandboxd LEVELS="$clients" DURATION=20 TRIALS=0 bench/cluster/run.sh >"$out/run" 2>&1 &
    runner=$!
    pids=""
    for _ in $(seq 1 600); do  # the three sandboxd of this checkout (a build may come first)
        pids=$(for p in /proc/[0-9]*; do
            if [ "$(readlink "$p/exe" 2>/dev/null)" = "$binary" ]; then basename "$p"; fi
        done | paste -sd, -)
        [ "$(echo "$pids" | tr ',' '\n' | grep -c .)" -ge 3 ] && break
        sleep 0.2
    done
    sleep 10  # readiness, provisioning and the 2 s warm-up
}
