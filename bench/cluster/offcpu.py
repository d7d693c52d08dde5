#!/usr/bin/env python3
"""Where the three sandboxd's Raft loops and apply threads wait: reads `perf script` output of
`sched:sched_switch` events recorded with call stacks (bench/cluster/offcpu.sh) and, per kind of
thread, sums the time from each switch-out to the thread's next switch-in, grouped by why it
switched out (the stack at the switch-out). Prints milliseconds per second of recording (over
all three nodes), switch-outs per decision and the mean wait."""
import collections
import re
import sys

SWITCH = re.compile(
    r"\s*\d+\s+([\d.]+): sched:sched_switch: prev_comm=(.*?) prev_pid=(\d+) .*?==> next_comm=(.*?) next_pid=(\d+)")


def kind(comm):
    for prefix in ("apply", "raft"):
        if comm.startswith(prefix + "-"):
            return prefix
    return None


def reason(thread, stack):
    text = " ".join(stack)
    if "sem_post" in text or "semaphore_signal" in text:
        return "preempted right after waking a Swift pool thread (answering a proposal)"
    if "RaftLogStore" in text and "fdatasync" in text:
        if "blkdev_issue_flush" in text:
            return "log write: fdatasync, the device's cache flush"
        if "write_inode" in text or "sync_dirty_buffer" in text:
            return "log write: fdatasync, writing the inode (the file grew, or its modification time moved)"
        return "log write: fdatasync, writing the data"
    if "RaftLogStore" in text:
        return "log write: other waits (the pwrite, a RocksDB write of a compaction point)"
    if "StateStore" in text:
        return "state write: RocksDB write queue (behind another thread's write)"
    if "exit_to_user_mode" in text or "reschedule_ipi" in text:
        return "preempted"
    if "futex" in text:
        return "idle: waiting for work" if thread == "apply" else "idle: waiting for events"
    return "other"


def main():
    path, seconds, decisions = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    events, current = [], None
    for line in open(path, errors="replace"):
        match = SWITCH.match(line)
        if match:
            if current:
                events.append(current)
            current = [float(match.group(1)), match.group(2), int(match.group(3)), match.group(4),
                       int(match.group(5)), []]
        elif current is not None and line.strip():
            parts = line.split(None, 1)
            if len(parts) == 2:
                current[5].append(parts[1].strip())
    if current:
        events.append(current)
    names, out = {}, {}
    total, count = collections.Counter(), collections.Counter()
    for time, prev_comm, prev, next_comm, nxt, stack in events:
        names[prev], names[nxt] = prev_comm, next_comm
        if kind(prev_comm):
            out[prev] = (time, reason(kind(prev_comm), stack))
        if nxt in out:
            start, why = out.pop(nxt)
            key = (kind(names[nxt]), why)
            total[key] += time - start
            count[key] += 1
    print(f"{'thread':6} {'ms/s':>7} {'per decision':>12} {'mean us':>8}  why it switched out")
    for (thread, why), spent in sorted(total.items(), key=lambda item: (item[0][0], -item[1])):
        n = count[(thread, why)]
        print(f"{thread:6} {spent * 1000 / seconds:7.1f} {n / max(decisions, 1):12.3f} {spent * 1e6 / n:8.0f}  {why}")


if __name__ == "__main__":
    main()
