"""`chaos/run`: one run — a cluster, the load, the faults, the final state, the checkers, the
report. Exit status 0 when every checker passed, 1 when one failed (the run's directory keeps
the logs, the history and the report), 2 for a harness error."""

import argparse
import asyncio
import json
import os
import random
import signal
import sys
import time

from . import cluster as clusters
from . import faults, final_state, http, report, workload
from .checkers import acknowledged, approvals, availability, convergence, disk, linearizable, overspend
from .history import History
from .proxy import FaultProxy
from .stalls import StallWatch


def parse(arguments):
    parser = argparse.ArgumentParser(prog="chaos/run", description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", default="60s", help="how long to inject faults: 90s, 30m")
    parser.add_argument("--nodes", type=int, default=3, choices=(3, 5))
    parser.add_argument("--agents", type=int, default=0, help="agents (default: 100, more for long runs)")
    parser.add_argument("--tenants", type=int, default=3)
    parser.add_argument("--workers", type=int, default=12, help="concurrent simulated callers")
    parser.add_argument("--ci", action="store_true", help="the CI schedule: 10 leader kills and one of each other fault")
    parser.add_argument("--faults", default=None, help="these fault kinds in this order (comma-separated), "
                        f"instead of a random schedule: {', '.join(faults.KINDS)}")
    parser.add_argument("--binary", default=os.environ.get("SANDBOXD", ".build/debug/sandboxd"))
    parser.add_argument("--out", default=None, help="the run's directory (default chaos/runs/seed-S-TIME)")
    parser.add_argument("--broken", default=None,
                        help="start sandboxd with SANDBOX_CHAOS_BROKEN=VALUE (the checkers must then fail)")
    parser.add_argument("--tick-ms", type=int, default=50)
    parser.add_argument("--base-port", type=int, default=os.environ.get("CHAOS_BASE_PORT"),
                        help="node N on BASE+3(N-1) (HTTP), +1 (peer), +2 (fault proxy); "
                             "default $CHAOS_BASE_PORT, or ports the OS chooses")
    parser.add_argument("--min-allows-per-fault", type=int, default=0,
                        help="fail the run when a fault saw fewer allowed decisions than this (chaos/ci: 20)")
    parser.add_argument("--limits-generous", type=int, default=10,
                        help="three agents in four get this many times the base budget (1: all the same)")
    parser.add_argument("--no-tmpfs", action="store_true",
                        help="keep data directories on the disk (the disk-full fault then kills a follower instead)")
    return parser.parse_args(arguments)


def seconds(text):
    text = text.strip()
    for suffix, factor in (("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600)):
        if text.endswith(suffix) and text[: -len(suffix)].replace(".", "", 1).isdigit():
            return float(text[: -len(suffix)]) * factor
    return float(text)


async def watch_leaders(cluster, history, stop):
    """Every 0.1 s: the leader (of the running nodes that say they lead, the one in the highest
    term: a deposed leader may still claim it in an older one), and each node's own view (role,
    term, the leader it names) recorded whenever it changes. The nodes are asked at once."""
    last, views = None, {}
    while not stop.is_set():
        statuses = await cluster.statuses(timeout=0.5)
        for node_id, status in statuses.items():
            view = (status.get("role"), status.get("term"), status.get("leader")) if status else None
            if view != views.get(node_id):
                views[node_id] = view
                role, term, named = view or (None, None, None)
                history.views.append({"t": history.now(), "node": node_id, "role": role, "term": term,
                                      "leader": named})
        leader = clusters.leading(statuses) or 0
        if leader != last:
            history.leaders.append((history.now(), leader))
            last = leader
        await asyncio.sleep(0.1)


async def check_broken_shown(cluster, broken):
    """A node running a broken behaviour says so in /readyz (`chaos_broken`), and only then."""
    for node_id in cluster.members:
        answer = await http.call(cluster.nodes[node_id].http, "GET", "/readyz", timeout=5.0)
        shown = (answer.json() or {}).get("chaos_broken")
        if shown != broken:
            raise RuntimeError(f"node {node_id}'s /readyz names the broken behaviour {shown!r}, expected {broken!r}")


async def inject(nemesis, options, history, rng):
    duration = seconds(options.duration)
    episodes = faults.schedule(rng, 10_000, ci=options.ci, kinds=options.faults.split(",") if options.faults else None)
    fixed = options.ci or options.faults
    deadline = history.now() + duration
    done = 0
    for kind, hold, draw in episodes:
        if not fixed and history.now() >= deadline:
            break
        fault = await nemesis.run(kind, hold, draw)
        done += 1
        print(f"  {fault['start']:7.1f}s {kind} {fault['nodes']}: healed after "
              f"{fault['end'] - fault['start']:.1f} s, recovered after {fault['recovered'] - fault['start']:.1f} s",
              flush=True)
        await asyncio.sleep(rng.uniform(0.5, 1.5))
    return done


async def execute(options, directory):
    environment = {"SANDBOX_CHAOS_BROKEN": options.broken, "SANDBOX_CHAOS_UNSAFE": "1"} if options.broken else {}
    root = os.path.join(directory, "nodes")
    tmpfs = 0 if options.no_tmpfs or not clusters.Cluster.tmpfs_available(root) else 512
    cluster = clusters.Cluster(os.path.abspath(options.binary), root, options.nodes,
                               tick_ms=options.tick_ms, environment=environment, tmpfs_mb=tmpfs,
                               base_port=options.base_port)
    proxy = FaultProxy()
    history = History()
    rng = random.Random(options.seed)
    fault_rng = random.Random(f"faults-{options.seed}")
    agent_count = options.agents or min(2000, max(100, int(seconds(options.duration) * 1.5)))
    agents = [workload.Agent(f"a{i:04d}", f"t{i % options.tenants}") for i in range(agent_count)]
    limits = workload.Limits(generous=options.limits_generous)
    stop = asyncio.Event()
    load, workers = None, []
    stalls = StallWatch()
    try:
        await cluster.start_all(proxy)
        await check_broken_shown(cluster, options.broken)
        print(f"provisioning {len(agents)} agents over {options.tenants} tenants", flush=True)
        token = await workload.provision(cluster, agents, limits, [f"t{i}" for i in range(options.tenants)])
        load = workload.Workload(cluster, history, agents, rng, token)
        history.started, history.wall_started = time.monotonic(), time.time()
        workers = [asyncio.ensure_future(load.worker()) for _ in range(options.workers)]
        watcher = asyncio.ensure_future(watch_leaders(cluster, history, stop))
        stalls.start(origin=history.started)
        stall_watch = asyncio.ensure_future(stalls.run(stop))
        await asyncio.sleep(2.0)
        nemesis = faults.Nemesis(cluster, proxy, history, load)
        episodes = await inject(nemesis, options, history, fault_rng)
        await asyncio.sleep(2.0)
        load.stopping = True
        await asyncio.wait(workers, timeout=30.0)
        failed = [w.exception() for w in workers if w.done() and not w.cancelled() and w.exception()]
        if failed:  # its operation in flight is not in the history: the checkers could not explain it
            raise RuntimeError(f"a simulated agent failed: {failed[0]!r}")
        stop.set()
        await asyncio.wait([watcher, stall_watch], timeout=5.0)
        proxy.heal()
        for node_id in cluster.members:
            if not cluster.nodes[node_id].alive:
                cluster.start(node_id)
        await cluster.wait_leader(30.0)
        state = await final_state.collect(cluster, agents, {
            o["approval_id"] for o in history.operations if o.get("approval_id")})
        return history, state, limits, episodes
    finally:
        # On an error part-way (a node not ready, a fault that failed), the simulated agents
        # are still running: stop them first (bounded), or they keep calling stopped nodes and
        # the run never ends.
        await workload.stop(load, workers)
        stalls.stop()
        history.stalls = stalls.stalls
        print(f"  harness: {stalls.summary()}", flush=True)
        history.save(os.path.join(directory, "history.jsonl"))  # kept whatever happened
        stop.set()
        await cluster.stop_all()
        await proxy.close()


def judge(history, state, limits, min_allows=0, required_disk=False):
    audit = next(iter(state["exports"].values()))
    rows = availability.measure(history.operations, history.faults, history.leaders)
    return [
        overspend.check(audit, state["ledgers"], limits),
        acknowledged.check(history.operations, audit),
        linearizable.check(history.operations, limits, wall_started=history.wall_started),
        approvals.check(audit, state["approvals"]),
        convergence.check(state["statuses"], state["verifications"], state["exports"], state.get("converged_after")),
        availability.check(history.operations, history.faults, history.leaders),
        availability.load_check(rows, min_allows),
        disk.check(history.faults, required=required_disk),
    ]


def label(verdict):
    return "PASS" if verdict.ok else "FAIL"


def main(arguments=None):
    options = parse(sys.argv[1:] if arguments is None else arguments)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    directory = options.out or os.path.join("chaos", "runs", f"seed-{options.seed}-{stamp}")
    os.makedirs(directory, exist_ok=True)
    if not os.path.exists(options.binary):
        print(f"chaos/run: no sandboxd at {options.binary}: build it (swift build --product sandboxd) "
              "or give --binary", file=sys.stderr)
        return 2
    print(f"chaos run: seed {options.seed}, {options.nodes} nodes, {options.duration}"
          f"{' (CI schedule)' if options.ci else ''}{f', broken: {options.broken}' if options.broken else ''}; "
          f"directory {directory}", flush=True)
    try:
        history, state, limits, episodes = asyncio.run(execute(options, directory))
    except RuntimeError as error:
        print(f"chaos/run: seed {options.seed}: harness error: {error} (logs in {directory})", file=sys.stderr)
        return 2
    with open(os.path.join(directory, "audit.ndjson"), "w") as handle:  # the data dirs were tmpfs
        for record in next(iter(state["exports"].values())):
            handle.write(json.dumps(record) + "\n")
    with open(os.path.join(directory, "final_state.json"), "w") as handle:  # for chaos/recheck
        json.dump({"limits_generous": limits.generous, "ledgers": state["ledgers"],
                   "approvals": state["approvals"]}, handle)
    verdicts = judge(history, state, limits, options.min_allows_per_fault, bool(options.ci or options.faults))
    report.write(directory, options, history, verdicts)
    with open(os.path.join(directory, "verdicts.json"), "w") as handle:
        json.dump([v.as_dict() for v in verdicts], handle, indent=1)
    for verdict in verdicts:
        print(f"  {label(verdict)} {verdict.name}: {verdict.summary}")
        for problem in verdict.problems[:10]:
            print(f"       {problem}")
    failed = [v.name for v in verdicts if not v.ok]
    if failed:
        print(f"chaos/run: seed {options.seed} FAILED ({', '.join(failed)}); history, logs and report in {directory}")
        return 1
    print(f"chaos/run: seed {options.seed} passed: {episodes} faults; report {directory}/report.md")
    return 0


if __name__ == "__main__":
    signal.signal(signal.SIGINT, signal.default_int_handler)
    sys.exit(main())
