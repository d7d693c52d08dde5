"""The harness watches its own event loop: a stall is recorded with where the loop's thread was,
the garbage collection that ran in it, and how late the watcher thread itself woke."""

import asyncio
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.history import History  # noqa: E402
from harness.stalls import StallWatch  # noqa: E402


def block_the_loop(seconds):
    time.sleep(seconds)  # what a blocking call on the loop's thread does


class StallWatchTests(unittest.TestCase):
    def test_a_blocked_loop_is_recorded_with_where_it_was(self):
        async def scenario():
            watch = StallWatch(threshold=0.5)
            stop = asyncio.Event()
            watch.start()
            runner = asyncio.ensure_future(watch.run(stop))
            await asyncio.sleep(0.2)
            block_the_loop(1.2)
            await asyncio.sleep(0.2)
            stop.set()
            await asyncio.wait_for(runner, 2)
            watch.stop()
            return watch

        watch = asyncio.run(scenario())
        self.assertEqual(watch.count, 1)
        stall = watch.stalls[0]
        self.assertGreaterEqual(stall["seconds"], 1.0)
        self.assertIn("block_the_loop", stall["stack"] or "")
        self.assertLess(stall["watcher_late"], 0.5)  # the process ran: its loop's thread was blocked

    def test_garbage_collection_within_a_stall_is_counted(self):
        now = [100.0]
        watch = StallWatch(threshold=1.0, interval=0.05, clock=lambda: now[0])
        began = now[0]
        now[0] = 101.0
        watch._on_gc("start", {})
        now[0] = 103.5
        watch._on_gc("stop", {})
        now[0] = began + 0.05 + 4.0  # woke 4 s late
        watch.beat(began)
        self.assertEqual(watch.stalls, [{"t": 0.0, "seconds": 4.0, "gc_seconds": 2.5, "watcher_late": 0.0,
                                         "stack": None}])
        self.assertIn("the worst 4.00 s at 0.0 s (garbage collection 2.50 s", watch.summary())

    def test_only_the_longest_stalls_are_kept(self):
        now = [0.0]
        watch = StallWatch(threshold=1.0, interval=0.0, limit=3, clock=lambda: now[0])
        for late in (1, 5, 2, 4, 3):
            began = now[0]
            now[0] += late
            watch.beat(began)
        self.assertEqual([s["seconds"] for s in watch.stalls], [5, 4, 3])
        self.assertEqual(watch.count, 5)

    def test_stalls_are_saved_with_the_history(self):
        history = History()
        history.stalls = [{"t": 3.0, "seconds": 2.0, "gc_seconds": 0.0, "watcher_late": 0.1, "stack": "x"}]
        path = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"stalls-{os.getpid()}.jsonl")
        try:
            history.save(path)
            self.assertEqual(History.load(path).stalls, history.stalls)
        finally:
            os.remove(path)


if __name__ == "__main__":
    unittest.main()
