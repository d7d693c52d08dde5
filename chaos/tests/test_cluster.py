"""The harness's view of the cluster: the leader is the one leading in the highest term, in
`Cluster.leader` and in the recorded leader history; the final reads go to several nodes at once."""

import asyncio
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness import final_state, run  # noqa: E402
from harness.cluster import Cluster  # noqa: E402
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


if __name__ == "__main__":
    unittest.main()
