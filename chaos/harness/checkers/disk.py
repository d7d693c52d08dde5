"""A full disk: the node must stop (or refuse to start) cleanly — an exit status, not a signal —
and recover without damage once space is freed (that part is the convergence checker's: the
node's state digest and audit chain are compared with the others'). A crash (abort) that
damages nothing is reported as a known defect, not hidden: see chaos/README.md."""

import signal

from . import Verdict


def describe(status):
    if status is None:
        return "kept running"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exited {status}"


def check(faults):
    episodes = [f for f in faults if f["kind"] == "disk-full"]
    skipped = sum(1 for f in faults if f.get("instead_of") == "disk-full")
    problems = []
    for fault in episodes:
        stop, start = fault.get("stop_status_when_full"), fault.get("start_status_when_full")
        if (stop is not None and stop < 0) or (start is not None and start < 0):
            problems.append(f"node {fault['nodes'][0]} at {fault['start']:.1f} s, disk full: SIGTERM -> "
                            f"{describe(stop)}; restart -> {describe(start)}")
    summary = f"{len(episodes)} disk-full episodes" + (f" ({skipped} skipped: no tmpfs)" if skipped else "")
    if problems:
        summary += f"; {len(problems)} not clean (no damage: see convergence)"
    verdict = Verdict("disk full", True, summary, problems)
    verdict.known_defect = bool(problems)
    return verdict
