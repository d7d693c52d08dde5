"""No overspend: for every agent and day, the allowed decisions in the audit stay within the
policy's limits, and their sum equals the final ledger (`GET /v1/budgets/{agent}`)."""

from collections import defaultdict

from . import Verdict, decisions


def check(audit, ledgers, limits):
    spent = defaultdict(lambda: [0, 0])
    for record in decisions(audit):
        if record.get("outcome") != "allow":
            continue
        budget = record.get("budget") or {}
        key = (record.get("agent"), budget.get("day"))
        spent[key][0] += 1
        spent[key][1] += record.get("cost_usd_micros") or 0
    problems = []
    for (agent, day), (requests, micro) in sorted(spent.items(), key=str):
        max_requests, max_micro = limits.of(agent)
        if requests > max_requests or micro > max_micro:
            problems.append(f"{agent} day {day}: {requests} requests, {micro} micro-USD allowed; "
                            f"limits {max_requests}, {max_micro}")
    today = {}
    for agent, ledger in ledgers.items():
        if ledger is None:
            problems.append(f"{agent}: the final budget read failed")
            continue
        today[agent] = (ledger["requests"], ledger["usd_micro"])
    days = {day for (_, day) in spent}
    if len(days) == 1:
        (day,) = days
        for agent, (requests, micro) in today.items():
            audited = tuple(spent.get((agent, day), (0, 0)))
            if audited != (requests, micro):
                problems.append(f"{agent}: ledger says {requests} requests / {micro} micro-USD today, "
                                f"the audit's allowed decisions sum to {audited[0]} / {audited[1]}")
    allowed = sum(r for r, _ in spent.values())
    at_limit = {(r.get("agent"), (r.get("budget") or {}).get("day")) for r in decisions(audit)
                if str(r.get("rule", "")).startswith("budgets.")}
    summary = (f"{allowed} allowed decisions over {len(spent)} agent-days, {len(at_limit)} of them denied at a limit; "
               f"{len(today)} ledgers compared with the audit")
    return Verdict("no overspend", not problems, summary, problems)
