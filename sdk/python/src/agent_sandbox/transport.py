"""Calls to a cluster with failover: requests are spread over the nodes, a retryable failure
(connection refused, timeout, a dropped connection, any 5xx, 429, ``"retryable": true``) is
retried on the next node with the same request (and so the same ``Idempotency-Key``), within a
bounded number of attempts and a deadline; a definite answer is returned at once, never retried.

The deadline holds end to end: an attempt gets a share of the time left (so one node that never
answers cannot use all of it), its connection a short timeout, and its answer is read in chunks
checked against the attempt's limit and a size bound (a node dripping bytes is given up).
"""

from __future__ import annotations

import email.utils
import itertools
import json as jsonlib
import random
import ssl
import threading
import time
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

import httpx

from .errors import ConfigurationError, UnreachableError


@dataclass(frozen=True)
class Answer:
    """A definite answer from one node."""

    status: int
    body: Any
    headers: Mapping[str, str]
    endpoint: str

    @property
    def error(self) -> dict[str, Any]:
        """The ``error`` object of an error answer (empty when there is none)."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error if isinstance(error, dict) else {}


@dataclass(frozen=True)
class RetryPolicy:
    """Bounds of one call: attempts over all nodes, the whole call's deadline (seconds), one
    attempt's timeout, and the pause after a round in which every node failed. A node's
    ``Retry-After`` (seconds or a date) is honoured up to ``max_retry_after``: that node rests at
    least that long and the pause after the round is at least the longest one given."""

    max_attempts: int = 8
    deadline: float = 10.0
    attempt_timeout: float = 5.0
    backoff: float = 0.1
    max_backoff: float = 1.0
    max_retry_after: float = 5.0
    connect_timeout: float = 1.0
    max_body: int = 16 << 20


def json_bytes(value: Any) -> bytes:
    """``value`` as strict JSON in UTF-8; ``ValueError`` for what is not JSON (NaN, infinities,
    a lone surrogate, an object that is not a JSON type, nesting too deep)."""
    try:
        text = jsonlib.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")  # strict: a lone surrogate raises UnicodeEncodeError (a ValueError)
    except (TypeError, ValueError, RecursionError) as error:
        raise ValueError(f"not JSON: {error}") from error


def normalize_endpoints(endpoints: Sequence[str]) -> list[str]:
    """Base URLs without a trailing slash; at least one, each http or https."""
    cleaned = [endpoint.rstrip("/") for endpoint in endpoints if endpoint.strip()]
    if not cleaned:
        raise ConfigurationError("no endpoint: give control_plane_base or endpoints=[...]")
    for endpoint in cleaned:
        if not endpoint.startswith(("http://", "https://")):
            raise ConfigurationError(f"endpoint `{endpoint}` must start with http:// or https://")
    return cleaned


class Endpoints:
    """The cluster's nodes, shared by the callers of one client: each call starts at the next
    node (round robin); a node that failed is tried last for a quarantine that doubles with each
    failure in a row (``quarantine`` seconds, up to ``max_quarantine``) and ends when it answers."""

    def __init__(self, endpoints: Sequence[str], quarantine: float = 2.0, max_quarantine: float = 60.0) -> None:
        self.urls = normalize_endpoints(endpoints)
        self.quarantine = quarantine
        self.max_quarantine = max_quarantine
        self._lock = threading.Lock()
        self._next = itertools.count(random.randrange(len(self.urls)))
        self._failed: dict[str, tuple[float, int]] = {}  # url: (until, failures in a row)

    def order(self) -> list[str]:
        """This call's order of nodes."""
        with self._lock:
            start = next(self._next) % len(self.urls)
            now = time.monotonic()
            rotated = self.urls[start:] + self.urls[:start]
            healthy = [url for url in rotated if self._failed.get(url, (0.0, 0))[0] <= now]
            return healthy + [url for url in rotated if url not in healthy]

    def failed(self, url: str, resting_at_least: float = 0.0) -> None:
        """``url`` failed: tried last for its quarantine, or ``resting_at_least`` seconds when
        longer (its ``Retry-After``)."""
        with self._lock:
            failures = self._failed.get(url, (0.0, 0))[1] + 1
            pause = min(self.quarantine * 2 ** min(failures - 1, 30), self.max_quarantine)
            self._failed[url] = (time.monotonic() + max(pause, resting_at_least), failures)

    def answered(self, url: str) -> None:
        with self._lock:
            self._failed.pop(url, None)


class _Abandoned(Exception):
    """An answer given up while it was read: too slow for the deadline, or too large."""


def retry_after(value: str | None, now: float | None = None) -> float:
    """Seconds a ``Retry-After`` value asks for: a number of seconds or an HTTP date (``now``:
    the wall clock, ``time.time()`` by default); 0 when absent or neither."""
    text = (value or "").strip()
    if text.isascii() and text.isdigit():
        return float(min(int(text), 999_999))
    try:
        date = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return 0.0
    if date.tzinfo is None:
        return 0.0
    return max(0.0, min(date.timestamp() - (time.time() if now is None else now), 999_999.0))


class Caller:
    """One thread's HTTP client over the shared endpoints."""

    def __init__(self, endpoints: Endpoints, headers: Mapping[str, str], retry: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep, verify: bool | str = True,
                 trust_env: bool = True) -> None:
        self.endpoints = endpoints
        self.retry = retry
        self.sleep = sleep
        tls: bool | ssl.SSLContext = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self.client = httpx.Client(headers=dict(headers), timeout=retry.attempt_timeout, follow_redirects=False,
                                   verify=tls, trust_env=trust_env)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, path: str, *, json: Any = None, content: bytes | None = None,
             headers: Mapping[str, str] | None = None, params: Mapping[str, str] | None = None,
             timeout: float | None = None, deadline: float | None = None) -> Answer:
        """The first definite answer; :class:`UnreachableError` when none came within the
        attempts and the deadline. Every attempt sends the same method, path, headers and body
        (``json``, encoded strictly: ``ValueError`` for what is not JSON, or ``content``). Without
        ``timeout`` (a long poll's), an attempt gets its share of the time left: that time over
        the attempts that remain this round."""
        if json is not None:
            content = json_bytes(json)
            headers = {"Content-Type": "application/json", **(headers or {})}
        limit = time.monotonic() + (self.retry.deadline if deadline is None else deadline)
        attempts, last = 0, "no attempt"
        backoff = self.retry.backoff
        while True:
            asked = 0.0  # the longest Retry-After of this round, capped
            order = self.endpoints.order()
            for index, url in enumerate(order):
                remaining = limit - time.monotonic()
                if attempts >= self.retry.max_attempts or remaining <= 0:
                    raise self._unreachable(attempts, last)
                left = min(len(order) - index, self.retry.max_attempts - attempts)
                attempts += 1
                share = remaining if timeout is not None else remaining / left
                per_attempt = min(timeout or self.retry.attempt_timeout, share)
                try:
                    answer = self._attempt(method, url, path, content, headers, params, per_attempt)
                except httpx.LocalProtocolError:
                    # Nothing was sent: a header value no HTTP request may carry (a space or line
                    # break in a key or id). Not the node's fault, and not the message: it quotes
                    # the value, which may be the agent's key.
                    raise ValueError("a header cannot be sent (a space, line break or non-ASCII character in it)"
                                     ) from None
                except (httpx.HTTPError, _Abandoned) as error:  # refused, timed out, dropped: outcome unknown
                    self.endpoints.failed(url)
                    last = f"{url}: {type(error).__name__}: {error}"
                    continue
                status = answer.status
                if status >= 500 or status == 429 or answer.error.get("retryable") is True:
                    wait = min(retry_after(answer.headers.get("Retry-After")), self.retry.max_retry_after)
                    if status != 429 or wait > 0:
                        self.endpoints.failed(url, resting_at_least=wait)
                    asked = max(asked, wait)
                    last = f"{url}: HTTP {status} {answer.error.get('code', '')}".rstrip()
                    continue
                self.endpoints.answered(url)
                return answer
            if attempts >= self.retry.max_attempts or limit - time.monotonic() <= 0:
                raise self._unreachable(attempts, last)  # no pause before giving up
            pause = min(max(backoff, asked), max(0.0, limit - time.monotonic()))
            self.sleep(pause)
            backoff = min(backoff * 2, self.retry.max_backoff)

    @staticmethod
    def _unreachable(attempts: int, last: str) -> UnreachableError:
        return UnreachableError(f"no node answered within the bounds ({attempts} attempts); last: {last}")

    def _attempt(self, method: str, url: str, path: str, content: bytes | None, headers: Mapping[str, str] | None,
                 params: Mapping[str, str] | None, seconds: float) -> Answer:
        """One request to one node, its whole answer read within ``seconds`` (checked between
        chunks; one read waits at most ``seconds``) and ``max_body`` bytes."""
        limit = time.monotonic() + seconds
        timeout = httpx.Timeout(seconds, connect=min(self.retry.connect_timeout, seconds))
        with self.client.stream(method, url + path, content=content, headers=headers, params=params,
                                timeout=timeout) as response:
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > self.retry.max_body:
                    raise _Abandoned(f"answer over {self.retry.max_body} bytes")
                if time.monotonic() > limit:
                    raise _Abandoned(f"answer not read within {seconds:.2f} s")
                chunks.append(chunk)
            if time.monotonic() > limit:
                raise _Abandoned(f"answer not read within {seconds:.2f} s")
            return Answer(response.status_code, _body(b"".join(chunks)), response.headers, url)


def _body(content: bytes) -> Any:
    if not content:
        return None
    try:
        return jsonlib.loads(content)
    except ValueError:
        return content.decode("utf-8", "replace")
