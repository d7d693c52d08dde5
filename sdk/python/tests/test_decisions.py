"""Decisions, approvals and fail-closed against a live cluster."""

from __future__ import annotations

import threading
import time

from cluster import Cluster, eventually, free_base_port
from conftest import AGENT, KEY

from agent_sandbox import UNREACHABLE, SandboxClient


def test_mvp_interface_answers_allow_deny_and_needs_approval(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False, control_plane_base=cluster.url(1), agent_id=AGENT, agent_api_key=KEY,
                       tool_schemas={"crm.read": {"type": "object"}}) as client:
        allowed = client.tool_call("crm.read", {"customer_id": "42"})
        assert allowed["decision"] == "allow", allowed
        assert allowed["reason"] and allowed["decision_id"] > 0
        denied = client.tool_call("payments.charge", {"amount": 10})
        assert denied["decision"] == "deny" and "payments.charge" in denied["reason"], denied
        assert client.http_request("GET", "https://api.company.com/v1/x")["decision"] == "allow"
        assert client.http_request("get", "https://evil.example/")["decision"] == "deny"
        pending = client.tool_call("email.send", {"recipient": "a@gmail.com", "subject": "s", "body": "b"})
        assert pending["decision"] == "needs_approval" and pending["approval_id"] > 0, pending


def test_wait_for_approval_returns_when_an_approver_on_another_node_decides(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False, endpoints=cluster.urls[:1], agent_id=AGENT, agent_api_key=KEY) as client:
        params = {"recipient": "b@gmail.com", "subject": "s", "body": "wait"}
        pending = client.tool_call("email.send", params)
        approval = pending["approval_id"]
        assert client.wait_for_approval(approval, timeout=0.3)["status"] == "pending"
        token = cluster.admin("POST", "/v1/tokens", json={"id": "ann", "role": "approver", "tenant": "sdk_tenant"})
        cluster.admin("PUT", "/v1/groups/human/members/ann")
        started = time.monotonic()
        voted = cluster.http.post(cluster.url(3) + f"/v1/approvals/{approval}/decision",
                                  headers={"Authorization": f"Bearer {token['token']}"}, json={"decision": "approve"})
        assert voted.status_code == 200, voted.text
        resolved = client.wait_for_approval(approval, timeout=10)
        assert resolved["status"] == "approved" and time.monotonic() - started < 5
        retried = client.tool_call("email.send", params)
        assert retried["decision"] == "allow", retried
        assert client.tool_call("email.send", params)["decision"] == "needs_approval"  # single use


def test_fails_closed_within_the_deadline_when_no_node_answers() -> None:
    base = free_base_port(3)
    urls = [f"http://127.0.0.1:{base + offset}" for offset in range(3)]
    with SandboxClient(trust_env=False, endpoints=urls, agent_id=AGENT, agent_api_key=KEY, deadline=1.5) as client:
        started = time.monotonic()
        answer = client.tool_call("crm.read", {})
        elapsed = time.monotonic() - started
    assert answer["decision"] == "deny" and answer["reason"] == UNREACHABLE, answer
    assert elapsed < 3.0, elapsed


def test_a_definite_refusal_is_a_deny_and_is_not_retried(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False,
                       endpoints=cluster.urls, agent_id=AGENT, agent_api_key="WRONG-KEY-0123456789") as client:
        started = time.monotonic()
        answer = client.tool_call("crm.read", {})
    assert answer["decision"] == "deny" and answer["error"]["status"] == 401, answer
    assert time.monotonic() - started < 2.0


def test_execute_runs_the_tool_only_when_allowed_and_after_an_approval(cluster: Cluster) -> None:
    token = cluster.admin("POST", "/v1/tokens", json={"id": "bob", "role": "approver", "tenant": "sdk_tenant"})
    cluster.admin("PUT", "/v1/groups/human/members/bob")
    runs: list[str] = []
    with SandboxClient(trust_env=False, endpoints=cluster.urls, agent_id=AGENT, agent_api_key=KEY) as client:
        decision, result = client.execute("payments.charge", {"amount": 5}, lambda: runs.append("charge"))
        assert decision["decision"] == "deny" and result is None and runs == []
        decision, result = client.execute("crm.read", {"customer_id": "1"}, lambda: runs.append("read") or "row")
        assert decision["decision"] == "allow" and result == "row" and runs == ["read"]
        params = {"recipient": "c@gmail.com", "subject": "s", "body": "execute"}

        def approve_when_asked() -> None:
            pending = eventually("the approval", lambda: [a for a in cluster.admin(
                "GET", "/v1/approvals?status=pending")["approvals"] if a["payload_redacted"].get("body") == "execute"])
            cluster.http.post(cluster.url(2) + f"/v1/approvals/{pending[0]['id']}/decision",
                              headers={"Authorization": f"Bearer {token['token']}"}, json={"decision": "approve"})

        approver = threading.Thread(target=approve_when_asked)
        approver.start()
        decision, result = client.execute("email.send", params, lambda: runs.append("send") or "sent",
                                          approval_timeout=20)
        approver.join(30)
    assert decision["decision"] == "allow" and result == "sent" and runs == ["read", "send"], decision
