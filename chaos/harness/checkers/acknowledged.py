"""Nothing acknowledged is lost: every decision a client got an answer for is in the audit, at
the sequence number it was given, with that answer; no request id is applied twice (a request
id has exactly one record: the state machine decides it once, `needs_approval` included, and an
agent collects its approval with a new request id — docs/state.md, decide rule 1); and
nothing is applied for a request after the answer its client got (the harness never asks again
with a request id that got a definite answer, so a later record is a late duplicate of an
earlier attempt taking effect unseen)."""

from collections import defaultdict

from . import Verdict, decisions


def check(operations, audit):
    by_seq = {record.get("seq"): record for record in audit}
    records = defaultdict(list)
    for record in decisions(audit):
        records[(record.get("agent"), record.get("request_id"))].append(record)
    problems = []
    acknowledged = 0
    for operation in operations:
        if operation["type"] != "decide" or operation.get("status") != "ok":
            continue
        acknowledged += 1
        key = (operation["agent"], operation["request_id"])
        record = by_seq.get(operation.get("decision_id"))
        if record is None or (record.get("agent"), record.get("request_id")) != key:
            problems.append(f"{key[0]} {key[1]}: answered {operation.get('decision')} "
                            f"(decision_id {operation.get('decision_id')}) but no such record in the audit")
        elif record.get("outcome") != operation.get("decision"):
            problems.append(f"{key[0]} {key[1]}: answered {operation.get('decision')}, "
                            f"the audit says {record.get('outcome')}")
        later = [r for r in records.get(key, []) if r.get("seq", 0) > (operation.get("decision_id") or 0)]
        if later and record is not None:
            problems.append(f"{key[0]} {key[1]}: answered {operation.get('decision')} (seq {record.get('seq')}), "
                            f"then applied again unseen: {later[0].get('outcome')} at seq {later[0].get('seq')}")
    for (agent, request_id), found in records.items():
        if len(found) > 1:
            problems.append(f"{agent} {request_id}: applied {len(found)} times (seq "
                            f"{', '.join(str(r.get('seq')) for r in found)})")
    unanswered = sum(1 for o in operations if o["type"] == "decide" and o.get("status") == "unknown")
    uncertain = sum(1 for o in operations if o["type"] == "decide" and o.get("maybe_applied"))
    summary = (f"{acknowledged} acknowledged decisions, {len(records)} request ids in the audit; "
               f"{uncertain} decisions had an attempt of unknown outcome, {unanswered} ended without an answer")
    return Verdict("nothing acknowledged lost", not problems, summary, problems)
