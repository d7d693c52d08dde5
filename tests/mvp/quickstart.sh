#!/usr/bin/env bash
# An MVP-era client, unchanged: what the MVP's quickstart did, call for call, against
# `sandboxd --dev` (no tokens, from loopback), checking for exactly the MVP's 200s and shapes.
# Run by scripts/test; needs a built sandboxd (SANDBOXD overrides its path), curl and python3.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/lib/dev-node.sh
start_dev_node
key="DEV-AGENT-KEY-123"

# call NAME METHOD PATH [curl args...]: the answer's body, after checking the status is 200.
call() {
  local name=$1 method=$2 path=$3 body status
  shift 3
  body=$(mktemp)
  status=$(curl -s -o "$body" -w '%{http_code}' -X "$method" "$DEV_URL$path" "$@")
  if [ "$status" != 200 ]; then
    echo "quickstart: $name: HTTP $status (expected 200): $(cat "$body")" >&2
    exit 1
  fi
  cat "$body"
  rm -f "$body"
}

# field JSON EXPRESSION: a value read from the answer (python3, as the MVP's client was).
field() { python3 -c "import json, sys; d = json.loads(sys.argv[1]); print($2)" "$1"; }

expect() {  # expect WHAT ACTUAL EXPECTED
  [ "$2" = "$3" ] || { echo "quickstart: $1: got '$2', expected '$3'" >&2; exit 1; }
  echo "ok: $1"
}

health=$(call health GET /health)
expect "GET /health" "$(field "$health" 'd["status"]')" ok

tenant=$(call tenant POST /v1/tenants -H 'Content-Type: application/json' -d '{"name": "acme_corp"}')
expect "tenant id" "$(field "$tenant" 'd["id"]')" acme_corp
tenant_id=$(field "$tenant" 'd["id"]')

agent=$(call agent POST "/v1/tenants/$tenant_id/agents" -H 'Content-Type: application/json' \
  -d "{\"agent_id\": \"sales_assistant\", \"api_key\": \"$key\"}")
expect "agent" "$(field "$agent" 'd["agent_id"] + " " + d["api_key"] + " " + str(bool(d["id"]))')" \
  "sales_assistant $key True"

published=$(call policy PUT /v1/policies/sales_assistant -H "X-Agent-Key: $key" \
  -H 'Content-Type: application/x-yaml' --data-binary @policies/examples/sales_agent.yaml)
expect "policy published" "$(field "$published" 'sorted(k for k in ("policy_id", "version", "signature") if k in d)')" \
  "['policy_id', 'signature', 'version']"

bundle=$(call bundle GET /v1/policies/sales_assistant -H "X-Agent-Key: $key")
expect "bundle.yaml is the uploaded text" "$(field "$bundle" 'd["bundle"]["yaml"] == open("policies/examples/sales_agent.yaml").read()')" True

hash=$(python3 -c 'import hashlib; print(hashlib.sha256(b"{\"recipient\":\"user@gmail.com\"}").hexdigest())')
approval=$(call approval POST /v1/approvals -H "X-Agent-Key: $key" -H 'Content-Type: application/json' \
  -d "{\"agent_id\": \"sales_assistant\", \"tool\": \"email.send\", \"params_hash\": \"$hash\", \"payload_redacted\": {\"recipient\": \"[EMAIL]\"}}")
approval_id=$(field "$approval" 'd["id"]')
expect "approval pending" "$(field "$approval" 'd["status"]')" pending

approved=$(call approve POST "/v1/approvals/$approval_id/decision" -d 'decision=approve')
expect "approved through the form" "$(field "$approved" 'd["status"]')" approved

audit=$(call audit GET '/v1/audit/export?from=0&to=9999999999')
expect "audit is a JSON array with records" "$(field "$audit" 'isinstance(d, list) and len(d) > 0')" True

echo "quickstart: an MVP-era client works unchanged"
