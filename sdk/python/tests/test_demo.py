"""The Python demo agent (demos/python) against a live cluster seeded as cluster/seed seeds it:
its narration shows each decision the story needs."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

from cluster import REPO, Cluster

DEMO = REPO / "demos" / "python" / "demo_agent.py"


def seed_like_cluster_seed(cluster: Cluster, out: Path) -> None:
    key = "DEV-AGENT-KEY-123"
    cluster.admin("POST", "/v1/tenants", json={"name": "Acme Corp", "id": "acme"})
    cluster.admin("POST", "/v1/tenants/acme/agents", json={"agent_id": "sales_assistant", "api_key": key})
    cluster.publish("sales_assistant", (REPO / "policies/examples/sales_agent.yaml").read_text())
    approver = cluster.admin("POST", "/v1/tokens", json={"id": "ann", "role": "approver", "tenant": "acme"})
    cluster.admin("PUT", "/v1/groups/human/members/ann")
    viewer = cluster.admin("POST", "/v1/tokens", json={"id": "audit-viewer", "role": "viewer"})
    keys = json.loads(cluster.keys_json())["keys"]
    out.write_text(json.dumps({
        "tenant": "acme", "endpoints": cluster.urls, "keys": keys,
        "agents": [{"agent_id": "sales_assistant", "api_key": key}],
        "approver": {"id": "ann", "token": approver["token"]},
        "viewer": {"id": "audit-viewer", "token": viewer["token"]},
        "approvals_url": cluster.url(1) + "/approvals"}))


def test_the_demo_narrates_every_decision_of_the_story(cluster: Cluster, tmp_path: Path) -> None:
    seed = tmp_path / "seed.json"
    seed_like_cluster_seed(cluster, seed)
    kill = f"kill -9 {cluster.processes[cluster.leader()].pid}"
    env = {name: value for name, value in os.environ.items() if not name.lower().endswith("_proxy")}
    run = subprocess.run([sys.executable, str(DEMO), "--seed", str(seed), "--kill-leader", kill],
                         capture_output=True, text=True, timeout=180, env=env)  # no proxy for 127.0.0.1
    out = run.stdout
    assert run.returncode == 0, out + run.stderr
    expected = [
        r"\[0\] policy version \d+ held, signature verified .* local denials on",
        r"\[1\] crm\.read .* -> ALLOW \(decided by the cluster",
        r"\[2\] email\.draft .* -> ALLOW",
        r"\[k\] leader killed \(kill -9 \d+",
        r"\[k\] crm\.read .* -> ALLOW",
        r"the agent's next decision \(allow\) took \d+\.\d+ s",
        r"\[3\] email\.send .* -> NEEDS_APPROVAL",
        r"approver `ann` approves approval \d+ on .*: HTTP 200",
        r"approval \d+ is approved",
        r"\[3\] email\.send .* -> ALLOW .*approv",
        r"\[3\] email\.send .* -> NEEDS_APPROVAL",
        r"\[4\] payments\.charge .* -> DENY \(decided locally by the SDK",
        r"\[5\] payments\.refund .* -> DENY \(decided locally by the SDK",
        r"\[6\] GET https://api\.company\.com/\S+ -> ALLOW \(decided by the cluster",
        r"\[7\] GET https://exfiltrate\.example\.net/upload -> DENY \(decided locally by the SDK",
        r"\[8\] crm\.read .* -> DENY \(decided by the cluster",
        r"\[9\] local denials reported to the audit: all",
        r"\[9\] audit exported from \S+: \d+ records, (\d+) of this run's \1 requests",
        r"\[9\] audit chain verified: True",
    ]
    position = 0
    for pattern in expected:
        found = re.compile(pattern).search(out, position)
        assert found, f"missing, in order: {pattern}\n--- narration ---\n{out}{run.stderr}"
        position = found.end()
