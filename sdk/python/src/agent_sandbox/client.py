"""``SandboxClient``: what an agent embeds to ask Agent Sandbox before it acts."""

from __future__ import annotations

import os
import time
import uuid
from typing import Any, Callable, Mapping, Sequence, TypeVar
from urllib.parse import quote

from .bundle import KeySet
from .cache import PolicyCache
from .denials import DenialReporter
from .errors import ConfigurationError, RequestRefused, SandboxError, UnreachableError
from .floor import VersionFloor
from .static_policy import LocalDenial
from .transport import Caller, Endpoints, RetryPolicy, json_bytes

UNREACHABLE = "sandbox unreachable"
MIN_POLL = 0.5
"""The shortest time between two asks of ``wait_for_approval`` (when a node answers at once)."""
T = TypeVar("T")


MAX_REQUEST_ID = 128
"""The longest request id the server keeps (bytes; it travels in the ``Idempotency-Key`` header)."""


def _visible_ascii(text: str) -> bool:
    return all(0x21 <= ord(char) <= 0x7E for char in text)


def _bad_request_id(request_id: str) -> str | None:
    """Why ``request_id`` cannot be sent as a request id, or ``None``."""
    if not 1 <= len(request_id) <= MAX_REQUEST_ID or not _visible_ascii(request_id):
        return f"a request id must be 1 to {MAX_REQUEST_ID} visible ASCII characters"
    return None


def _refused(request_id: str, status: int, code: str, message: str) -> dict[str, Any]:
    """A deny for a request no node decided: refused by a node (``status``), or not sendable (0)."""
    reason = f"sandbox refused the request: {message}" if status else message
    return {"decision": "deny", "reason": reason, "rule": "sdk.refused",
            "request_id": request_id, "local": True, "error": {"status": status, "code": code, "message": message}}


class SandboxClient:
    """Asks a cluster of ``sandboxd`` nodes for decisions (``docs/sdk.md``, "Python").

    ``tool_call`` and ``http_request`` answer a dict with at least ``decision`` (``allow``,
    ``deny`` or ``needs_approval``), ``reason``, ``rule`` and ``request_id``; the server's other
    fields (``decision_id``, ``approval_id``, ``budget``, ``policy_version``, ``replayed``) when
    it decided, and ``"local": True`` when the client did (a static denial, or ``sandbox
    unreachable``). They never raise for the cluster's sake: they fail closed.
    """

    def __init__(self, control_plane_base: str | None = None, agent_id: str = "", agent_api_key: str = "",
                 tool_schemas: Mapping[str, Any] | None = None, *, endpoints: Sequence[str] | None = None,
                 policy_public_key: str | None = None, local_denials: bool = True,
                 max_attempts: int = 8, deadline: float = 10.0, attempt_timeout: float = 5.0,
                 denial_queue: int = 1000, verify: bool | str = True, trust_env: bool = True,
                 min_policy_version: int = 0, policy_version_floor_file: str | os.PathLike[str] | None = None) -> None:
        if not agent_id or not agent_api_key:
            raise ConfigurationError("agent_id and agent_api_key are required")
        if not _visible_ascii(agent_api_key):
            # Not the value itself in the message: it is a secret (a trailing newline from a
            # key file is the usual cause).
            raise ConfigurationError("agent_api_key must be visible ASCII without spaces or line breaks "
                                     "(check for a trailing newline read from a file)")
        urls = list(endpoints or []) + ([control_plane_base] if control_plane_base else [])
        self.agent_id = agent_id
        self.tool_schemas = dict(tool_schemas or {})
        self.endpoints = Endpoints(urls)
        self.retry = RetryPolicy(max_attempts=max_attempts, deadline=deadline, attempt_timeout=attempt_timeout)
        self._verify = verify
        self._trust_env = trust_env
        self._headers = {"X-Agent-Key": agent_api_key, "User-Agent": "agent-sandbox-python"}
        self._caller = self._make_caller()
        self.cache: PolicyCache | None = None
        self.reporter: DenialReporter | None = None
        if policy_version_floor_file is not None and policy_public_key is None:
            raise ConfigurationError("policy_version_floor_file needs the policy cache: give policy_public_key")
        if policy_public_key is not None:
            floor = VersionFloor(policy_version_floor_file, agent_id) if policy_version_floor_file is not None else None
            self.cache = PolicyCache(agent_id, KeySet.parse(policy_public_key), self._make_caller,
                                     min_version=min_policy_version, floor=floor)
            self.cache.start()
            if local_denials:
                self.reporter = DenialReporter(self._make_caller, capacity=denial_queue)

    def _make_caller(self) -> Caller:
        return Caller(self.endpoints, self._headers, self.retry, verify=self._verify, trust_env=self._trust_env)

    # Decisions

    def tool_call(self, name: str, params: Mapping[str, Any] | None = None, *, chain_depth: int = 0,
                  cost_usd: float | None = None, request_id: str | None = None) -> dict[str, Any]:
        """The decision for calling tool ``name`` with ``params``."""
        params = dict(params or {})
        request_id = request_id or uuid.uuid4().hex
        static = self.cache.static if self.cache else None
        denial = static.tool_denial(name) if static else None
        report = {"kind": "tool", "tool": name, "params": params, "chain_depth": chain_depth}
        local = self._deny_locally(denial, request_id, report)
        if local is not None:
            return local
        body: dict[str, Any] = {"tool": name, "params": params, "chain_depth": chain_depth}
        if cost_usd is not None:
            body["cost_usd"] = cost_usd
        return self._decide(body, request_id)

    def http_request(self, method: str, url: str, *, chain_depth: int | None = None,
                     request_id: str | None = None) -> dict[str, Any]:
        """The decision for an outgoing HTTP request (egress)."""
        request_id = request_id or uuid.uuid4().hex
        method = method.upper()
        static = self.cache.static if self.cache else None
        denial = static.http_denial(method, url) if static else None
        report: dict[str, Any] = {"kind": "http", "method": method, "url": url}
        if chain_depth is not None:
            report["chain_depth"] = chain_depth
        local = self._deny_locally(denial, request_id, report)
        if local is not None:
            return local
        body: dict[str, Any] = {"http": {"method": method, "url": url}}
        if chain_depth is not None:
            body["chain_depth"] = chain_depth
        return self._decide(body, request_id)

    def _deny_locally(self, denial: LocalDenial | None, request_id: str,
                      report: dict[str, Any]) -> dict[str, Any] | None:
        """The local deny, once its audit report is queued; ``None`` when there is no local
        denial or it cannot be queued (then the server decides, and audits, the request)."""
        if denial is None or self.reporter is None:
            return None
        record = {"request_id": request_id, **report, "rule": denial.rule, "reason": denial.reason,
                  "policy_version": denial.version}
        if not self.reporter.offer(record):
            return None
        return {"decision": "deny", "reason": denial.reason, "rule": denial.rule, "request_id": request_id,
                "policy_version": denial.version, "local": True}

    def _decide(self, body: dict[str, Any], request_id: str) -> dict[str, Any]:
        bad = _bad_request_id(request_id)
        if bad is not None:
            return _refused(request_id, 0, "bad_request_id", bad)
        try:
            content = json_bytes(body)
            answer = self._caller.call("POST", "/v1/decisions", content=content,
                                       headers={"Idempotency-Key": request_id, "Content-Type": "application/json"})
        except UnreachableError:
            return {"decision": "deny", "reason": UNREACHABLE, "rule": "sdk.unreachable",
                    "request_id": request_id, "local": True}
        except ValueError as unsendable:  # NaN, a lone surrogate, a request id no header carries: fail closed
            return _refused(request_id, 0, "not_sendable", f"the request cannot be sent: {unsendable}")
        if answer.status == 200 and isinstance(answer.body, dict) and "decision" in answer.body:
            return answer.body
        error = answer.error
        return _refused(request_id, answer.status, error.get("code", "unknown"),
                        error.get("message") or f"HTTP {answer.status}")

    def execute(self, name: str, params: Mapping[str, Any] | None, perform: Callable[[], T], *,
                chain_depth: int = 0, cost_usd: float | None = None,
                approval_timeout: float | None = None) -> tuple[dict[str, Any], T | None]:
        """Runs ``perform`` only if the tool call is allowed: the decision, and what ``perform``
        returned (``None`` when it did not run). With ``approval_timeout``, a ``needs_approval``
        waits that long for the approval and, once it is approved, asks again (the approval is
        consumed by that second decision, which then decides)."""
        decision = self.tool_call(name, params, chain_depth=chain_depth, cost_usd=cost_usd)
        if decision["decision"] == "needs_approval" and approval_timeout is not None:
            approval = self.wait_for_approval(decision["approval_id"], timeout=approval_timeout)
            if approval.get("status") == "approved":
                decision = self.tool_call(name, params, chain_depth=chain_depth, cost_usd=cost_usd)
        if decision["decision"] != "allow":
            return decision, None
        return decision, perform()

    # Approvals

    def wait_for_approval(self, approval_id: int | str, timeout: float = 60.0) -> dict[str, Any]:
        """The approval once it is no longer ``pending`` (``approved``, ``denied``, ``expired``,
        ``consumed``), or as it is when ``timeout`` seconds have passed. Long-polls
        ``GET /v1/approvals/{id}?wait=``; raises :class:`UnreachableError` or
        :class:`RequestRefused` when no answer can be had."""
        limit = time.monotonic() + timeout
        path = f"/v1/approvals/{quote(str(approval_id), safe='')}"
        while True:
            asked = time.monotonic()
            remaining = limit - asked
            wait_ms = max(0, min(int(remaining * 1000), 30_000))
            params = {"wait": f"{wait_ms}ms"} if wait_ms > 0 else None
            answer = self._caller.call("GET", path, params=params, timeout=wait_ms / 1000 + 5,
                                       deadline=max(remaining, 0) + self.retry.deadline)
            if answer.status != 200 or not isinstance(answer.body, dict):
                raise RequestRefused(answer.status, answer.error.get("code", "unknown"),
                                     answer.error.get("message", str(answer.body)))
            if answer.body.get("status") != "pending" or limit - time.monotonic() <= 0:
                return answer.body
            early = MIN_POLL - (time.monotonic() - asked)  # a node that does not hold polls: never spin
            if early > 0:
                time.sleep(min(early, max(0.0, limit - time.monotonic())))

    # The policy cache

    def policy(self) -> dict[str, Any] | None:
        """The verified policy the client holds (``agent_id``, ``version``, ``yaml``, ``sha256``,
        ``ts``, ``key_id``), or ``None`` (no public key configured, or not fetched yet)."""
        bundle = self.cache.bundle if self.cache else None
        if bundle is None:
            return None
        return {"agent_id": bundle.agent_id, "version": bundle.version, "yaml": bundle.yaml,
                "sha256": bundle.sha256, "ts": bundle.ts, "key_id": bundle.key_id,
                "local_denials": self._denies_locally()}

    def _denies_locally(self) -> bool:
        """Whether the client denies locally now: a readable policy, bundles not refused, and a
        cluster that records local denials."""
        static = self.cache.static if self.cache else None
        return static is not None and self.reporter is not None and self.reporter.supported

    def refresh_policy(self) -> dict[str, Any] | None:
        """Fetches the signed bundle now (raises :class:`BundleError` for a refused one)."""
        if self.cache is None:
            raise SandboxError("no policy_public_key configured: the client keeps no policy cache")
        caller = self._make_caller()
        try:
            self.cache.fetch(caller, None)
        finally:
            caller.close()
        return self.policy()

    def wait_for_policy(self, timeout: float = 10.0) -> dict[str, Any] | None:
        """The cached policy, waiting up to ``timeout`` seconds for the first fetch (and for the
        cluster's answer to whether it records local denials)."""
        limit = time.monotonic() + timeout
        while self.policy() is None and time.monotonic() < limit:
            time.sleep(0.05)
        if self.reporter is not None:
            self.reporter.probed.wait(max(0.0, limit - time.monotonic()))
        return self.policy()

    # Lifecycle

    def flush_local_denials(self, timeout: float = 5.0) -> bool:
        """Waits until every local denial has been recorded in the audit; whether it was."""
        return self.reporter.flush(timeout) if self.reporter else True

    def close(self, timeout: float = 5.0) -> bool:
        """Flushes the local denials (up to ``timeout``) and stops the background threads;
        whether every local denial was recorded."""
        done = self.reporter.close(timeout) if self.reporter else True
        if self.cache:
            self.cache.stop()
        self._caller.close()
        return done

    def __enter__(self) -> SandboxClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
