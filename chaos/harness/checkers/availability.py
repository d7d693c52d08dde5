"""Availability (reported, not judged): for each fault, the longest time without a successful
decision between its start and the cluster's recovery, and, for faults that take the leader
away, the time until another node led; the median and worst per fault type."""

import bisect
from collections import defaultdict

from . import Verdict

LEADER_FAULTS = {"kill-leader", "pause-leader", "partition-leader", "one-way-leader"}


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


def measure(operations, faults, leaders):
    successes = sorted(o["complete"] for o in operations if o["type"] == "decide" and o.get("status") == "ok")
    rows = []
    for fault in faults:
        end = fault.get("recovered", fault["end"])
        row = {"kind": fault["kind"], "start": fault["start"], "gap": longest_gap(successes, fault["start"], end)}
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


def check(operations, faults, leaders):
    table = summarize(measure(operations, faults, leaders))
    worst = max((v["gap_worst"] for v in table.values()), default=0.0)
    summary = f"{len(faults)} faults of {len(table)} kinds; the longest gap without a decision {worst:.2f} s"
    verdict = Verdict("availability", True, summary)
    verdict.table = table
    return verdict
