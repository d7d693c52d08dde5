"""Faults from a seed. `schedule` draws the episodes up front (the same seed gives the same
episodes); `Nemesis` applies one, holds it, heals it and waits (bounded) for the cluster to have
a leader again, recording each episode in the history."""

import asyncio
import os
import signal

KINDS = {
    # kind: weight in a random schedule
    "kill-leader": 4, "kill-follower": 2, "pause-leader": 2, "pause-follower": 1,
    "partition-leader": 2, "partition-minority": 1, "bridge": 1, "one-way-leader": 1,
    "delay-leader": 1, "restart-follower": 1, "rolling-restart": 1, "wipe-rejoin": 1, "disk-full": 1,
    "disk-full-leader": 1, "silent-partition-leader": 1,
}

# The CI short mode: at least ten leader kills, a partition and a pause (the floor), and
# one of each other kind.
CI_SCHEDULE = (["kill-leader"] * 10 + ["partition-leader", "pause-leader", "partition-minority", "bridge",
                "one-way-leader", "kill-follower", "pause-follower", "delay-leader", "restart-follower",
                "wipe-rejoin", "rolling-restart", "disk-full", "disk-full-leader",
                "silent-partition-leader"])


def schedule(rng, count, ci=False, kinds=None):
    """`count` episodes (or the CI schedule, or `kinds` in order): (kind, hold seconds, a random
    number for choosing nodes)."""
    if kinds:
        unknown = [k for k in kinds if k not in KINDS]
        if unknown:
            raise RuntimeError(f"unknown fault kinds {unknown} (known: {', '.join(KINDS)})")
    elif ci:
        kinds = list(CI_SCHEDULE)
        rng.shuffle(kinds)
    else:
        names = list(KINDS)
        kinds = rng.choices(names, weights=[KINDS[n] for n in names], k=count)
    return [(kind, round(rng.uniform(1.0, 3.0), 2), rng.random()) for kind in kinds]


class Nemesis:
    def __init__(self, cluster, proxy, history, workload=None):
        self.cluster = cluster
        self.proxy = proxy
        self.history = history
        self.workload = workload

    def all_ids(self):
        return list(self.cluster.members)

    def pick(self, candidates, draw):
        candidates = sorted(candidates)
        return candidates[int(draw * len(candidates)) % len(candidates)]

    async def run(self, kind, hold, draw):
        leader = await self.cluster.wait_leader(timeout=20.0)
        if leader is None:
            raise RuntimeError("no leader before the fault: the cluster did not recover from the last one")
        followers = [n for n in self.cluster.members if n != leader]
        start = self.history.now()
        details = {}
        if kind.startswith("disk-full") and not self.cluster.tmpfs_mb:
            details["instead_of"] = kind  # no tmpfs here: the disk cannot fill (the disk checker says so)
            kind = "kill-follower"
        nodes = await getattr(self, "_" + kind.replace("-", "_"))(leader, followers, hold, draw)
        if isinstance(nodes, tuple):
            nodes, more = nodes
            details.update(more)
        healed = self.history.now()
        new_leader = await self.cluster.wait_leader(timeout=30.0)
        if new_leader is None:
            raise RuntimeError(f"no leader within 30 s after healing {kind}")
        await self.cluster.wait_ready(self.cluster.running(), timeout=60.0)
        return self.history.fault(kind, nodes, start, healed, leader_before=leader, recovered=self.history.now(),
                                  load=round(os.getloadavg()[0], 1), **details)

    async def _kill_leader(self, leader, followers, hold, draw):
        await self.cluster.stop(leader, signal.SIGKILL)
        await asyncio.sleep(hold)
        self.cluster.start(leader)
        return [leader]

    async def _kill_follower(self, leader, followers, hold, draw):
        victim = self.pick(followers, draw)
        await self.cluster.stop(victim, signal.SIGKILL)
        await asyncio.sleep(hold)
        self.cluster.start(victim)
        return [victim]

    async def _pause(self, victim, hold):
        self.cluster.signal(victim, signal.SIGSTOP)
        await asyncio.sleep(hold)
        self.cluster.signal(victim, signal.SIGCONT)
        return [victim]

    async def _pause_leader(self, leader, followers, hold, draw):
        return await self._pause(leader, hold + 1.0)  # long enough for an election

    async def _pause_follower(self, leader, followers, hold, draw):
        return await self._pause(self.pick(followers, draw), hold)

    async def _partition_leader(self, leader, followers, hold, draw):
        self.proxy.isolate(leader, self.all_ids())
        await asyncio.sleep(hold + 1.0)
        self.proxy.heal()
        return [leader]

    async def _silent_partition_leader(self, leader, followers, hold, draw):
        """The leader behind a black hole: its connections stay open and carry nothing (no close,
        no refusal), so the followers notice only by the missing heartbeats, and the leader's
        send queues fill; on healing the held-back bytes are delivered late."""
        self.proxy.isolate_silently(leader, self.all_ids())
        await asyncio.sleep(hold + 1.0)
        self.proxy.heal()
        return [leader]

    async def _partition_minority(self, leader, followers, hold, draw):
        """A minority (with or without the leader) cut from the majority."""
        members = sorted(self.all_ids())
        size = (len(members) - 1) // 2
        start = int(draw * len(members))
        minority = [members[(start + i) % len(members)] for i in range(size)]
        self.proxy.partition(minority, [n for n in members if n not in minority])
        await asyncio.sleep(hold + 1.0)
        self.proxy.heal()
        return minority

    async def _bridge(self, leader, followers, hold, draw):
        """Two halves that cannot reach each other, and one node (the bridge) that reaches both."""
        members = sorted(self.all_ids())
        bridge = self.pick(members, draw)
        rest = [n for n in members if n != bridge]
        half = len(rest) // 2
        self.proxy.partition(rest[:half], rest[half:])
        await asyncio.sleep(hold + 1.0)
        self.proxy.heal()
        return [bridge]

    async def _one_way_leader(self, leader, followers, hold, draw):
        """The leader's frames to its followers are cut; theirs still reach it."""
        for follower in followers:
            self.proxy.block(leader, follower)
        await asyncio.sleep(hold + 1.0)
        self.proxy.heal()
        return [leader]

    async def _delay_leader(self, leader, followers, hold, draw):
        for follower in followers:
            self.proxy.set_delay(leader, follower, 0.15)
            self.proxy.set_delay(follower, leader, 0.15)
        await asyncio.sleep(hold)
        self.proxy.heal()
        return [leader]

    async def _restart_follower(self, leader, followers, hold, draw):
        victim = self.pick(followers, draw)
        await self.cluster.stop(victim, signal.SIGTERM)
        self.cluster.start(victim)
        return [victim]

    async def _rolling_restart(self, leader, followers, hold, draw):
        """SIGTERM and restart every member in turn, the leader last, each ready before the next."""
        order = followers + [leader]
        for node_id in order:
            await self.cluster.stop(node_id, signal.SIGTERM)
            self.cluster.start(node_id)
            await self.cluster.wait_ready([node_id], timeout=60.0)
        return order

    async def _wipe_rejoin(self, leader, followers, hold, draw):
        """A follower loses its disk: it is removed, and comes back under a new id with an empty
        data directory (`--join`, then added). Every other episode (from the seed) slows the
        leader's links meanwhile: a membership change during a fault; the others change the
        membership on healthy links (recorded as `slowed`)."""
        victim = self.pick(followers, draw)
        slowed = int(draw * 1_000_000) % 2 == 0
        await self.cluster.stop(victim, signal.SIGKILL)
        for follower in followers if slowed else []:
            self.proxy.set_delay(leader, follower, 0.05)
        removal, addition = [], []
        answer = await self.cluster.admin_call("DELETE", f"/v1/cluster/members/{victim}", timeout=30.0, trace=removal)
        if answer.status != 200:
            raise RuntimeError(f"removing node {victim}: {answer.status} {answer.body[:200]!r}")
        self.cluster.members.remove(victim)
        self.cluster.wipe(victim)
        newcomer = self.cluster.add_node()
        node = self.cluster.nodes[newcomer]
        await self.proxy.listen(newcomer, node.proxy, node.peer)
        self.cluster.start(newcomer, join=True)
        body = {"id": newcomer, "peer": f"127.0.0.1:{node.proxy}", "http": f"127.0.0.1:{node.http}",
                "role": "voter", "catch_up_timeout_s": 60}
        # An attempt may take the catch-up's 60 s; one that outlives it (a leader that stalled, a
        # forward left waiting) must leave time for another on the next node.
        answer = await self.cluster.admin_call("POST", "/v1/cluster/members", body, timeout=150.0,
                                               attempt_timeout=70.0, trace=addition)
        # A retry after an attempt whose promotion was applied unseen (its outcome unknown, a
        # 503) finds the node a voter already: the add is done.
        promoted = answer.status == 409 and b"already a voter" in answer.body
        if answer.status != 200 and not promoted:
            raise RuntimeError(f"adding node {newcomer}: {answer.status} {answer.body[:200]!r}")
        self.cluster.members.append(newcomer)
        self.proxy.heal()
        return [victim, newcomer], {"slowed": slowed, "remove_attempts": removal, "add_attempts": addition}

    async def _disk_full(self, leader, followers, hold, draw):
        return await self.fill_disk(self.pick(followers, draw), hold)

    async def _disk_full_leader(self, leader, followers, hold, draw):
        return await self.fill_disk(leader, hold)

    async def fill_disk(self, victim, hold):
        """The victim's file system fills up (its data directory is a small tmpfs) and the node is
        stopped with SIGTERM and restarted while it is full: it must stop and refuse to start with
        an exit status (sandboxd: 74, naming the full disk), never abort or need a SIGKILL, and
        recover once space is freed (the convergence checker then compares it with the others).
        The exit statuses are recorded for the disk checker."""
        node = self.cluster.nodes[victim]
        filler = os.path.join(node.data, "chaos-filler")
        descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            chunk = b"\0" * (1 << 20)
            while True:
                os.write(descriptor, chunk)  # unbuffered: the last short write fails here, not in close
        except OSError:
            pass
        finally:
            os.close(descriptor)
        await asyncio.sleep(hold)
        outcome = {"running_when_full": node.alive}
        was_alive = node.alive
        await self.cluster.stop(victim, signal.SIGTERM)
        outcome["stop_status_when_full"] = node.process.returncode
        outcome["stopped_by_itself"] = not was_alive
        self.cluster.start(victim)
        for _ in range(100):  # a start on a full disk must end by itself, with an exit status
            if not node.alive:
                break
            await asyncio.sleep(0.1)
        outcome["start_status_when_full"] = None if node.alive else node.process.returncode
        if node.alive:
            await self.cluster.stop(victim, signal.SIGTERM)
            outcome["start_stop_status_when_full"] = node.process.returncode
        os.remove(filler)
        self.cluster.start(victim)
        return [victim], outcome
