"""`chaos/recheck DIR`: the checkers run again on a finished run's recorded files (history.jsonl,
audit.ndjson, and final_state.json when the run saved it), for example after a checker was fixed.
Convergence is not rechecked (it needs every node's export; the run's verdicts.json has it);
without final_state.json (runs before it was saved) the ledger comparison and the approvals are
left out too, and the output says so. Exit status 0 when every checker passed, 1 otherwise."""

import argparse
import json
import os
import sys

from .checkers import Verdict, acknowledged, approvals, availability, disk, linearizable, overspend
from .history import History
from .workload import Limits


def load(directory):
    history = History.load(os.path.join(directory, "history.jsonl"))
    with open(os.path.join(directory, "audit.ndjson")) as handle:
        audit = [json.loads(line) for line in handle if line.strip()]
    path = os.path.join(directory, "final_state.json")
    state = None
    if os.path.exists(path):
        with open(path) as handle:
            state = json.load(handle)
    return history, audit, state


def verdicts(history, audit, state, limits, min_allows, required_disk):
    rows = availability.measure(history.operations, history.faults, history.leaders)
    found = [
        overspend.check(audit, state["ledgers"] if state else {}, limits),
        acknowledged.check(history.operations, audit),
        linearizable.check(history.operations, limits, wall_started=history.wall_started),
        availability.check(history.operations, history.faults, history.leaders),
        availability.load_check(rows, min_allows),
        disk.check(history.faults, required=required_disk),
    ]
    if state:
        approval_states = {int(k): v for k, v in state["approvals"].items()}  # JSON keys are text
        found.insert(3, approvals.check(audit, approval_states))
    else:
        found[0].summary += " (no final_state.json: ledgers not compared)"
        found.append(Verdict("approvals", True, "not rechecked: the run saved no final_state.json"))
    return found


def main(arguments=None):
    parser = argparse.ArgumentParser(prog="chaos/recheck", description=__doc__)
    parser.add_argument("directory")
    parser.add_argument("--limits-generous", type=int, default=None,
                        help="as the run's (default: from final_state.json, else 1 as runs before it)")
    parser.add_argument("--min-allows-per-fault", type=int, default=0)
    options = parser.parse_args(sys.argv[1:] if arguments is None else arguments)
    history, audit, state = load(options.directory)
    generous = options.limits_generous or (state or {}).get("limits_generous", 1)
    found = verdicts(history, audit, state, Limits(generous=generous), options.min_allows_per_fault,
                     required_disk=False)
    for verdict in found:
        print(f"  {'PASS' if verdict.ok else 'FAIL'} {verdict.name}: {verdict.summary}")
        for problem in verdict.problems[:10]:
            print(f"       {problem}")
    return 0 if all(v.ok for v in found) else 1


if __name__ == "__main__":
    sys.exit(main())
