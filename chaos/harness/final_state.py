"""The final state of every node after healing: status with digest (waiting, bounded, until the
members agree), the audit export and its verification, every agent's ledger, every approval."""

import asyncio
import json

from . import http


async def converge(cluster, timeout=60.0):
    """Waits until every member reports the same applied index and digest; the last statuses."""
    deadline = asyncio.get_event_loop().time() + timeout
    while True:
        statuses = {n: await cluster.status(n, digest=True) for n in cluster.members}
        values = {(s or {}).get("applied_index") for s in statuses.values()}
        digests = {(s or {}).get("state_digest") for s in statuses.values()}
        if None not in values and len(values) == 1 and len(digests) == 1:
            return statuses
        if asyncio.get_event_loop().time() >= deadline:
            return statuses
        await asyncio.sleep(0.5)


async def audit(cluster, node_id):
    answer = await http.call(cluster.nodes[node_id].http, "GET", "/v1/audit/export",
                             headers={**cluster.admin, "Accept": "application/x-ndjson"}, timeout=120.0)
    if answer.status != 200:
        raise RuntimeError(f"node {node_id}: audit export answered {answer.status}")
    return [json.loads(line) for line in answer.body.splitlines() if line.strip()]


async def verify(cluster, node_id):
    try:
        answer = await http.call(cluster.nodes[node_id].http, "GET", "/v1/audit/verify",
                                 headers=cluster.admin, timeout=120.0)
        return answer.json()
    except (OSError, asyncio.TimeoutError):
        return None


async def ledgers(cluster, agents, node_id):
    result = {}
    for agent in agents:
        answer = await http.call(cluster.nodes[node_id].http, "GET", f"/v1/budgets/{agent.name}",
                                 headers=cluster.admin, timeout=10.0)
        fields = answer.json() if answer.status == 200 else None
        result[agent.name] = None if fields is None else {
            "requests": fields["requests_today"], "usd_micro": int(round(float(fields["spent_usd"]) * 1_000_000))}
    return result


async def approvals(cluster, ids, node_id):
    result = {}
    for approval in sorted(ids):
        answer = await http.call(cluster.nodes[node_id].http, "GET", f"/v1/approvals/{approval}",
                                 headers=cluster.admin, timeout=10.0)
        if answer.status == 200:
            result[approval] = answer.json()
    return result


async def collect(cluster, agents, approval_ids):
    statuses = await converge(cluster)
    exports = {n: await audit(cluster, n) for n in cluster.members}
    verifications = {n: await verify(cluster, n) for n in cluster.members}
    first = cluster.members[0]
    return {
        "statuses": statuses, "exports": exports, "verifications": verifications,
        "ledgers": await ledgers(cluster, agents, first),
        "approvals": await approvals(cluster, approval_ids, first),
    }
