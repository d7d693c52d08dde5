"""The harness's view of the cluster: the leader is the one leading in the highest term."""

import asyncio
import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.cluster import Cluster  # noqa: E402


class StubCluster(Cluster):
    def __init__(self, statuses):
        self.statuses = statuses

    def running(self):
        return list(self.statuses)

    async def status(self, node_id, digest=False, timeout=2.0):
        return self.statuses[node_id]


class LeaderTests(unittest.TestCase):
    def test_a_deposed_leader_in_an_older_term_is_not_taken(self):
        cluster = StubCluster({1: {"role": "leader", "term": 4}, 2: {"role": "leader", "term": 5},
                               3: {"role": "follower", "term": 5}})
        self.assertEqual(asyncio.run(cluster.leader()), 2)

    def test_no_leader_is_none(self):
        cluster = StubCluster({1: {"role": "follower", "term": 4}, 2: None})
        self.assertIsNone(asyncio.run(cluster.leader()))


if __name__ == "__main__":
    unittest.main()
