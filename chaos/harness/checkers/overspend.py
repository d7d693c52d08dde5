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
    days = {day for (_, day) in spent}
    compared, skipped = 0, 0
    for agent, ledger in ledgers.items():
        if ledger is None:
            problems.append(f"{agent}: the final budget read failed")
            continue
        day = ledger.get("day")  # the ledger's own day (the budget read answers it)
        if day is None and len(days) == 1:
            (day,) = days  # a ledger read without its day, in a run within one day
        if day is None:
            skipped += 1
            continue
        compared += 1
        audited = tuple(spent.get((agent, day), (0, 0)))
        if audited != (ledger["requests"], ledger["usd_micro"]):
            problems.append(f"{agent}: ledger says {ledger['requests']} requests / {ledger['usd_micro']} micro-USD "
                            f"on day {day}, the audit's allowed decisions sum to {audited[0]} / {audited[1]}")
    allowed = sum(r for r, _ in spent.values())
    at_limit = {(r.get("agent"), (r.get("budget") or {}).get("day")) for r in decisions(audit)
                if str(r.get("rule", "")).startswith("budgets.")}
    summary = (f"{allowed} allowed decisions over {len(spent)} agent-days, {len(at_limit)} of them denied at a limit; "
               f"{compared} ledgers compared with the audit" + (f", {skipped} not (no day)" if skipped else ""))
    return Verdict("no overspend", not problems, summary, problems)
