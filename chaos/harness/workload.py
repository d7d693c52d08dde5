"""The simulated agents: budgeted decisions, budget reads and approvals sent to random nodes
with the SDK's retry rules (agent_sandbox.transport.RetryPolicy: every node in turn, a
retryable failure retried with the same request id, a doubling pause up to 1 s, a deadline)."""

import asyncio
import time

from . import http

POLICY = """version: 1
agent: "{agent}"
defaults:
  decision: deny
  approval_group: human
tools:
  allow: ["work.do", "work.review"]
rules:
  - name: reviews
    match: work.review
    action: approval
    group: human
    approval_ttl: {ttl}s
    reason: "a review needs a person"
budgets:
  max_requests_per_day: {requests}
  max_usd_per_day: {usd}
"""

APPROVER = "chaos-approver"


class Limits:
    """The agents' daily budgets: every fourth agent (a0000, a0004, ...) has the base limits and
    runs into them early; the others have `generous` times more, so that decisions are still
    allowed (and debited) during the last faults of a run, not only denied at a limit."""

    def __init__(self, requests=20, usd_micro=1_500_000, approval_ttl=20, generous=1):
        self.requests = requests
        self.usd_micro = usd_micro
        self.approval_ttl = approval_ttl
        self.generous = generous

    def of(self, agent):
        """(max requests, max micro-USD) a day for the agent named `agent` (`aNNNN`)."""
        tight = self.generous == 1 or int(agent.lstrip("a") or 0) % 4 == 0
        factor = 1 if tight else self.generous
        return self.requests * factor, self.usd_micro * factor


class Agent:
    def __init__(self, name, tenant):
        self.name = name
        self.tenant = tenant
        self.key = f"CHAOS-KEY-{name}-0123456789"
        self.headers = {"X-Agent-Key": self.key}


async def provision(cluster, agents, limits, tenants):
    """Creates the tenants, the agents with their policies and the approver token (idempotent on
    retry: a 409 for something that exists is fine)."""
    for tenant in tenants:
        answer = await cluster.admin_call("POST", "/v1/tenants", {"name": tenant, "id": tenant})
        _expect(answer, f"tenant {tenant}")
    semaphore = asyncio.Semaphore(16)

    async def one(agent):
        async with semaphore:
            answer = await cluster.admin_call(
                "POST", f"/v1/tenants/{agent.tenant}/agents", {"agent_id": agent.name, "api_key": agent.key})
            _expect(answer, f"agent {agent.name}")
            requests, usd_micro = limits.of(agent.name)
            text = POLICY.format(agent=agent.name, ttl=limits.approval_ttl, requests=requests, usd=usd_micro / 1_000_000)
            answer = await cluster.admin_call("PUT", f"/v1/policies/{agent.name}", raw=text.encode(),
                                              headers={"Content-Type": "application/x-yaml"})
            if answer.status != 200 and not (answer.status == 409):
                raise RuntimeError(f"policy of {agent.name}: {answer.status} {answer.body[:300]!r}")

    await asyncio.gather(*(one(agent) for agent in agents))
    answer = await cluster.admin_call("POST", "/v1/tokens", {"id": APPROVER, "role": "approver"})
    _expect(answer, "approver token")
    token = (answer.json() or {}).get("token")
    answer = await cluster.admin_call("PUT", f"/v1/groups/human/members/{APPROVER}")
    _expect(answer, "approver group")
    return token


async def stop(load, workers):
    """Stops the simulated agents (bounded): `load` (a Workload or None) and its worker tasks."""
    if load is not None:
        load.stopping = True
    for worker in workers:
        worker.cancel()
    if workers:
        await asyncio.wait(workers, timeout=10.0)


def _expect(answer, what):
    if answer.status not in (200, 409):
        raise RuntimeError(f"provisioning {what}: {answer.status} {answer.body[:300]!r}")


class Caller:
    """The SDK's retry rules over the nodes the harness says are up, in a seeded order."""

    def __init__(self, cluster, rng, deadline=10.0, attempt_timeout=3.0, max_attempts=8):
        self.cluster = cluster
        self.rng = rng
        self.deadline = deadline
        self.attempt_timeout = attempt_timeout
        self.max_attempts = max_attempts

    def order(self):
        nodes = [self.cluster.nodes[n] for n in self.cluster.members if n in self.cluster.nodes]
        self.rng.shuffle(nodes)
        return nodes

    async def call(self, method, path, body=None, headers=None):
        """(answer or None, tried, outcome_unknown_seen): the first definite answer (2xx or a
        non-retryable 4xx), or None when the deadline or the attempts ran out; `tried` lists every
        attempt as [node id, what came back: an HTTP status, "refused", "timeout" or "broken"]."""
        limit = time.monotonic() + self.deadline
        tried, backoff, unknown = [], 0.1, False
        while True:
            for node in self.order():
                if len(tried) >= self.max_attempts or time.monotonic() >= limit:
                    return None, tried, unknown
                timeout = max(0.05, min(self.attempt_timeout, limit - time.monotonic()))
                try:
                    answer = await http.call(node.http, method, path, body=body, headers=headers, timeout=timeout)
                except ConnectionRefusedError:
                    tried.append([node.id, "refused"])
                    continue  # nothing was received
                except asyncio.TimeoutError:
                    tried.append([node.id, "timeout"])
                    unknown = True  # the request may have been received and proposed
                    continue
                except (OSError, asyncio.IncompleteReadError, ValueError, IndexError):
                    tried.append([node.id, "broken"])
                    unknown = True
                    continue
                tried.append([node.id, answer.status])
                error = (answer.json() or {}).get("error") if answer.status != 200 else None
                retryable = answer.status >= 500 or answer.status == 429 or (
                    isinstance(error, dict) and error.get("retryable") is True)
                if not retryable:
                    return answer, tried, unknown
                if isinstance(error, dict) and (error.get("outcome_unknown") or error.get("code") == "node_stopped"):
                    unknown = True  # a stopping node may have proposed it (docs/cluster.md, "Outcomes")
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 1.0)


def attempts_of(tried):
    """The fields every operation records about its attempts: the node that gave the final answer
    (or was asked last), how many attempts, and each of them."""
    return {"node": tried[-1][0] if tried else None, "attempts": len(tried), "tried": tried}


class Workload:
    """Workers that each pick a random agent and an operation, until stopped:
    - `decide`: `work.do` with a cost (0.01 to 0.20 USD), a fresh request id;
    - `review`: `work.review`, which needs a person's approval; once the approver voted, the
      agent asks again with a new request id (consuming an approval, or denied);
    - `read`: the agent's budget (`GET /v1/budgets/{agent}`, a linearizable read).
    The approver votes (approve or deny, from the seed) on the approvals the agents got."""

    def __init__(self, cluster, history, agents, rng, approver_token):
        self.cluster = cluster
        self.history = history
        self.agents = agents
        self.rng = rng
        self.approver = {"Authorization": f"Bearer {approver_token}"}
        self.pending = []  # (agent, params, approval id) waiting for a vote
        self.voted = []  # (agent, params, approval id, vote) whose agent should ask again
        self.stopping = False
        self.sequence = 0

    def request_id(self, agent):
        self.sequence += 1
        return f"{agent.name}-r{self.sequence}"

    async def decide(self, agent, tool, params, cost=None, purpose="decide"):
        body = {"request_id": self.request_id(agent), "tool": tool, "params": params}
        if cost is not None:
            body["cost_usd"] = cost / 1_000_000
        invoked = self.history.now()
        caller = Caller(self.cluster, self.rng)
        answer, tried, unknown = await caller.call("POST", "/v1/decisions", body, agent.headers)
        operation = {
            "type": "decide", "purpose": purpose, "agent": agent.name, "request_id": body["request_id"],
            "tool": tool, "cost_micro": cost or 0, "invoke": invoked, "complete": self.history.now(),
            **attempts_of(tried), "maybe_applied": unknown,
        }
        if answer is None:
            operation["status"] = "unknown" if unknown or tried else "error"
        elif answer.status != 200:
            operation["status"] = "error"
            operation["http"] = answer.status
            operation["error"] = ((answer.json() or {}).get("error") or {}).get("code")
        else:
            fields = answer.json() or {}
            budget = fields.get("budget") or {}
            operation.update({
                "status": "ok", "decision": fields.get("decision"), "rule": fields.get("rule"),
                "decision_id": fields.get("decision_id"), "approval_id": fields.get("approval_id"),
                "replayed": fields.get("replayed"), "requests": budget.get("requests_today"),
                "usd_micro": _micro(budget.get("spent_usd")),
            })
        self.history.record(operation)
        return operation

    async def read(self, agent):
        invoked = self.history.now()
        caller = Caller(self.cluster, self.rng, deadline=5.0)
        answer, tried, _ = await caller.call("GET", f"/v1/budgets/{agent.name}", None, agent.headers)
        operation = {"type": "read", "agent": agent.name, "invoke": invoked, "complete": self.history.now(),
                     **attempts_of(tried)}
        if answer is not None and answer.status == 200:
            fields = answer.json() or {}
            operation.update({"status": "ok", "day": fields.get("day"), "requests": fields.get("requests_today"),
                              "usd_micro": _micro(fields.get("spent_usd"))})
        else:
            operation["status"] = "error"
        self.history.record(operation)

    async def vote(self):
        agent, params, approval, choice = self.pending.pop(self.rng.randrange(len(self.pending)))
        invoked = self.history.now()
        caller = Caller(self.cluster, self.rng)
        answer, tried, unknown = await caller.call(
            "POST", f"/v1/approvals/{approval}/decision", {"decision": choice}, self.approver)
        operation = {"type": "vote", "agent": agent.name, "approval_id": approval, "vote": choice,
                     "invoke": invoked, "complete": self.history.now(), **attempts_of(tried)}
        if answer is not None:
            operation["status"] = "ok" if answer.status == 200 else "refused"
            operation["http"] = answer.status
            operation["approval_status"] = (answer.json() or {}).get("status")
        else:
            operation["status"] = "unknown" if unknown else "error"
        self.history.record(operation)
        self.voted.append((agent, params, approval, choice))

    async def worker(self):
        while not self.stopping:
            roll = self.rng.random()
            agent = self.rng.choice(self.agents)
            if roll < 0.08 and self.voted:
                asked, params, _, _ = self.voted.pop(self.rng.randrange(len(self.voted)))
                await self.decide(asked, "work.review", params, purpose="collect")
            elif roll < 0.14 and self.pending:
                await self.vote()
            elif roll < 0.20:
                params = {"doc": self.rng.randrange(1 << 30)}
                operation = await self.decide(agent, "work.review", params, purpose="review")
                if operation.get("decision") == "needs_approval" and operation.get("approval_id"):
                    choice = "approve" if self.rng.random() < 0.8 else "deny"
                    self.pending.append((agent, params, operation["approval_id"], choice))
            elif roll < 0.32:
                await self.read(agent)
            else:
                await self.decide(agent, "work.do", {"n": self.rng.randrange(1000)},
                                  cost=self.rng.randrange(1, 21) * 10_000)


def _micro(value):
    if value is None:
        return None
    return int(round(float(value) * 1_000_000))
