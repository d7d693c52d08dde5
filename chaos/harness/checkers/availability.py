"""Availability (reported, not judged): for each fault, the longest time without a successful
decision between its start and the cluster's recovery, and, for faults that take the leader
away, the time until another node led; the median and worst per fault type. And the load each
fault saw (judged): the answered decisions and the allows (debits) in flight during its window —
from its start to 2 s after the recovery (`SETTLE`, when the requests caught by the fault finish
their retries) — which a run can require a minimum of (`--min-allows-per-fault`): a fault that
runs while every budget is spent tests nothing about lost or doubled debits."""

import bisect
from collections import defaultdict

from . import Verdict

SETTLE = 2.0

LEADER_FAULTS = {"kill-leader", "pause-leader", "partition-leader", "one-way-leader", "disk-full-leader",
                 "silent-partition-leader"}


def longest_gap(successes, start, end):
    """The longest stretch of [start, end] holding no time of `successes` (sorted)."""
    first = bisect.bisect_left(successes, start)
    last = bisect.bisect_right(successes, end)
    points = [start] + successes[first:last] + [end]
    return max(b - a for a, b in zip(points, points[1:]))


def new_leader_after(leaders, start, old):
    for at, leader in leaders:
        if at >= start and leader not in (0, old):
            return at - start
    return None


def in_flight(operations, start, end):
    """How many of `operations` were in flight at some time of [start, end]."""
    return sum(1 for o in operations if o["invoke"] <= end and o["complete"] >= start)


def measure(operations, faults, leaders):
    answered = [o for o in operations if o["type"] == "decide" and o.get("status") == "ok"]
    successes = sorted(o["complete"] for o in answered)
    allows = [o for o in answered if o.get("decision") == "allow"]
    rows = []
    for fault in faults:
        end = fault.get("recovered", fault["end"])
        row = {"kind": fault["kind"], "start": fault["start"], "gap": longest_gap(successes, fault["start"], end),
               "decisions": in_flight(answered, fault["start"], end + SETTLE),
               "allows": in_flight(allows, fault["start"], end + SETTLE)}
        if fault["kind"] in LEADER_FAULTS:
            row["failover"] = new_leader_after(leaders, fault["start"], fault.get("leader_before"))
        rows.append(row)
    return rows


def summarize(rows):
    by_kind = defaultdict(list)
    for row in rows:
        by_kind[row["kind"]].append(row)
    table = {}
    for kind, entries in sorted(by_kind.items()):
        gaps = sorted(r["gap"] for r in entries)
        failovers = sorted(r["failover"] for r in entries if r.get("failover") is not None)
        table[kind] = {
            "count": len(entries), "gap_median": gaps[len(gaps) // 2], "gap_worst": gaps[-1],
            "failover_median": failovers[len(failovers) // 2] if failovers else None,
            "failover_worst": failovers[-1] if failovers else None,
        }
    return table


def load_check(rows, minimum):
    """Fails when a fault saw fewer than `minimum` allowed decisions (debits) while it lasted."""
    starved = [r for r in rows if r["allows"] < minimum]
    counts = sorted(r["allows"] for r in rows)
    summary = (f"allows per fault window: fewest {counts[0]}, median {counts[len(counts) // 2]} "
               f"(required: {minimum}); decisions per window: fewest "
               f"{min(r['decisions'] for r in rows)}") if rows else "no faults"
    problems = [f"{r['kind']} at {r['start']:.1f} s: {r['allows']} allows, {r['decisions']} decisions "
                f"while it lasted (required: {minimum} allows)" for r in starved]
    return Verdict("load during faults", not starved, summary, problems)


def check(operations, faults, leaders):
    table = summarize(measure(operations, faults, leaders))
    worst = max((v["gap_worst"] for v in table.values()), default=0.0)
    summary = f"{len(faults)} faults of {len(table)} kinds; the longest gap without a decision {worst:.2f} s"
    verdict = Verdict("availability", True, summary)
    verdict.table = table
    return verdict
