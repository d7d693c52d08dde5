#!/usr/bin/env python3
"""The demo agent in Python, on the Python SDK (sdk/python): a sales assistant with fake tools
(CRM read, email draft and send, a payment charge, a refund, an HTTP fetch) that never touch the
outside world. It asks the cluster before every action and narrates each decision.

Usage: demos/python/demo_agent.py [--seed cluster/.local/seed.json] [--wait-for-human]
                                  [--kill-leader [CMD]]

The seed file is what `cluster/seed` writes for a running cluster (`cluster/local up`):
endpoints, the agents' keys, the approver's token, the viewer's token and the signing keys.
With --wait-for-human the external email waits (up to 5 minutes) for a person to approve it on
the approvals page instead of the demo's approver voting through the API. With --kill-leader the
leader is killed after step 2 (`cluster/local kill-leader`, or CMD) and the agent's next decision
is timed: a short pause while the cluster elects another leader, nothing lost.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Callable

import httpx

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "sdk" / "python" / "src"))  # run from a checkout without installing

from agent_sandbox import SandboxClient  # noqa: E402

AGENT = "sales_assistant"


# Fake tools: canned answers, nothing leaves the machine.
def crm_read(params: dict[str, Any]) -> str:
    return f"customer {params['customer_id']}: Dana Smith, ACME GmbH, plan Enterprise"


def email_draft(params: dict[str, Any]) -> str:
    return f"draft to {params['recipient']}: {params['subject']!r}"


def email_send(params: dict[str, Any]) -> str:
    return f"(pretend) sent to {params['recipient']}"


def payments_charge(params: dict[str, Any]) -> str:
    return f"(pretend) charged {params['amount']} {params['currency']}"


def payments_refund(params: dict[str, Any]) -> str:
    return f"(pretend) refunded {params['amount']} {params['currency']} on {params['order_id']}"


def http_fetch(url: str) -> str:
    return f"(pretend) 200 OK from {url}"


TOOLS: dict[str, Callable[[dict[str, Any]], str]] = {
    "crm.read": crm_read, "email.draft": email_draft, "email.send": email_send,
    "payments.charge": payments_charge, "payments.refund": payments_refund,
}


def say(text: str) -> None:
    print(text, flush=True)


def describe(decision: dict[str, Any]) -> str:
    where = "decided locally by the SDK" if decision.get("local") else "decided by the cluster"
    return f"{decision['decision'].upper()} ({where}; rule {decision.get('rule')}): {decision['reason']}"


class DemoAgent:
    def __init__(self, seed: dict[str, Any], client: SandboxClient) -> None:
        self.seed = seed
        self.client = client
        self.request_ids: list[str] = []

    def tool(self, step: str, name: str, params: dict[str, Any], chain_depth: int = 0) -> dict[str, Any]:
        decision = self.client.tool_call(name, params, chain_depth=chain_depth)
        self.request_ids.append(decision["request_id"])
        say(f"[{step}] {name} {json.dumps(params)} -> {describe(decision)}")
        if decision["decision"] == "allow":
            say(f"    tool ran: {TOOLS[name](params)}")
        return decision

    def fetch(self, step: str, url: str) -> dict[str, Any]:
        decision = self.client.http_request("GET", url)
        self.request_ids.append(decision["request_id"])
        say(f"[{step}] GET {url} -> {describe(decision)}")
        if decision["decision"] == "allow":
            say(f"    fetched: {http_fetch(url)}")
        return decision

    def operator(self, method: str, path: str, token: str, prefer: int, **kwargs: Any) -> tuple[str, httpx.Response]:
        """An operator's call, on the node at index ``prefer`` or, if it is down, the next one."""
        nodes = self.seed["endpoints"][prefer:] + self.seed["endpoints"][:prefer]
        for attempt in range(3 * len(nodes)):
            node = nodes[attempt % len(nodes)]
            try:
                answer = httpx.request(method, node + path, headers={"Authorization": f"Bearer {token}"},
                                       timeout=30, **kwargs)
            except httpx.HTTPError:
                continue
            if answer.status_code != 503:
                return node, answer
            time.sleep(0.2)
        raise SystemExit(f"demo_agent: no node answered {method} {path}")

    def approve_on_another_node(self, approval_id: int) -> None:
        """The human's part, played through the API by the seeded approver on the last node."""
        node, answer = self.operator("POST", f"/v1/approvals/{approval_id}/decision", self.seed["approver"]["token"],
                                     -1, json={"decision": "approve", "comment": "ok for the demo"})
        say(f"    approver `{self.seed['approver']['id']}` approves approval {approval_id} on {node}: "
            f"HTTP {answer.status_code}")

    def email_with_approval(self, wait_for_human: bool) -> None:
        params = {"recipient": "dana@acme-customer.example", "subject": "Your renewal",
                  "body": "Hello Dana, here is the renewal offer."}
        first = self.tool("3", "email.send", params)
        if first["decision"] != "needs_approval":
            return
        approval = first["approval_id"]
        if wait_for_human:
            say(f"    waiting for a person to approve {approval} on {self.seed.get('approvals_url')} ...")
        else:
            self.approve_on_another_node(approval)
        resolved = self.client.wait_for_approval(approval, timeout=300 if wait_for_human else 30)
        say(f"    approval {approval} is {resolved['status']}")
        self.tool("3", "email.send", params)  # allowed once: the approval is consumed
        self.tool("3", "email.send", params)  # single use: a new approval is needed

    def audit(self) -> None:
        """Exports the audit from a node and finds this run's requests in it."""
        recorded = self.client.flush_local_denials(timeout=10)
        say(f"[9] local denials reported to the audit: {'all' if recorded else 'NOT all'}")
        token = self.seed["viewer"]["token"]
        node, answer = self.operator("GET", "/v1/audit/export", token, len(self.seed["endpoints"]) // 2)
        records = answer.json() if answer.status_code == 200 else []
        ours = [r for r in records if r.get("request_id") in set(self.request_ids)]
        say(f"[9] audit exported from {node}: {len(records)} records, {len(ours)} of this run's "
            f"{len(self.request_ids)} requests")
        _, verified = self.operator("GET", "/v1/audit/verify", token, len(self.seed["endpoints"]) // 2)
        say(f"[9] audit chain verified: {verified.json().get('valid') if verified.status_code == 200 else verified.text}")

    def kill_leader(self, command: str) -> None:
        """Kills the cluster's leader with ``command`` and times the agent's next decision."""
        done = subprocess.run(command, shell=True, cwd=ROOT, capture_output=True, text=True, timeout=60)
        say(f"[k] leader killed ({command}: {(done.stdout + done.stderr).strip() or done.returncode})")
        started = time.monotonic()
        decision = self.tool("k", "crm.read", {"customer_id": "43"})
        say(f"    the agent's next decision ({decision['decision']}) took {time.monotonic() - started:.2f} s "
            "(a node that does not answer is retried on another, under the same request id)")

    def run(self, wait_for_human: bool, kill_command: str | None) -> None:
        policy = self.client.wait_for_policy(timeout=10)
        if policy:
            say(f"[0] policy version {policy['version']} held, signature verified (key {policy['key_id']}); "
                f"local denials {'on' if policy['local_denials'] else 'off'}")
        self.tool("1", "crm.read", {"customer_id": "42"})
        self.tool("2", "email.draft", {"recipient": "dana@acme-customer.example", "subject": "Your renewal"})
        if kill_command:
            self.kill_leader(kill_command)
        self.email_with_approval(wait_for_human)
        self.tool("4", "payments.charge", {"amount": 120, "currency": "EUR"})
        self.tool("5", "payments.refund", {"order_id": "ORD-000042", "amount": 20, "currency": "EUR"})
        self.fetch("6", "https://api.company.com/v1/accounts/42")
        self.fetch("7", "https://exfiltrate.example.net/upload")
        self.tool("8", "crm.read", {"customer_id": "42"}, chain_depth=5)
        self.audit()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", default=str(ROOT / "cluster" / ".local" / "seed.json"))
    parser.add_argument("--wait-for-human", action="store_true")
    parser.add_argument("--kill-leader", nargs="?", const="cluster/local kill-leader", default=None, metavar="CMD",
                        help="kill the leader after step 2 with CMD (default: cluster/local kill-leader)")
    options = parser.parse_args()
    try:
        seed = json.loads(Path(options.seed).read_text())
    except (OSError, ValueError) as error:
        print(f"demo_agent: cannot read the seed file {options.seed} ({error}): start a cluster "
              "(cluster/local up) and seed it (cluster/seed) first", file=sys.stderr)
        return 2
    agent = next(a for a in seed["agents"] if a["agent_id"] == AGENT)
    keys = json.dumps({"keys": seed["keys"]})
    say(f"demo agent `{AGENT}` (Python SDK) against {', '.join(seed['endpoints'])}")
    started = time.monotonic()
    with SandboxClient(endpoints=seed["endpoints"], agent_id=AGENT, agent_api_key=agent["api_key"],
                       policy_public_key=keys) as client:
        DemoAgent(seed, client).run(options.wait_for_human, options.kill_leader)
    say(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
