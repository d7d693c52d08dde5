"""Convergence: after healing, every member reached the same applied index and state digest
(within the harness's bounded wait), the audit chain verifies on every node, and every node's
audit export is the same sequence of records."""

from . import Verdict


def check(statuses, verifications, exports, converged_after=None):
    problems = []
    indexes = {node: (status or {}).get("applied_index") for node, status in statuses.items()}
    digests = {node: (status or {}).get("state_digest") for node, status in statuses.items()}
    if None in indexes.values() or len(set(indexes.values())) != 1:
        problems.append(f"applied index per node: {indexes}")
    if None in digests.values() or len(set(digests.values())) != 1:
        problems.append(f"state digest per node: { {n: (d or '')[:12] for n, d in digests.items()} }")
    for node, verification in verifications.items():
        if not verification or verification.get("valid") is not True:
            problems.append(f"node {node}: audit verify answered {verification}")
    heads = {node: (len(records), records[-1].get("hash") if records else None) for node, records in exports.items()}
    if len(set(heads.values())) != 1:
        problems.append(f"audit exports differ (records, last hash): {heads}")
    some = next(iter(heads.values()), (0, None))
    summary = (f"{len(statuses)} nodes at applied index {sorted(set(indexes.values()), key=str)}, "
               f"{some[0]} audit records each, chain verified on {sum(1 for v in verifications.values() if v and v.get('valid'))}"
               + (f"; equal {converged_after:.1f} s into the final wait (load stopped, links healed, every member running)" if converged_after is not None else ""))
    return Verdict("convergence", not problems, summary, problems)
