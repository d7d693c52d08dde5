"""Failover: a retry after a lost answer carries the same request id (the cluster debits once),
and a node killed in the middle of a run costs the agent no decision."""

from __future__ import annotations

import threading
import time
from typing import Any, Iterator

import pytest
from cluster import Cluster
from conftest import AGENT, KEY
from fakes import DroppingProxy

from agent_sandbox import UNREACHABLE, SandboxClient


@pytest.fixture(autouse=True)
def every_node_up(cluster: Cluster) -> Iterator[None]:
    """Each test starts with the three nodes up, whatever the one before killed (order-free)."""
    cluster.restore()
    yield


def requests_today(cluster: Cluster) -> int:
    answer = cluster.admin("GET", f"/v1/budgets/{AGENT}")
    return int(answer["requests_today"])


def test_a_lost_answer_is_retried_on_another_node_with_the_same_request_id(cluster: Cluster) -> None:
    proxy = DroppingProxy(cluster.url(1))
    before = requests_today(cluster)
    try:
        with SandboxClient(trust_env=False,
                           endpoints=[proxy.url, cluster.url(2)], agent_id=AGENT, agent_api_key=KEY) as client:
            answers = [client.tool_call("crm.read", {"customer_id": str(n)}) for n in range(10)]
    finally:
        proxy.close()
    assert all(answer["decision"] == "allow" for answer in answers), answers
    assert proxy.forwarded, "the proxy was never tried"
    by_id = {answer["request_id"]: answer for answer in answers}
    for key, status in proxy.forwarded:
        assert status == 200
        assert by_id[key]["replayed"] is True, by_id[key]  # node 2 answered the decision node 1 took
    assert requests_today(cluster) - before == len(answers)  # no duplicate debit


def test_killing_the_leader_mid_run_loses_no_decision_and_debits_each_once(cluster: Cluster) -> None:
    before = requests_today(cluster)
    answers: list[dict[str, Any]] = []
    killed = threading.Event()
    with SandboxClient(trust_env=False,
                       endpoints=cluster.urls, agent_id=AGENT, agent_api_key=KEY, deadline=20.0) as client:
        def run() -> None:
            for n in range(60):
                answers.append(client.tool_call("crm.read", {"n": n}))
                if n == 20:
                    killed.wait(10)
        worker = threading.Thread(target=run)
        worker.start()
        while len(answers) < 21 and worker.is_alive():
            time.sleep(0.01)
        cluster.kill(cluster.leader())
        killed.set()
        worker.join(60)
    assert len(answers) == 60
    assert [a["decision"] for a in answers].count("allow") == 60, [a for a in answers if a["decision"] != "allow"]
    assert requests_today(cluster) - before == 60


def test_with_every_node_down_the_client_fails_closed_within_its_deadline(cluster: Cluster) -> None:
    with SandboxClient(trust_env=False,
                       endpoints=cluster.urls, agent_id=AGENT, agent_api_key=KEY, deadline=2.0) as client:
        assert client.tool_call("crm.read", {})["decision"] == "allow"
        for node in list(cluster.processes):
            cluster.kill(node)
        started = time.monotonic()
        answers = [client.tool_call("crm.read", {}), client.http_request("GET", "https://api.company.com/")]
        elapsed = time.monotonic() - started
    assert all(a["decision"] == "deny" and a["reason"] == UNREACHABLE for a in answers), answers
    assert elapsed < 2 * 2.0 + 1.0, elapsed
