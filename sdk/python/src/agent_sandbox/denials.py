"""Reports of local denials to the audit (``POST /v1/audit/local-denials``): batched, at least
once (a report leaves the queue only when a node has recorded it; the server deduplicates by
request id), in a bounded queue, flushed on close."""

from __future__ import annotations

import json
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
BATCH_BYTES = 512 << 10
"""At most about this many bytes of denials per report (the server takes bodies up to 1 MiB)."""
# The server's bounds on one denial's fields (bytes of UTF-8), kept with a margin for parameters.
_LIMITS = {"request_id": 128, "tool": 256, "method": 256, "rule": 256, "url": 8 << 10, "reason": 4 << 10}
_MAX_PARAMS = 200 << 10
RECHECK = 60
"""Seconds after a 404 before the client reports local denials again."""


def encoded_size(denial: dict[str, Any]) -> int | None:
    """The size of a denial's JSON, or ``None`` when the server would refuse it (a field empty or
    over its bound, a control character in the request id, a chain depth that is not a whole
    number >= 0, parameters that are not JSON or too large): such a request is sent to the
    server to decide instead."""
    for name, limit in _LIMITS.items():
        value = denial.get(name)
        if value is None and name in ("tool", "method", "url"):
            continue
        if not isinstance(value, str) or not value or len(value.encode("utf-8", "replace")) > limit:
            return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in denial["request_id"]):
        return None
    depth = denial.get("chain_depth", 0)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth < 1 << 32:
        return None
    try:
        params = json.dumps(denial.get("params", {}), ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        whole = json.dumps(denial, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    except (TypeError, ValueError):
        return None
    if len(params.encode("utf-8", "replace")) > _MAX_PARAMS:
        return None
    return len(whole.encode("utf-8", "replace"))


class DenialReporter:
    """The queue of local denials not yet recorded, and the thread that sends them."""

    def __init__(self, make_caller: Callable[[], Caller], capacity: int = 1000, interval: float = 0.5) -> None:
        self.capacity = capacity
        self.interval = interval
        self._make_caller = make_caller
        self._pending: OrderedDict[str, tuple[dict[str, Any], int]] = OrderedDict()
        self._condition = threading.Condition()
        self._stop = False
        self._unsupported_until = 0.0
        self.recorded = 0
        self.duplicates = 0
        self.dropped = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="agent-sandbox-denials", daemon=True)
        self._thread.start()

    @property
    def supported(self) -> bool:
        """Whether the cluster recorded local denials, as far as the client knows: after a 404 it
        is taken not to for ``RECHECK`` seconds (a node not upgraded yet), then asked again."""
        return time.monotonic() >= self._unsupported_until

    def offer(self, denial: dict[str, Any]) -> bool:
        """Queues a denial (keyed by its request id); ``False`` when the queue is full or the
        server cannot record local denials, in which case the caller must ask the server."""
        size = encoded_size(denial)
        with self._condition:
            if size is None or not self.supported or self._stop or len(self._pending) >= self.capacity:
                return False
            self._pending.setdefault(denial["request_id"], (denial, size))
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
                    batch = self._next_batch()
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

    def _next_batch(self) -> list[dict[str, Any]]:
        """The oldest pending denials, at most ``BATCH`` of them and about ``BATCH_BYTES``."""
        batch: list[dict[str, Any]] = []
        total = 0
        for denial, size in self._pending.values():
            if batch and (len(batch) == BATCH or total + size > BATCH_BYTES):
                break
            batch.append(denial)
            total += size
        return batch

    def _send(self, caller: Caller, batch: list[dict[str, Any]]) -> bool:
        """Sends one batch; whether it left the queue."""
        if not self.supported:
            return all([self._decide(caller, denial) for denial in batch])
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
            if self.supported:
                _log.warning("local denials cannot be recorded by this cluster (%s): the server decides "
                             "every request for the next %d s", self.last_error, RECHECK)
            with self._condition:
                self._unsupported_until = time.monotonic() + RECHECK
            return all([self._decide(caller, denial) for denial in batch])
        if answer.status in (400, 413):  # a definite refusal: retrying the same report cannot help
            if len(batch) > 1:  # find the denial refused: each of the others is recorded alone
                return all([self._send(caller, [denial]) for denial in batch])
            return self._drop(batch)
        if answer.status in (401, 403):  # the key was revoked or the agent disabled: never accepted
            return self._drop(batch)
        return False

    def _drop(self, batch: list[dict[str, Any]]) -> bool:
        self.dropped += len(batch)
        _log.error("%d local denial(s) refused by the server, not recorded: %s", len(batch), self.last_error)
        self._remove(batch)
        return True

    def _decide(self, caller: Caller, denial: dict[str, Any]) -> bool:
        """Has the cluster decide (and so audit) a denial it cannot record: the request itself,
        under its request id. Whether it left the queue."""
        if denial["kind"] == "tool":
            body = {"tool": denial["tool"], "params": denial.get("params", {}), "chain_depth": denial["chain_depth"]}
        else:
            body = {"http": {"method": denial["method"], "url": denial["url"]}}
        try:
            answer = caller.call("POST", "/v1/decisions", json=body, headers={"Idempotency-Key": denial["request_id"]})
        except SandboxError as error:
            self.last_error = str(error)
            return False
        if answer.status != 200:
            self.dropped += 1
            _log.error("a local denial could not be audited: HTTP %d %s", answer.status, answer.error.get("message"))
        self._remove([denial])
        return True

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
                if remaining <= 0:
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
