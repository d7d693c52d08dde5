"""Approvals: none consumed twice, none honoured after its expiry or after a deny, and none in
status `consumed` without an `allow` record naming it (consumed unseen). From the audit: each
`allow` record that names an approval consumed it; the approval's votes are its `approval_vote`
records; its expiry and status come from `GET /v1/approvals/{id}` at the end (every approval the
history or the audit names)."""

from collections import defaultdict

from . import Verdict, decisions


def check(audit, approvals):
    consumed = defaultdict(list)
    denied_at = {}
    for record in audit:
        if record.get("kind") == "approval_vote" and record.get("status") == "denied":
            denied_at.setdefault(record.get("approval_id"), record.get("seq"))
    for record in decisions(audit):
        if record.get("outcome") == "allow" and record.get("approval_id") is not None:
            consumed[record["approval_id"]].append(record)
    problems = []
    for approval, records in consumed.items():
        if len(records) > 1:
            problems.append(f"approval {approval} consumed {len(records)} times (seq "
                            f"{', '.join(str(r.get('seq')) for r in records)})")
        if approval in denied_at:
            problems.append(f"approval {approval} was denied (seq {denied_at[approval]}) and consumed "
                            f"(seq {records[0].get('seq')})")
        final = approvals.get(approval)
        if final is None:
            problems.append(f"approval {approval}: not found at the end")
            continue
        for record in records:
            if record.get("time_ms", 0) > final.get("expires_ms", 0):
                problems.append(f"approval {approval} consumed at {record.get('time_ms')} after its "
                                f"expiry {final.get('expires_ms')}")
        if final.get("status") != "consumed":
            problems.append(f"approval {approval} consumed by seq {records[0].get('seq')} but its status is "
                            f"{final.get('status')}")
    for approval, final in sorted(approvals.items(), key=str):
        if final and final.get("status") == "consumed" and approval not in consumed:
            problems.append(f"approval {approval} is consumed but no allow record names it")
    summary = (f"{len(approvals)} approvals, {len(consumed)} consumed, {len(denied_at)} denied")
    return Verdict("approvals", not problems, summary, problems)
