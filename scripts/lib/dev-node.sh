# Sourced by scripts that need a live `sandboxd --dev` (scripts/api-fuzz, tests/mvp/quickstart.sh):
# start_dev_node starts one on random loopback ports (the built sandboxd; SANDBOXD overrides
# it), waits until it is ready (bounded) and sets DEV_URL; the node is stopped when the script
# exits (its throwaway data directory goes with it).
start_dev_node() {
  local sandboxd=${SANDBOXD:-.build/debug/sandboxd} port=$((20000 + RANDOM % 20000))
  DEV_LOG=$(mktemp)
  "$sandboxd" --dev --http "127.0.0.1:$port" --peer-listen "127.0.0.1:$((port + 1))" --exit-with-parent $$ \
    2>"$DEV_LOG" &
  DEV_PID=$!
  trap 'kill "$DEV_PID" 2>/dev/null; wait "$DEV_PID" 2>/dev/null; rm -f "$DEV_LOG"' EXIT
  DEV_URL="http://127.0.0.1:$port"
  for _ in $(seq 1 150); do
    curl -sf "$DEV_URL/readyz" >/dev/null && return 0
    sleep 0.2
  done
  cat "$DEV_LOG"
  echo "sandboxd --dev did not become ready on $DEV_URL" >&2
  return 1
}
