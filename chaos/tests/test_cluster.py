"""The harness's view of the cluster: the leader is the one leading in the highest term, in
`Cluster.leader` and in the recorded leader history; the final reads go to several nodes at once."""

import asyncio
import os
import socket
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import catchup, final_state, run  # noqa: E402
from harness.cluster import Cluster, Node, ports_from_base  # noqa: E402
from harness.history import History  # noqa: E402


class StubCluster(Cluster):
    def __init__(self, answers):
        self.answers = answers

    def running(self):
        return list(self.answers)

    async def status(self, node_id, digest=False, timeout=2.0):
        return self.answers[node_id]


class LeaderTests(unittest.TestCase):
    def test_a_deposed_leader_in_an_older_term_is_not_taken(self):
        cluster = StubCluster({1: {"role": "leader", "term": 4}, 2: {"role": "leader", "term": 5},
                               3: {"role": "follower", "term": 5}})
        self.assertEqual(asyncio.run(cluster.leader()), 2)

    def test_no_leader_is_none(self):
        cluster = StubCluster({1: {"role": "follower", "term": 4}, 2: None})
        self.assertIsNone(asyncio.run(cluster.leader()))

    def test_the_recorded_leader_is_the_one_in_the_highest_term(self):
        # Node 1 answers first and still claims the leadership of term 4: the record must name
        # node 2, which leads in term 5.
        cluster = StubCluster({1: {"role": "leader", "term": 4, "leader": 1},
                               2: {"role": "leader", "term": 5, "leader": 2},
                               3: {"role": "follower", "term": 5, "leader": 2}})
        history = History()

        async def watch():
            stop = asyncio.Event()
            watcher = asyncio.ensure_future(run.watch_leaders(cluster, history, stop))
            await asyncio.sleep(0.05)
            stop.set()
            await watcher

        asyncio.run(watch())
        self.assertEqual([leader for _, leader in history.leaders], [2])
        self.assertEqual({(v["node"], v["term"]) for v in history.views}, {(1, 4), (2, 5), (3, 5)})


class FinalReadTests(unittest.TestCase):
    def test_members_are_read_at_once_within_the_bound(self):
        cluster = StubCluster({n: None for n in range(1, 6)})
        cluster.members = [1, 2, 3, 4, 5]
        active, most = 0, 0

        async def read(_, node_id):
            nonlocal active, most
            active += 1
            most = max(most, active)
            await asyncio.sleep(0.02)
            active -= 1
            return f"export of {node_id}"

        answers = asyncio.run(final_state.per_member(cluster, read, width=3))
        self.assertEqual(answers, {n: f"export of {n}" for n in range(1, 6)})
        self.assertEqual(most, 3)


BASE = 18850  # within this suite's range (18800-18899)


class PortTests(unittest.TestCase):
    def test_node_ports_come_from_the_base(self):
        node = Node(3, "/nonexistent", base_port=BASE)
        self.assertEqual((node.http, node.peer, node.proxy), (BASE + 6, BASE + 7, BASE + 8))

    def test_a_taken_port_is_named(self):
        with socket.socket() as taken:
            taken.bind(("127.0.0.1", BASE + 4))
            with self.assertRaisesRegex(RuntimeError, f"port {BASE + 4} \\(node 2, base {BASE}\\) is in use"):
                ports_from_base(BASE, 2)

    def test_a_base_too_high_for_the_nodes_is_refused(self):
        with self.assertRaisesRegex(RuntimeError, "outside 1-65535"):
            ports_from_base(65533, 2)

    def test_catchup_and_run_take_their_base_from_the_flag_or_the_environment(self):
        self.assertEqual(catchup.parse(["--base-port", str(BASE)]).base_port, BASE)
        self.assertEqual(run.parse(["--base-port", str(BASE)]).base_port, BASE)
        previous = os.environ.pop("CHAOS_BASE_PORT", None)
        self.assertIsNone(run.parse([]).base_port)  # chaos/run: ports the OS chooses
        os.environ["CHAOS_BASE_PORT"] = str(BASE + 10)
        try:
            self.assertEqual(catchup.parse([]).base_port, BASE + 10)
            self.assertEqual(run.parse([]).base_port, BASE + 10)
        finally:
            if previous is None:
                del os.environ["CHAOS_BASE_PORT"]
            else:
                os.environ["CHAOS_BASE_PORT"] = previous


if __name__ == "__main__":
    unittest.main()
