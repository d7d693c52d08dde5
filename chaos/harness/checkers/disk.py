"""A full disk: the node must stop (or refuse to start) cleanly — an exit status, not a signal —
and recover without damage once space is freed (that part is the convergence checker's: the
node's state digest and audit chain are compared with the others'). sandboxd exits with status
74 naming the full disk (docs/storage.md, "A full disk"); an abort (RocksDB's assertion), or a
node that had to be killed because SIGTERM did not stop it, fails the verdict. A harness
without a tmpfs cannot fill a disk: that skip is reported, and fails the verdict when the run
asked for disk-full faults (`required`)."""

import signal

from . import Verdict


def describe(status):
    if status is None:
        return "kept running"
    if status < 0:
        return f"killed by {signal.Signals(-status).name}"
    return f"exited {status}"


def check(faults, required=False):
    episodes = [f for f in faults if f["kind"].startswith("disk-full")]
    skipped = sum(1 for f in faults if str(f.get("instead_of", "")).startswith("disk-full"))
    problems = []
    for fault in episodes:
        stop, start = fault.get("stop_status_when_full"), fault.get("start_status_when_full")
        statuses = (stop, start, fault.get("start_stop_status_when_full"))
        if any(status is not None and status < 0 for status in statuses):
            problems.append(f"{fault['kind']}: node {fault['nodes'][0]} at {fault['start']:.1f} s, disk full: "
                            f"SIGTERM -> {describe(stop)}; restart -> {describe(start)}")
    summary = f"{len(episodes)} disk-full episodes" + (f" ({skipped} skipped: no tmpfs)" if skipped else "")
    clean = sorted({describe(f.get(k)) for f in episodes for k in ("stop_status_when_full", "start_status_when_full")})
    if episodes:
        summary += f"; stops and restarts on a full disk: {', '.join(clean)}"
    if problems:
        summary += f"; {len(problems)} not clean"
    if skipped and required:
        problems.append(f"{skipped} disk-full faults were replaced by follower kills: no tmpfs could be mounted "
                        "(run as root, or leave disk-full out of --faults)")
    return Verdict("disk full", not problems, summary, problems)
