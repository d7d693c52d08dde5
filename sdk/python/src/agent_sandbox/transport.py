"""Calls to a cluster with failover: requests are spread over the nodes, a retryable failure
(connection refused, timeout, a dropped connection, any 5xx, 429, ``"retryable": true``) is
retried on the next node with the same request (and so the same ``Idempotency-Key``), within a
bounded number of attempts and a deadline; a definite answer is returned at once, never retried.
"""

from __future__ import annotations

import itertools
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
    attempt's timeout, and the pause after a round in which every node failed."""

    max_attempts: int = 8
    deadline: float = 10.0
    attempt_timeout: float = 5.0
    backoff: float = 0.1
    max_backoff: float = 1.0


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
    node (round robin); nodes that failed recently are tried last."""

    def __init__(self, endpoints: Sequence[str], quarantine: float = 2.0) -> None:
        self.urls = normalize_endpoints(endpoints)
        self.quarantine = quarantine
        self._lock = threading.Lock()
        self._next = itertools.count(random.randrange(len(self.urls)))
        self._failed_at: dict[str, float] = {}

    def order(self) -> list[str]:
        """This call's order of nodes."""
        with self._lock:
            start = next(self._next) % len(self.urls)
            now = time.monotonic()
            rotated = self.urls[start:] + self.urls[:start]
            healthy = [url for url in rotated if now - self._failed_at.get(url, -1e9) > self.quarantine]
            return healthy + [url for url in rotated if url not in healthy]

    def failed(self, url: str) -> None:
        with self._lock:
            self._failed_at[url] = time.monotonic()

    def answered(self, url: str) -> None:
        with self._lock:
            self._failed_at.pop(url, None)


def _retry_after(answer: httpx.Response) -> float:
    try:
        return max(0.0, float(answer.headers.get("Retry-After", "0")))
    except ValueError:
        return 0.0


class Caller:
    """One thread's HTTP client over the shared endpoints."""

    def __init__(self, endpoints: Endpoints, headers: Mapping[str, str], retry: RetryPolicy,
                 sleep: Callable[[float], None] = time.sleep, verify: bool | str = True) -> None:
        self.endpoints = endpoints
        self.retry = retry
        self.sleep = sleep
        tls: bool | ssl.SSLContext = ssl.create_default_context(cafile=verify) if isinstance(verify, str) else verify
        self.client = httpx.Client(headers=dict(headers), timeout=retry.attempt_timeout, follow_redirects=False,
                                   verify=tls)

    def close(self) -> None:
        self.client.close()

    def call(self, method: str, path: str, *, json: Any = None, headers: Mapping[str, str] | None = None,
             params: Mapping[str, str] | None = None, timeout: float | None = None,
             deadline: float | None = None) -> Answer:
        """The first definite answer; :class:`UnreachableError` when none came within the
        attempts and the deadline. Every attempt sends the same method, path, headers and body."""
        limit = time.monotonic() + (self.retry.deadline if deadline is None else deadline)
        attempts, last = 0, "no attempt"
        backoff = self.retry.backoff
        while True:
            for url in self.endpoints.order():
                remaining = limit - time.monotonic()
                if attempts >= self.retry.max_attempts or remaining <= 0:
                    raise UnreachableError(f"no node answered within the bounds ({attempts} attempts); last: {last}")
                attempts += 1
                per_attempt = min(timeout or self.retry.attempt_timeout, remaining)
                try:
                    response = self.client.request(method, url + path, json=json, headers=headers, params=params,
                                                   timeout=per_attempt)
                except httpx.HTTPError as error:  # refused, timed out, dropped: the outcome is unknown
                    self.endpoints.failed(url)
                    last = f"{url}: {type(error).__name__}: {error}"
                    continue
                answer = Answer(response.status_code, _body(response), response.headers, url)
                status = response.status_code
                if status >= 500 or status == 429 or answer.error.get("retryable") is True:
                    if status != 429:
                        self.endpoints.failed(url)
                    last = f"{url}: HTTP {status} {answer.error.get('code', '')}".rstrip()
                    backoff = max(backoff, min(_retry_after(response), self.retry.max_backoff))
                    continue
                self.endpoints.answered(url)
                return answer
            pause = min(backoff, max(0.0, limit - time.monotonic()))
            self.sleep(pause)
            backoff = min(backoff * 2, self.retry.max_backoff)


def _body(response: httpx.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return response.text
