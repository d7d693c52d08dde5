"""Cedar peer for bench/policy: the same four decisions as bench/policy/main.swift, made by Cedar
through its Python binding cedarpy, printed as JSON lines like the Swift bench (--json form).

Cedar has no globs and no third outcome, so the demo policy is translated the Cedar way:
- each tool is an action; `payments.*` is an action group (`action in Action::"payments"`);
- the 3-field parameter schema is the email.send action's context type in a Cedar schema, and
  every request is validated against the schema (as the Swift side validates parameters);
- "needs approval" is a forbid policy with an id starting `approval-`: a deny whose only
  determining policies are approval policies is read as needs_approval;
- the HTTP check parses the URL with urllib (Cedar cannot) and matches the host with `like`.
Policies, entities and schema are parsed once (cedarpy handles), as the Swift side compiles once.

Usage: bench/.venv/bin/python bench/policy/peers/cedar_peer.py [--quick]
"""
import json
import sys
import time
from urllib.parse import urlsplit

import cedarpy

quick = "--quick" in sys.argv
samples = 100 if quick else 600
batch = 8

POLICIES = """
@id("allow-tools")
permit(principal, action in [Action::"crm.read", Action::"email.draft", Action::"email.send"], resource)
when { context.chain_depth <= 4 };

@id("deny-payments")
forbid(principal, action in Action::"payments", resource);

@id("deny-prod-db")
forbid(principal, action == Action::"prod_db.write", resource);

@id("approval-email-outside")
forbid(principal, action == Action::"email.send", resource)
when { !(context.recipient like "*@company.com") };

@id("allow-egress")
permit(principal, action == Action::"http.request", resource)
when {
  (context.scheme == "https" || context.scheme == "http") &&
  (context.port == 443 || context.port == 80) &&
  (context.host == "api.company.com" || context.host like "*.api.company.com" ||
   context.host == "outlook.office365.com" || context.host like "*.outlook.office365.com")
};
"""

def action(attributes, member_of=None):
    """A Cedar schema action whose context is a record of `attributes` (name -> Cedar type)."""
    fields = {"chain_depth": {"type": "Long"}}
    fields.update({name: {"type": kind} for name, kind in attributes.items()})
    body = {
        "appliesTo": {
            "principalTypes": ["Agent"],
            "resourceTypes": ["Target"],
            "context": {"type": "Record", "attributes": fields},
        }
    }
    if member_of:
        body["memberOf"] = [{"id": member_of}]
    return body


SCHEMA = {
    "": {
        "entityTypes": {"Agent": {}, "Target": {}},
        "actions": {
            "payments": {},
            "payments.charge": action({"amount": "Long", "currency": "String"}, member_of="payments"),
            "email.send": action({"recipient": "String", "subject": "String", "body": "String"}),
            "http.request": action({"method": "String", "scheme": "String", "host": "String", "port": "Long"}),
        },
    }
}

policy_set = cedarpy.PolicySet.from_str(POLICIES)
schema = cedarpy.Schema.from_json_str(json.dumps(SCHEMA))
entities = cedarpy.Entities.from_json_str("[]")


def outcome(result):
    if result.allowed:
        return "allow"
    ids = result.diagnostics.id_annotations_by_reason
    reasons = [ids.get(r, r) for r in result.diagnostics.reasons]
    if reasons and all(r.startswith("approval-") for r in reasons):
        return "needs_approval"
    return "deny"


def tool_call(tool, params, chain_depth=0):
    context = dict(params)
    context["chain_depth"] = chain_depth
    request = {
        "principal": 'Agent::"sales_assistant"',
        "action": f'Action::"{tool}"',
        "resource": 'Target::"tool"',
        "context": context,
    }
    return outcome(cedarpy.is_authorized(request, policy_set, entities, schema))


def http_request(method, url, chain_depth=0):
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None or not parts.hostname:
        return "deny"
    port = parts.port or {"https": 443, "http": 80}.get(parts.scheme, 0)
    request = {
        "principal": 'Agent::"sales_assistant"',
        "action": 'Action::"http.request"',
        "resource": 'Target::"egress"',
        "context": {
            "chain_depth": chain_depth,
            "method": method,
            "scheme": parts.scheme.lower(),
            "host": parts.hostname.lower().rstrip("."),
            "port": port,
        },
    }
    return outcome(cedarpy.is_authorized(request, policy_set, entities, schema))


CASES = [
    ("denied-tool", lambda: tool_call("payments.charge", {"amount": 100, "currency": "USD"}), "deny"),
    (
        "allowed-tool-schema",
        lambda: tool_call("email.send", {"recipient": "colleague@company.com", "subject": "Quote", "body": "Hello"}),
        "allow",
    ),
    (
        "approval-condition",
        lambda: tool_call("email.send", {"recipient": "user@gmail.com", "subject": "Quote", "body": "Hello"}),
        "needs_approval",
    ),
    ("http-allowlist", lambda: http_request("GET", "https://api.company.com/customers?limit=5"), "allow"),
]


def measure(body):
    for _ in range(batch * 10):
        body()
    per_call = []
    for _ in range(samples):
        start = time.perf_counter_ns()
        for _ in range(batch):
            body()
        per_call.append((time.perf_counter_ns() - start) / batch)
    per_call.sort()
    return per_call[len(per_call) // 2], per_call[min(len(per_call) - 1, len(per_call) * 99 // 100)]


# The schema really is enforced: an extra or a missing field is refused.
assert tool_call("email.send", {"recipient": "a@company.com", "subject": "s", "body": "b", "bcc": "x"}) == "deny"
assert tool_call("email.send", {"recipient": "a@company.com", "subject": "s"}) == "deny"

for name, body, expected in CASES:
    got = body()
    if got != expected:
        sys.exit(f"cedar peer: {name}: expected {expected}, got {got}")
    median, p99 = measure(body)
    print(json.dumps({"case": name, "impl": "cedar", "median_ns": median, "p99_ns": p99}))
