"""The final state of every node after healing: status with digest (waiting, bounded, until the
members agree), the audit export and its verification, every agent's ledger, every approval."""

import asyncio
import datetime
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


async def audit(cluster, node_id, attempts=5):
    """The node's whole audit export, asked again (bounded) while it answers 503 or nothing. A
    30-minute run's export (about 80,000 records, 45 MB) streamed at about 250 KB/s from a debug
    build at load 20-25 (19:27 UTC, this round): minutes, so an attempt may take 15."""
    last = None
    for _ in range(attempts):
        try:
            answer = await http.call(cluster.nodes[node_id].http, "GET", "/v1/audit/export",
                                     headers={**cluster.admin, "Accept": "application/x-ndjson"}, timeout=900.0)
            if answer.status == 200:
                return [json.loads(line) for line in answer.body.splitlines() if line.strip()]
            last = f"{answer.status} {answer.body[:200]!r}"
        except (OSError, asyncio.TimeoutError) as error:
            last = repr(error)
        await asyncio.sleep(2.0)
    raise RuntimeError(f"node {node_id}: no audit export after {attempts} attempts (last: {last})")


async def verify(cluster, node_id):
    # About a second per 100,000 records on an idle machine (docs/api.md); far more at load.
    answer = await get(cluster, node_id, "/v1/audit/verify", timeout=300.0, attempts=3)
    return answer.json() if answer is not None else None


async def get(cluster, node_id, path, attempts=10, timeout=10.0):
    """A read asked again (bounded) while the node answers 503 or nothing; None if it never did."""
    for _ in range(attempts):
        try:
            answer = await http.call(cluster.nodes[node_id].http, "GET", path, headers=cluster.admin, timeout=timeout)
            if answer.status < 500:
                return answer
        except (OSError, asyncio.TimeoutError):
            pass
        await asyncio.sleep(1.0)
    return None


async def gather_bounded(calls, width=16):
    """Runs the coroutines `calls`, at most `width` at once (thousands of reads at the end)."""
    semaphore = asyncio.Semaphore(width)

    async def one(call):
        async with semaphore:
            return await call

    return await asyncio.gather(*(one(call) for call in calls))


# Exports and verifications at once on this many nodes: one at a time, a 5-node run's exports
# took about 5 minutes (each node streams its own, CPU-bound on its side); more at once on 2
# cores would only hold more 45 MB answers in memory.
MEMBER_WIDTH = 3


async def per_member(cluster, read, width=MEMBER_WIDTH):
    """`{member: await read(cluster, member)}`, at most `width` members asked at once."""
    members = list(cluster.members)
    return dict(zip(members, await gather_bounded([read(cluster, n) for n in members], width=width)))


def epoch_day(text):
    """Days since 1970-01-01 of a `YYYY-MM-DD` day (the audit's `budget.day`), or None."""
    try:
        return (datetime.date.fromisoformat(text) - datetime.date(1970, 1, 1)).days
    except (TypeError, ValueError):
        return None


async def ledgers(cluster, agents, node_id):
    async def one(agent):
        answer = await get(cluster, node_id, f"/v1/budgets/{agent.name}")
        fields = answer.json() if answer is not None and answer.status == 200 else None
        return agent.name, None if fields is None else {
            "requests": fields["requests_today"], "usd_micro": int(round(float(fields["spent_usd"]) * 1_000_000)),
            "day": epoch_day(fields.get("day"))}

    return dict(await gather_bounded([one(agent) for agent in agents]))


async def approvals(cluster, ids, node_id):
    async def one(approval):
        answer = await get(cluster, node_id, f"/v1/approvals/{approval}")
        return approval, answer.json() if answer is not None and answer.status == 200 else None

    return {k: v for k, v in await gather_bounded([one(a) for a in sorted(ids)]) if v is not None}


async def collect(cluster, agents, approval_ids):
    began = asyncio.get_event_loop().time()
    statuses = await converge(cluster)
    converged_after = asyncio.get_event_loop().time() - began
    exports = await per_member(cluster, audit)
    verifications = await per_member(cluster, verify)
    first = cluster.members[0]
    return {
        "statuses": statuses, "exports": exports, "verifications": verifications,
        "converged_after": converged_after,
        "ledgers": await ledgers(cluster, agents, first),
        # Every approval the history or the audit names: one created or consumed unseen too.
        "approvals": await approvals(cluster, set(approval_ids) | {
            r["approval_id"] for r in exports[first] if r.get("approval_id") is not None}, first),
    }
