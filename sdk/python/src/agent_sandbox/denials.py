"""Reports of local denials to the audit (``POST /v1/audit/local-denials``): batched, at least
once (a report leaves the queue only when a node has recorded it; the server deduplicates by
request id), in a bounded queue, flushed on close and at interpreter exit.

A denial is checked and serialized when it is queued (what the agent changes afterwards is not
what the audit records; what the server would refuse is never queued), and the sending thread
survives any failure: while it is not running, nothing is denied locally. Nor is anything before
the cluster has shown that it has the endpoint (an empty report answered 400 ``bad_denial_count``
rather than 404), nor for ``RECHECK`` seconds after a 404 (then the thread asks again)."""

from __future__ import annotations

import atexit
import logging
import threading
import time
import weakref
from collections import OrderedDict
from typing import Any, Callable

from .errors import UnreachableError
from .transport import Caller, json_bytes

_log = logging.getLogger("agent_sandbox")

PATH = "/v1/audit/local-denials"
BATCH = 100
"""At most this many denials per report (the server's bound)."""
BATCH_BYTES = 512 << 10
"""At most about this many bytes of denials per report (the server takes bodies up to 1 MiB)."""
# The server's bounds on one denial's fields (bytes of UTF-8), kept with a margin for parameters.
_LIMITS = {"request_id": 128, "tool": 256, "method": 256, "rule": 256, "url": 8 << 10, "reason": 4 << 10}
_MAX_PARAMS = 200 << 10
RECHECK = 60.0
"""Seconds after a 404 (a node without the endpoint) before the cluster is asked again whether it
has the endpoint; meanwhile nothing is denied locally and the denials queued before stay queued."""
PROBE = b'{"denials":[]}'
"""The report that asks whether the cluster has the endpoint: refused (400) if it has, 404 if not."""
MAX_BACKOFF = 10.0
"""The longest pause between two failed reports."""
AT_EXIT = 3.0
"""How long the interpreter's exit waits for each open reporter's queue to be recorded."""

_LIVE: weakref.WeakSet[DenialReporter] = weakref.WeakSet()


def _close_at_exit() -> None:
    for reporter in list(_LIVE):
        reporter.close(timeout=AT_EXIT)


atexit.register(_close_at_exit)


def _utf8_size(value: str) -> int | None:
    try:
        return len(value.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate
        return None


def encode_denial(denial: dict[str, Any]) -> bytes | None:
    """A denial's JSON, or ``None`` when the server would refuse it (a field empty or over its
    bound, a control character in the request id, a chain depth that is not a whole number >= 0,
    parameters that are not strict JSON (NaN, a lone surrogate) or too large): such a request is
    sent to the server to decide instead."""
    for name, limit in _LIMITS.items():
        value = denial.get(name)
        if value is None and name in ("tool", "method", "url"):
            continue
        if not isinstance(value, str) or not value or (_utf8_size(value) or limit + 1) > limit:
            return None
    if any(ord(char) < 0x20 or ord(char) == 0x7F for char in denial["request_id"]):
        return None
    depth = denial.get("chain_depth", 0)
    if not isinstance(depth, int) or isinstance(depth, bool) or not 0 <= depth < 1 << 32:
        return None
    if _depth(denial.get("params", {})) > _MAX_PARAMS_DEPTH:
        return None
    try:
        params = json_bytes(denial.get("params", {}))
        whole = json_bytes(denial)
    except ValueError:
        return None
    return whole if len(params) <= _MAX_PARAMS else None


_MAX_PARAMS_DEPTH = 61
"""The deepest parameters a report carries: the server reads a report's JSON at most 64 deep, and
the parameters sit 3 levels down in it (``{"denials": [{"params": ...}]}``)."""


def _depth(value: Any) -> int:
    """How deep ``value`` nests (a scalar 0, ``{}`` 1), counted without recursion; past
    ``_MAX_PARAMS_DEPTH + 1`` it stops counting."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        if deepest > _MAX_PARAMS_DEPTH:
            return deepest
        stack.extend((child, level + 1) for child in children)
    return deepest


class DenialReporter:
    """The queue of local denials not yet recorded, and the thread that sends them."""

    def __init__(self, make_caller: Callable[[], Caller], capacity: int = 1000, interval: float = 0.5) -> None:
        self.capacity = capacity
        self.interval = interval
        self._make_caller = make_caller
        self._pending: OrderedDict[str, bytes] = OrderedDict()
        self._condition = threading.Condition()
        self._stop = False
        self._urgent = False  # send without waiting for the interval (a full batch, a flush)
        self._send_at = 0.0  # the interval's next tick
        self._retry_at = 0.0  # no report before this (a backoff after a failed one)
        self._supported = False  # until the cluster has shown that it records local denials
        self.probed = threading.Event()  # set once the cluster answered whether it does
        self.recorded = 0
        self.duplicates = 0
        self.dropped = 0
        self.last_error: str | None = None
        self._thread = threading.Thread(target=self._run, name="agent-sandbox-denials", daemon=True)
        self._thread.start()
        _LIVE.add(self)

    @property
    def supported(self) -> bool:
        """Whether the cluster records local denials, as far as the client knows: not before it
        answered the probe, nor after a 404 (a node not upgraded yet) until it is asked again."""
        return self._supported

    @property
    def running(self) -> bool:
        """Whether the sending thread runs (a stopped reporter queues nothing)."""
        return self._thread.is_alive() and not self._stop

    def offer(self, denial: dict[str, Any]) -> bool:
        """Queues a denial (keyed by its request id), serialized now; ``False`` when it cannot be
        recorded (the server would refuse it, the queue is full, the server has no endpoint, the
        sender does not run), in which case the caller must ask the server."""
        data = encode_denial(denial)
        with self._condition:
            if data is None or not self.supported or not self.running or len(self._pending) >= self.capacity:
                return False
            self._pending.setdefault(denial["request_id"], data)
            if len(self._pending) >= BATCH:
                self._urgent = True
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
            while (batch := self._next_batch()) is not None:
                try:
                    sent = self._send(caller, batch) if batch else self._probe(caller)
                except Exception as error:  # noqa: BLE001 - one bad report must not stop the reports
                    self.last_error = f"{type(error).__name__}: {error}"
                    sent = self._drop([rid for rid, _ in batch]) if batch else False
                with self._condition:
                    if sent:
                        backoff, self._retry_at = self.interval, 0.0
                    else:
                        self._retry_at = max(self._retry_at, time.monotonic() + backoff)
                        backoff = min(backoff * 2, MAX_BACKOFF)
        finally:
            caller.close()

    def _next_batch(self) -> list[tuple[str, bytes]] | None:
        """Waits for the next report to send: the oldest pending denials, at most ``BATCH`` of
        them and about ``BATCH_BYTES``, once the interval ticked (or a flush asked) and any backoff
        passed; an empty list when the probe is due; ``None`` once stopped."""
        with self._condition:
            while not self._stop:
                now = time.monotonic()
                if not self._supported and now >= self._retry_at:
                    return []
                due = self._supported and self._pending and now >= self._retry_at and (
                    self._urgent or now >= self._send_at)
                if due:
                    break
                later = self._send_at if self._pending else now + self.interval
                wake = self._retry_at if now < self._retry_at else later
                self._condition.wait(max(wake - now, 0.001))
            else:
                return None
            self._urgent = False
            self._send_at = time.monotonic() + self.interval
            batch: list[tuple[str, bytes]] = []
            total = 0
            for request_id, data in self._pending.items():
                if batch and (len(batch) == BATCH or total + len(data) > BATCH_BYTES):
                    break
                batch.append((request_id, data))
                total += len(data)
            return batch

    def _send(self, caller: Caller, batch: list[tuple[str, bytes]]) -> bool:
        """Sends one report; whether its denials left the queue (recorded, or refused for good)."""
        body = b'{"denials":[' + b",".join(data for _, data in batch) + b"]}"
        try:
            answer = caller.call("POST", PATH, content=body, headers={"Content-Type": "application/json"})
        except (UnreachableError, ValueError) as error:  # ValueError: a header that cannot be sent
            self.last_error = str(error)
            return False
        ids = [request_id for request_id, _ in batch]
        if answer.status == 200:
            counts = answer.body if isinstance(answer.body, dict) else {}
            self.recorded += int(counts.get("recorded", 0))
            self.duplicates += int(counts.get("duplicates", 0))
            self._remove(ids)
            return True
        self.last_error = f"HTTP {answer.status}: {answer.error.get('message', answer.body)}"
        if answer.status in (404, 405):  # a node without the endpoint: keep them, deny nothing locally
            self._unsupported()
            return False
        if answer.status in (400, 413) and len(batch) > 1:  # find the refused one: the others are recorded
            return all([self._send(caller, [entry]) for entry in batch])
        return self._drop(ids)  # any other 4xx is definite (400, 401/403: a revoked key): never accepted

    def _probe(self, caller: Caller) -> bool:
        """Asks whether the cluster has the endpoint; whether it has."""
        try:
            answer = caller.call("POST", PATH, content=PROBE, headers={"Content-Type": "application/json"})
        except (UnreachableError, ValueError) as error:  # ValueError: a header that cannot be sent
            self.last_error = str(error)
            return False
        if answer.status in (404, 405):
            self.last_error = f"HTTP {answer.status}: {answer.error.get('message', answer.body)}"
            self._unsupported()
            return False
        with self._condition:  # any other answer (400 bad_denial_count; 401 for a revoked key): it has
            self._supported = True
            self._condition.notify_all()
        self.probed.set()
        return True

    def _unsupported(self) -> None:
        if self._supported or not self.probed.is_set():
            _log.warning("local denials cannot be recorded by this cluster (%s): the server decides every "
                         "request; asked again in %.0f s (%d denial(s) queued meanwhile)", self.last_error, RECHECK,
                         self.pending)
        with self._condition:
            self._supported = False
            self._retry_at = time.monotonic() + RECHECK
        self.probed.set()

    def _drop(self, ids: list[str]) -> bool:
        self.dropped += len(ids)
        _log.error("%d local denial(s) refused by the server, not recorded in the audit: %s", len(ids),
                   self.last_error)
        self._remove(ids)
        return True

    def _remove(self, ids: list[str]) -> None:
        with self._condition:
            for request_id in ids:
                self._pending.pop(request_id, None)
            self._condition.notify_all()

    def flush(self, timeout: float = 5.0) -> bool:
        """Waits until every queued denial has been recorded (or ``timeout``); whether it was.
        Asks the sender to report now, unless it is pausing after a failure."""
        limit = time.monotonic() + timeout
        with self._condition:
            self._urgent = True
            self._condition.notify_all()
            while self._pending:
                remaining = limit - time.monotonic()
                if remaining <= 0 or not self.running:
                    return False
                self._condition.wait(min(remaining, 0.1))
        return True

    def close(self, timeout: float = 5.0) -> bool:
        """Flushes, then stops the thread; whether everything was recorded (if not, logs how many
        denials are missing from the audit)."""
        done = self.flush(timeout)
        with self._condition:
            already = self._stop
            self._stop = True
            missing = len(self._pending)
            self._condition.notify_all()
        if missing and not already:
            _log.error("%d local denial(s) not recorded in the audit when the client closed (last error: %s)",
                       missing, self.last_error)
        self._thread.join(timeout=1.0)
        _LIVE.discard(self)
        return done
