"""The hot policy cache: the agent's signed bundle, verified against the configured public key,
never replaced by a lower version, refreshed by ``?wait=`` long polls in a background thread."""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable
from urllib.parse import quote

from .bundle import KeySet, PolicyBundle, verify_bundle
from .errors import BundleError, SandboxError
from .floor import VersionFloor
from .static_policy import StaticPolicy
from .transport import Answer, Caller

_log = logging.getLogger("agent_sandbox")

LONG_POLL = 30.0
"""How long one long poll waits on the server (its maximum); at most this long between fetches."""


class PolicyCache:
    """The newest verified bundle of one agent and its statically decidable part."""

    def __init__(self, agent_id: str, keys: KeySet, make_caller: Callable[[], Caller], min_version: int = 0,
                 floor: VersionFloor | None = None) -> None:
        self.agent_id = agent_id
        self.keys = keys
        self.floor = floor  # the persisted floor, raised with each version installed
        self.min_version = max(min_version, floor.stored if floor else 0)
        self._make_caller = make_caller
        self._lock = threading.Lock()
        self._bundle: PolicyBundle | None = None
        self._static: StaticPolicy | None = None
        self._refusing = False  # the last bundle offered was refused: the server decides everything
        self._etag: str | None = None
        self.refused = 0
        self.stale = 0  # bundles older than the held version (a lagging node): ignored, not refusals
        self.last_error: str | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._poller: Caller | None = None

    @property
    def bundle(self) -> PolicyBundle | None:
        with self._lock:
            return self._bundle

    @property
    def static(self) -> StaticPolicy | None:
        """The held policy's static part; ``None`` while the bundles served are refused (a signing
        key not configured here, a replay): then the server decides every request."""
        with self._lock:
            return None if self._refusing else self._static

    @property
    def etag(self) -> str | None:
        with self._lock:
            return self._etag

    def offer(self, document: object, etag: str | None = None) -> bool:
        """Installs a signed bundle if it verifies and is newer than the one held. A bad
        signature, another agent's bundle, a version lower than ``min_version`` or the held
        version with another text raises :class:`BundleError` (and turns local denials off until a
        bundle is accepted). A version lower than the one held is what a node that has not caught
        up yet serves (or a replay): it is ignored (``False``, counted in ``stale``, local denials
        unchanged), so the client keeps its newer policy and asks again; the held bundle again is
        ignored (``False``) but its ``ETag`` kept (it names the signing key too)."""
        try:
            bundle = verify_bundle(document, self.keys, self.agent_id)
            if bundle.version < self.min_version:
                raise BundleError(f"bundle version {bundle.version} is below the minimum version {self.min_version}: "
                                  "refused (min_policy_version, or the version floor file)")
            with self._lock:
                held = self._bundle
                if held is not None and bundle.version < held.version:
                    self.stale += 1
                    _log.info("policy bundle version %d ignored: older than the held version %d (a lagging node?)",
                              bundle.version, held.version)
                    return False
                if held is not None and bundle.version == held.version:
                    if bundle.sha256 != held.sha256:
                        raise BundleError(f"bundle version {bundle.version} has another text than the one held "
                                          "(two signed texts for one version): refused")
                    self._refusing = False
                    self._etag = etag or self._etag
                    return False
        except BundleError as error:
            with self._lock:
                self._refusing = True
            self.refused += 1
            self.last_error = str(error)
            _log.warning("policy bundle refused: %s", error)
            raise
        static = StaticPolicy.from_yaml(bundle.yaml, bundle.version)
        with self._lock:
            if self._bundle is not None and bundle.version <= self._bundle.version:
                return False  # another thread installed a newer one meanwhile
            self._bundle, self._static, self._etag, self._refusing = bundle, static, etag, False
        if self.floor is not None:
            self.floor.raise_to(bundle.version)
        return True

    def fetch(self, caller: Caller, wait: float | None) -> bool:
        """One fetch (a long poll when ``wait``); whether a newer bundle was installed."""
        path = f"/v1/policies/{quote(self.agent_id, safe='')}"
        headers: dict[str, str] = {}
        with self._lock:
            etag = self._etag
        if etag and wait:
            headers["If-None-Match"] = etag
        params = {"wait": f"{int(wait * 1000)}ms"} if wait else None
        timeout = (wait or 0) + 5.0
        answer: Answer = caller.call("GET", path, headers=headers, params=params, timeout=timeout,
                                     deadline=timeout + 5.0)
        if answer.status == 304:
            return False
        if answer.status != 200:
            raise SandboxError(f"GET {path}: HTTP {answer.status} {answer.error.get('message', '')}")
        return self.offer(answer.body, answer.headers.get("ETag"))

    def start(self) -> None:
        """Starts the background refresh (long polls)."""
        self._poller = self._make_caller()
        self._thread = threading.Thread(target=self._run, name="agent-sandbox-policy", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        poller = self._poller
        assert poller is not None
        try:
            self._poll(poller)
        finally:
            poller.close()

    def _poll(self, poller: Caller) -> None:
        backoff = 1.0
        while not self._stop.is_set():
            started = time.monotonic()
            try:
                changed = self.fetch(poller, LONG_POLL)
                backoff = 1.0
            except Exception as error:  # noqa: BLE001 - the thread must survive any failure
                self.last_error = str(error)
                backoff = min(backoff * 2, LONG_POLL)
                self._stop.wait(backoff)
                continue
            # A poll answered at once with nothing new (a node that does not hold polls, or an
            # agent without a policy): wait before asking again, never spin.
            if not changed and time.monotonic() - started < 1.0:
                self._stop.wait(1.0)

    def stop(self) -> None:
        """Stops the refresh. A long poll in flight is not cut (httpx cannot interrupt it from
        another thread): the daemon thread ends when it returns, within ``LONG_POLL`` seconds."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=0.1)
