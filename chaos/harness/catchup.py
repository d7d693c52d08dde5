"""`chaos/catchup`: one membership add under load (or `--adds N` in a row, each after a follower
was killed and removed), measured. A cluster (no fault proxy) takes decisions until its log holds
`--entries` entries (the log compacted behind them, so a new member needs a snapshot of the
state), then a new node joins (`--join`) and is added as a voter while the load goes on. Printed: how long the add took and its attempts, the snapshot sent, every leader
and term seen while it ran (the nodes polled every 0.1 s), each node's leader changes
(`sandbox_raft_leader_changes_total`), and the CPU each node's threads used during the add (from
/proc: which thread competed with the leader's loop). Exit status 0 when every add succeeded."""

import argparse
import asyncio
import json
import os
import random
import re
import sys
import tempfile
import time

from . import cluster as clusters
from . import http, workload
from .history import History
from .proxy import FaultProxy
from .run import watch_leaders


def parse(arguments):
    parser = argparse.ArgumentParser(prog="chaos/catchup", description=__doc__)
    parser.add_argument("--nodes", type=int, default=5, choices=(3, 5))
    parser.add_argument("--entries", type=int, default=12000, help="grow the log to this index before the add")
    parser.add_argument("--compact-after", type=int, default=2000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--workers", type=int, default=12)
    parser.add_argument("--after", type=float, default=5.0, help="seconds of load after the add")
    parser.add_argument("--baseline", type=float, default=15.0,
                        help="seconds of load watched before the add (leader changes without it)")
    parser.add_argument("--binary", default=os.environ.get("SANDBOXD", ".build/debug/sandboxd"))
    parser.add_argument("--out", default=None)
    parser.add_argument("--base-port", type=int, default=os.environ.get("CHAOS_BASE_PORT", "18700"),
                        help="node N on BASE+3(N-1) (HTTP), +1 (peer), +2 (fault proxy); "
                             "default $CHAOS_BASE_PORT or 18700")
    parser.add_argument("--tick-ms", type=int, default=50)
    parser.add_argument("--proxy", action="store_true", help="peers through the harness's fault proxy (as chaos/run)")
    parser.add_argument("--replace", action="store_true",
                        help="first kill a follower and remove it (as chaos/run's wipe-rejoin)")
    parser.add_argument("--adds", type=int, default=1,
                        help="adds in a row, each after a follower was killed and removed (the first as --replace says)")
    parser.add_argument("--slow", type=float, default=0.0,
                        help="with --proxy: seconds added to each chunk on the leader's links during the add")
    return parser.parse_args(arguments)


def thread_figures(pid):
    """{thread name: (seconds on a CPU, seconds runnable but waiting for one)} of the process
    `pid` (/proc schedstat; NIO's numbered threads summed under one name)."""
    result = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return result
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as handle:
                name = re.sub(r"\d+$", "N", handle.read().strip())
            with open(f"/proc/{pid}/task/{task}/schedstat") as handle:
                ran, waited, _ = handle.read().split()
        except (OSError, ValueError):
            continue
        before = result.get(name, (0.0, 0.0))
        result[name] = (before[0] + int(ran) / 1e9, before[1] + int(waited) / 1e9)
    return result


def sched_delta(after, before):
    """Per thread: CPU seconds and seconds waiting for a CPU between two readings (threads
    that used less than 0.1 s left out)."""
    deltas = {name: {"cpu": round(a[0] - before.get(name, (0, 0))[0], 2),
                     "waited_for_cpu": round(a[1] - before.get(name, (0, 0))[1], 2)}
              for name, a in after.items()}
    return {name: d for name, d in deltas.items() if d["cpu"] >= 0.1}


def metric(text, name):
    for line in text.splitlines():
        if line.startswith(name + " ") or line.startswith(name + "{"):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def metrics(cluster, node_id):
    try:
        answer = await http.call(cluster.nodes[node_id].http, "GET", "/metrics", timeout=5.0)
        return answer.body.decode() if answer.status == 200 else ""
    except (OSError, asyncio.TimeoutError):
        return ""


async def grow(cluster, target, started):
    while True:
        status = await cluster.status(await cluster.wait_leader(30.0) or cluster.members[0])
        index = (status or {}).get("applied_index") or 0
        if index >= target:
            return index
        print(f"  {time.monotonic() - started:5.0f} s: applied index {index} of {target}", flush=True)
        await asyncio.sleep(5.0)


async def experiment(options, root):
    cluster = clusters.Cluster(os.path.abspath(options.binary), root, options.nodes, tick_ms=options.tick_ms,
                               environment={"SANDBOX_COMPACT_AFTER": str(options.compact_after)},
                               base_port=options.base_port)
    proxy = FaultProxy() if options.proxy else None
    if proxy is None:
        for node in cluster.nodes.values():
            node.proxy = node.peer  # no fault proxy: peers dial each other directly
    history = History()
    lags = []
    stop = asyncio.Event()
    load, workers, watcher = None, [], None
    try:
        await cluster.start_all(proxy)
        agents = [workload.Agent(f"a{i:04d}", f"t{i % 3}") for i in range(options.agents)]
        limits = workload.Limits(generous=1000)
        token = await workload.provision(cluster, agents, limits, ["t0", "t1", "t2"])
        load = workload.Workload(cluster, history, agents, random.Random(1), token)
        history.started = time.monotonic()
        workers = [asyncio.ensure_future(load.worker()) for _ in range(options.workers)]
        began = time.monotonic()
        index = await grow(cluster, options.entries, began)
        print(f"grown to applied index {index} in {time.monotonic() - began:.0f} s; load {os.getloadavg()}",
              flush=True)
        before = {n: metric(await metrics(cluster, n), "sandbox_raft_leader_changes_total") for n in cluster.members}
        watcher = asyncio.ensure_future(watch_leaders(cluster, history, stop))
        lagger = asyncio.ensure_future(loop_lag(lags, stop))
        base_began = history.now()
        sched_base = {n: thread_figures(cluster.nodes[n].process.pid) for n in cluster.members}
        await asyncio.sleep(options.baseline)
        sched_before = {n: thread_figures(cluster.nodes[n].process.pid) for n in cluster.members}
        baseline = {"seconds": round(history.now() - base_began, 2),
                    "leader_changes": sum(1 for t, _ in history.leaders if t >= base_began) - 1,
                    "threads": {n: sched_delta(sched_before[n], sched_base[n]) for n in sched_before}}
        samples = {}
        sampler = asyncio.ensure_future(sample_threads(cluster, samples, stop))
        adds = []
        for round_ in range(options.adds):
            answer, trace, window = await add_one(cluster, proxy, history, options, replace=options.replace or round_ > 0)
            adds.append({"status": answer.status, "seconds": round(window[1] - window[0], 2),
                         "leader_changes": sum(1 for t, _ in history.leaders if window[0] <= t <= window[1])})
            add_began = window[0] if round_ == 0 else add_began
            add_ended = window[1]
        await asyncio.sleep(options.after)
        stop.set()
        await watcher
        await lagger
        await sampler
        texts = {n: await metrics(cluster, n) for n in cluster.members}
        result = summary(history, answer, trace, (add_began, add_ended), before, texts)
        result["adds"] = adds
        result["baseline"] = baseline
        result["add_threads"] = {n: sched_delta(samples.get(n, {}), sched_before.get(n, {})) for n in samples}
        result["harness_loop_lag_s"] = {"worst": round(max(lags, default=0), 3),
                                        "over_0.2": sum(1 for lag in lags if lag > 0.2)}
        return result
    finally:
        await workload.stop(load, workers)
        stop.set()
        await cluster.stop_all()
        if proxy is not None:
            await proxy.close()


async def add_one(cluster, proxy, history, options, replace):
    """One membership add (after killing and removing a follower with `replace`): the answer, its
    attempts and its (began, ended) window."""
    if replace:
        leader = await cluster.wait_leader(30.0)
        victim = next(n for n in reversed(cluster.members) if n != leader)
        await cluster.stop(victim, clusters.signals.SIGKILL)
        await cluster.admin_call("DELETE", f"/v1/cluster/members/{victim}", timeout=30.0)
        cluster.members.remove(victim)
    if proxy is not None and options.slow > 0:
        leader = await cluster.wait_leader(30.0)
        for follower in cluster.members:
            if follower != leader:
                proxy.set_delay(leader, follower, options.slow)
    newcomer = cluster.add_node()
    node = cluster.nodes[newcomer]
    if proxy is None:
        node.proxy = node.peer
    else:
        await proxy.listen(newcomer, node.proxy, node.peer)
    cluster.start(newcomer, join=True)
    body = {"id": newcomer, "peer": f"127.0.0.1:{node.proxy}", "http": f"127.0.0.1:{node.http}",
            "role": "voter", "catch_up_timeout_s": 60}
    trace, began = [], history.now()
    answer = await cluster.admin_call("POST", "/v1/cluster/members", body, timeout=150.0, attempt_timeout=70.0,
                                      trace=trace)
    ended = history.now()
    cluster.members.append(newcomer)
    if proxy is not None:
        proxy.heal()
    print(f"add of node {newcomer}: {answer.status} in {ended - began:.2f} s", flush=True)
    return answer, trace, (began, ended)


async def sample_threads(cluster, samples, stop):
    """The scheduler figures of every node's threads, every 0.2 s (a thread that ended keeps its
    last sample)."""
    while not stop.is_set():
        for node_id in list(cluster.members) + [n for n in cluster.nodes if n not in cluster.members]:
            node = cluster.nodes[node_id]
            if node.alive:
                samples.setdefault(node_id, {}).update(thread_figures(node.process.pid))
        await asyncio.sleep(0.2)


async def loop_lag(lags, stop):
    """How late the harness's own event loop wakes from 50 ms sleeps (with --proxy, every peer
    frame waits on this loop)."""
    loop = asyncio.get_event_loop()
    while not stop.is_set():
        began = loop.time()
        await asyncio.sleep(0.05)
        lags.append(loop.time() - began - 0.05)


def summary(history, answer, trace, window, before, texts):
    began, ended = window
    terms = sorted({v["term"] for v in history.views if v["term"] is not None})
    changes = [(round(t, 2), leader) for t, leader in history.leaders]
    decisions = [o for o in history.operations if o.get("type") == "decide" and began <= o["complete"] <= ended]
    result = {
        "add": {"status": answer.status, "seconds": round(ended - began, 2), "attempts": trace,
                "body": answer.json()},
        "leaders_seen": changes,
        "leader_changes_during_add": sum(1 for t, _ in history.leaders if began <= t <= ended),
        "terms_seen": terms,
        "leader_changes_per_node": {n: metric(texts[n], "sandbox_raft_leader_changes_total") - before.get(n, 0)
                                    for n in texts},
        "snapshots_sent": sum(metric(t, "sandbox_snapshots_sent_total") for t in texts.values()),
        "snapshots_failed": sum(metric(t, "sandbox_snapshots_failed_total") for t in texts.values()),
        "snapshot_bytes_sent": sum(metric(t, "sandbox_snapshot_bytes_sent_total") for t in texts.values()),
        "decisions_during_add": len(decisions),
        "load": os.getloadavg(),
    }
    return result


def main(arguments=None):
    options = parse(sys.argv[1:] if arguments is None else arguments)
    root = options.out or tempfile.mkdtemp(prefix="catchup-")
    print(f"chaos/catchup: {options.nodes} nodes, log to {options.entries} entries; nodes under {root}", flush=True)
    try:
        result = asyncio.run(experiment(options, os.path.join(root, "nodes")))
    except RuntimeError as error:
        print(f"chaos/catchup: {error} (logs under {root})", file=sys.stderr)
        return 2
    with open(os.path.join(root, "catchup.json"), "w") as handle:
        json.dump(result, handle, indent=1)
    print(json.dumps(result, indent=1))
    return 0 if all(add["status"] == 200 for add in result["adds"]) else 1


if __name__ == "__main__":
    sys.exit(main())
