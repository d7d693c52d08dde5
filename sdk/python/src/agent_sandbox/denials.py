"""Reports of local denials to the audit (``POST /v1/audit/local-denials``): batched, at least
once (a report leaves the queue only when a node has recorded it; the server deduplicates by
request id), in a bounded queue, flushed on close."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from typing import Any, Callable

from .errors import SandboxError
from .transport import Caller

_log = logging.getLogger("agent_sandbox")

PATH = "/v1/audit/local-denials"
BATCH = 100
"""At most this many denials per report (the server's bound)."""


class DenialReporter:
    """The queue of local denials not yet recorded, and the thread that sends them."""

    def __init__(self, make_caller: Callable[[], Caller], capacity: int = 1000, interval: float = 0.5) -> None:
        self.capacity = capacity
        self.interval = interval
        self._make_caller = make_caller
        self._pending: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._condition = threading.Condition()
        self._stop = False
        self.supported = True
        self.recorded = 0
        self.duplicates = 0
        self.dropped = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="agent-sandbox-denials", daemon=True)
        self._thread.start()

    def offer(self, denial: dict[str, Any]) -> bool:
        """Queues a denial (keyed by its request id); ``False`` when the queue is full or the
        server cannot record local denials, in which case the caller must ask the server."""
        with self._condition:
            if not self.supported or self._stop or len(self._pending) >= self.capacity:
                return False
            self._pending.setdefault(denial["request_id"], denial)
            if len(self._pending) >= BATCH:
                self._condition.notify_all()
            return True

    @property
    def pending(self) -> int:
        with self._condition:
            return len(self._pending)

    def _run(self) -> None:
        caller = self._make_caller()
        backoff = self.interval
        try:
            while True:
                with self._condition:
                    if not self._pending and self._stop:
                        return
                    if len(self._pending) < BATCH and not self._stop:
                        self._condition.wait(backoff)
                    batch = list(self._pending.values())[:BATCH]
                if not batch:
                    continue
                if self._send(caller, batch):
                    backoff = self.interval
                else:
                    with self._condition:
                        if self._stop:
                            return  # close() gave up waiting
                    backoff = min(backoff * 2, 10.0)
        finally:
            caller.close()

    def _send(self, caller: Caller, batch: list[dict[str, Any]]) -> bool:
        """Sends one batch; whether it left the queue."""
        try:
            answer = caller.call("POST", PATH, json={"denials": batch})
        except SandboxError as error:
            self.last_error = str(error)
            return False
        if answer.status == 200:
            body = answer.body if isinstance(answer.body, dict) else {}
            self.recorded += int(body.get("recorded", 0))
            self.duplicates += int(body.get("duplicates", 0))
            self._remove(batch)
            return True
        self.last_error = f"HTTP {answer.status}: {answer.error.get('message', answer.body)}"
        if answer.status in (404, 405):
            with self._condition:
                self.supported = False  # an older server: decide everything there from now on
            _log.warning("local denials cannot be recorded by this cluster (%s)", self.last_error)
            return False
        if answer.status in (400, 413):  # a definite refusal of this batch: retrying cannot help
            self.dropped += len(batch)
            _log.error("local denials refused by the server, not recorded: %s", self.last_error)
            self._remove(batch)
            return True
        return False

    def _remove(self, batch: list[dict[str, Any]]) -> None:
        with self._condition:
            for denial in batch:
                self._pending.pop(denial["request_id"], None)
            self._condition.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until every queued denial has been recorded (or ``timeout``); whether it was."""
        limit = time.monotonic() + timeout
        with self._condition:
            self._condition.notify_all()
            while self._pending:
                remaining = limit - time.monotonic()
                if remaining <= 0 or not self.supported:
                    return False
                self._condition.wait(min(remaining, 0.1))
                self._condition.notify_all()
        return True

    def close(self, timeout: float = 5.0) -> bool:
        """Flushes, then stops the thread; whether everything was recorded."""
        done = self.flush(timeout)
        with self._condition:
            self._stop = True
            self._condition.notify_all()
        self._thread.join(timeout=1.0)
        return done
