# Sourced by scripts that need a live `sandboxd --dev` (scripts/api-fuzz, tests/mvp/quickstart.sh):
# start_dev_node starts one on random loopback ports (the built sandboxd; SANDBOXD overrides
# it), waits until it is ready (bounded) and sets DEV_URL; the node is stopped when the script
# exits (its throwaway data directory goes with it).
# Ports come from 20000-32699, below Linux's ephemeral range (32768-60999 by default), so an
# outgoing connection of another suite cannot hold them; if a port is taken anyway (another
# listener), the node exits at once with "Address already in use" and is started again on other
# ports, at most 5 times.
start_dev_node() {
  local sandboxd=${SANDBOXD:-.build/debug/sandboxd} port attempt
  DEV_LOG=$(mktemp)
  DEV_PID=""
  trap 'kill "$DEV_PID" 2>/dev/null; wait "$DEV_PID" 2>/dev/null; rm -f "$DEV_LOG"' EXIT
  for attempt in 1 2 3 4 5; do
    port=$((20000 + RANDOM % 12700))
    "$sandboxd" --dev --http "127.0.0.1:$port" --peer-listen "127.0.0.1:$((port + 1))" \
      --exit-with-parent $$ 2>"$DEV_LOG" &
    DEV_PID=$!
    DEV_URL="http://127.0.0.1:$port"
    for _ in $(seq 1 150); do
      curl -sf "$DEV_URL/readyz" >/dev/null && return 0
      kill -0 "$DEV_PID" 2>/dev/null || break
      sleep 0.2
    done
    if ! kill -0 "$DEV_PID" 2>/dev/null && grep -q "Address already in use" "$DEV_LOG"; then
      wait "$DEV_PID" 2>/dev/null || true
      echo "sandboxd --dev: port $port or $((port + 1)) is taken; trying other ports ($attempt of 5)" >&2
      continue
    fi
    break
  done
  cat "$DEV_LOG"
  echo "sandboxd --dev did not become ready on $DEV_URL" >&2
  return 1
}
