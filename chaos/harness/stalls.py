"""Stalls of the harness's own process. The fault proxy runs on the harness's event loop, so every
peer frame waits on it: a stalled harness cuts the cluster into single nodes for as long (the
30.7 s gap after a paused leader in a seed-109 run, chaos/README.md, whose cause was not found).

`StallWatch` records each time the event loop woke `threshold` seconds or more late, and with it
what explains it: the garbage collections that ran meanwhile (`gc.callbacks`), where the loop's
thread was (its stack, taken by a watcher thread while the loop was late), and how late that
watcher thread itself woke. A late loop with an on-time watcher is the loop's thread busy or
blocked (the stack says where); a late watcher too is the whole process not running: not
scheduled (the machine's load), stopped, or one long collection holding the interpreter (the
collections say). Bounded: the `limit` longest stalls are kept."""

import asyncio
import gc
import sys
import threading
import time
import traceback


class StallWatch:
    def __init__(self, threshold=1.0, interval=0.05, limit=20, clock=time.monotonic):
        self.threshold = threshold
        self.interval = interval
        self.limit = limit
        self.clock = clock
        self.stalls = []  # the `limit` longest: {"t", "seconds", "gc_seconds", "watcher_late", "stack"}
        self.count = 0  # every stall, kept or not
        self._origin = clock()
        self._beat = clock()
        self._collections = []  # (start, seconds) of recent collections, trimmed as stalls are read
        self._gc_started = None
        self._stack = None  # the loop thread's stack, taken during the current stall
        self._watcher_late = 0.0  # the watcher's worst lateness since the last stall was recorded
        self._loop_thread = None
        self._stopped = threading.Event()
        self._watcher = None

    def start(self, origin=None):
        """Starts watching from the running loop's thread; `origin` (a `clock` value) is time 0."""
        self._origin = self._origin if origin is None else origin
        self._loop_thread = threading.get_ident()
        self._beat = self.clock()
        gc.callbacks.append(self._on_gc)
        self._watcher = threading.Thread(target=self._watch_from_a_thread, name="stall-watcher", daemon=True)
        self._watcher.start()

    def stop(self):
        self._stopped.set()
        if self._on_gc in gc.callbacks:
            gc.callbacks.remove(self._on_gc)
        if self._watcher is not None:
            self._watcher.join(timeout=2.0)

    async def run(self, stop):
        """The loop's side: sleeps `interval` at a time until `stop` is set, and records a stall
        whenever it woke `threshold` or more late."""
        while not stop.is_set():
            began = self.clock()
            await asyncio.sleep(self.interval)
            self.beat(began)

    def beat(self, began):
        """The loop woke from a sleep of `interval` that began at `began`."""
        now = self.clock()
        self._beat = now
        late = now - began - self.interval
        if late >= self.threshold:
            self._record(began, late)
        self._collections = [c for c in self._collections if c[0] + c[1] >= now - 60]

    def _record(self, began, late):
        gc_seconds = sum(max(0.0, min(s + d, began + self.interval + late) - max(s, began))
                         for s, d in self._collections)
        stall = {"t": round(began - self._origin, 2), "seconds": round(late, 2),
                 "gc_seconds": round(gc_seconds, 2), "watcher_late": round(self._watcher_late, 2),
                 "stack": self._stack}
        self._stack, self._watcher_late = None, 0.0
        self.count += 1
        self.stalls.append(stall)
        self.stalls.sort(key=lambda s: -s["seconds"])
        del self.stalls[self.limit:]

    def _on_gc(self, phase, info):
        if phase == "start":
            self._gc_started = self.clock()
        elif self._gc_started is not None:
            self._collections.append((self._gc_started, self.clock() - self._gc_started))
            self._gc_started = None

    def _watch_from_a_thread(self, period=0.25):
        # Shares `_stack` and `_watcher_late` with the loop's thread without a lock: each is one
        # assignment under the interpreter lock, and a reading lost to a race costs one diagnostic.
        last = self.clock()
        while not self._stopped.wait(period):
            woke = self.clock()
            # Woken `period` after it slept: anything beyond is time this process did not run.
            self._watcher_late = max(self._watcher_late, woke - last - period)
            last = woke
            if self._stack is None and woke - self._beat >= self.threshold:
                frame = sys._current_frames().get(self._loop_thread)
                if frame is not None:
                    self._stack = "".join(traceback.format_stack(frame, limit=8))

    def summary(self):
        """One line for the report: how many stalls, the worst and what ran in it."""
        if not self.count:
            return f"no stall of the harness's event loop of {self.threshold:.1f} s or more"
        worst = self.stalls[0]
        return (f"{self.count} stalls of the harness's event loop of {self.threshold:.1f} s or more; the worst "
                f"{worst['seconds']:.2f} s at {worst['t']:.1f} s (garbage collection {worst['gc_seconds']:.2f} s "
                f"of it, the watcher thread {worst['watcher_late']:.2f} s late)")
