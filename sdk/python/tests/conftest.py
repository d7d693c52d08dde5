"""Fixtures: a live 3-node cluster per test module (seeded with one tenant, one agent and its
policy), stopped by PID at the end, also on failure."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest

# The tests run against this tree's sources, whatever copy of the package is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from cluster import Cluster  # noqa: E402

AGENT = "sdk_agent"
KEY = "SDK-TEST-AGENT-KEY-0123456789"
POLICY = """agent: "sdk_agent"
tools:
  allow: ["crm.read", "email.draft", "email.send", "payments.refund"]
  deny: ["payments.charge", "prod_db.*"]
  approvals:
    - tool: "email.send"
      condition: "recipient not endswith('@company.com')"
      require: "human"
network:
  deny_all_others: true
  allow_domains: ["api.company.com"]
budgets:
  max_requests_per_day: 100000
  max_chain_depth: 4
logging: {redact: [CREDIT_CARD]}
"""


@contextmanager
def seeded(live: Cluster, tenant: str) -> Iterator[Cluster]:
    """``live`` started and seeded with the test agent and its policy; stopped at the end."""
    try:
        live.start_all()
        live.seed(tenant, AGENT, KEY, POLICY)
        yield live
    finally:
        live.stop_all()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    with seeded(Cluster(tmp_path_factory.mktemp("cluster")), "sdk_tenant") as live:
        yield live
