"""A local `sandboxd` cluster for the SDK tests: processes on 127.0.0.1 on free ports, in a
temporary directory, each stopped by its PID (and exiting by itself if the test process dies)."""

from __future__ import annotations

import base64
import os
import random
import secrets
import signal
import socket
import ssl
import subprocess
import time
from pathlib import Path
from typing import Any, Callable

import httpx

REPO = Path(__file__).resolve().parents[3]


def sandboxd_binary() -> str:
    """The built `sandboxd` (`SANDBOXD` overrides the path)."""
    path = os.environ.get("SANDBOXD") or str(REPO / ".build" / "debug" / "sandboxd")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"no sandboxd at {path}: run `swift build --product sandboxd` (or set SANDBOXD)")
    return path


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_base_port(count: int) -> int:
    """A base port such that base..base+count-1 and base+1000.. are free (random, then checked),
    below Linux's ephemeral range (32768-60999), so that no outgoing connection takes one meanwhile."""
    for _ in range(200):
        base = random.randrange(20_000, 31_000)
        if all(_free(base + offset) and _free(base + 1000 + offset) for offset in range(count)):
            return base
    raise RuntimeError("no free port range found")


def _outcome_unknown(answer: httpx.Response) -> bool:
    try:
        error = answer.json().get("error", {})
    except (ValueError, AttributeError):
        return True  # not the server's error shape: assume the worst
    return isinstance(error, dict) and error.get("outcome_unknown") is True


def eventually(what: str, check: Callable[[], Any], timeout: float = 30.0, interval: float = 0.05) -> Any:
    """Polls ``check`` until it returns a true value (bounded); fails naming ``what``."""
    limit = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > limit:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(interval)


class Cluster:
    def __init__(self, directory: Path, size: int = 3, tls: tuple[Path, Path] | None = None) -> None:
        """``tls``: a PEM certificate (trusted by the test's client) and its key: HTTPS only."""
        self.directory = directory
        self.size = size
        self.tls = tls
        self.base = free_base_port(size)
        self.admin_token = "sdk-test-admin-" + secrets.token_hex(8)
        self.signing_key = base64.b64encode(os.urandom(32)).decode()
        self.processes: dict[int, subprocess.Popen[bytes]] = {}
        self.http = httpx.Client(timeout=5.0, verify=ssl.create_default_context(cafile=str(tls[0])) if tls else True,
                                 trust_env=False)  # a proxy in the environment must not carry 127.0.0.1

    def url(self, node: int) -> str:
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.base + node - 1}"

    @property
    def urls(self) -> list[str]:
        return [self.url(node) for node in range(1, self.size + 1)]

    def start(self, node: int) -> None:
        peers = ",".join(f"{n}=127.0.0.1:{self.base + 1000 + n - 1}" for n in range(1, self.size + 1))
        log = open(self.directory / f"node-{node}.log", "ab")
        env = dict(os.environ, SANDBOX_CLUSTER_SECRET="sdk-test-cluster-secret-0123456789",
                   SANDBOX_SIGNING_KEY=self.signing_key)
        self.processes[node] = subprocess.Popen(
            [sandboxd_binary(), "--node-id", str(node), "--data-dir", str(self.directory / f"node-{node}"),
             "--http", f"127.0.0.1:{self.base + node - 1}", "--peer-listen", f"127.0.0.1:{self.base + 1000 + node - 1}",
             "--peers", peers, "--cluster-id", "sdk-test", "--bootstrap", "--tick-ms", "50",
             "--admin-token", self.admin_token, "--exit-with-parent", str(os.getpid())]
            + (["--tls-cert", str(self.tls[0]), "--tls-key", str(self.tls[1])] if self.tls else []),
            stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=env)
        log.close()

    def start_all(self) -> None:
        for node in range(1, self.size + 1):
            self.start(node)
        eventually("a leader known to every node", lambda: all(self.ready(n) for n in range(1, self.size + 1)))

    def restore(self) -> None:
        """Starts again the nodes a test stopped, and waits until every node knows a leader."""
        for node in range(1, self.size + 1):
            if node not in self.processes:
                self.start(node)
        eventually("a leader known to every node", lambda: all(self.ready(n) for n in range(1, self.size + 1)))

    def ready(self, node: int) -> bool:
        try:
            return self.http.get(self.url(node) + "/readyz", timeout=2.0).status_code == 200
        except httpx.HTTPError:
            return False

    def leader(self) -> int:
        def ask() -> int:
            for node in self.processes:
                try:
                    leader = self.http.get(self.url(node) + "/v1/cluster", timeout=2.0).json().get("leader", 0)
                except (httpx.HTTPError, ValueError):
                    continue
                if leader in self.processes:
                    return int(leader)
            return 0
        return int(eventually("a leader", ask))

    def kill(self, node: int, sig: int = signal.SIGKILL) -> None:
        process = self.processes.pop(node, None)
        if process is None:
            return
        process.send_signal(sig)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)

    def stop_all(self) -> None:
        for node in sorted(self.processes):
            self.kill(node, signal.SIGTERM)
        self.http.close()

    def log(self, node: int) -> str:
        return (self.directory / f"node-{node}.log").read_text(errors="replace")

    def admin(self, method: str, path: str, *, node: int = 1, json: Any = None, content: str | None = None,
              headers: dict[str, str] | None = None, expect: int = 200) -> Any:
        """An operator call with the admin token, asked again (bounded) while the answer is
        retryable; fails unless the status is ``expect``. A POST (not idempotent) is asked again
        only when it cannot have been carried out (connection refused, a 503 that is not
        ``outcome_unknown``); after an unknown outcome a 409 means the first attempt created it."""
        headers = {"Authorization": f"Bearer {self.admin_token}", **(headers or {})}
        nodes = [node] + [n for n in self.processes if n != node]
        unknown = False

        def attempt() -> httpx.Response | None:
            nonlocal unknown
            for target in nodes:
                try:
                    answer = self.http.request(method, self.url(target) + path, json=json, content=content,
                                               headers=headers)
                except httpx.ConnectError:
                    continue
                except httpx.HTTPError:
                    unknown = True  # sent, maybe carried out: a POST asked again may find it done
                    continue
                if answer.status_code not in (429, 502, 503, 504):
                    return answer
                unknown = unknown or _outcome_unknown(answer)
            return None

        answer = eventually(f"{method} {path}", attempt, timeout=30.0, interval=0.2)
        if method == "POST" and unknown and answer.status_code == 409 and expect != 409:
            return None  # the attempt whose answer was lost created it
        assert answer.status_code == expect, f"{method} {path}: HTTP {answer.status_code}: {answer.text}"
        return answer.json() if answer.content else None

    def seed(self, tenant: str, agent: str, key: str, policy: str) -> None:
        self.admin("POST", "/v1/tenants", json={"name": tenant, "id": tenant})
        self.admin("POST", f"/v1/tenants/{tenant}/agents", json={"agent_id": agent, "api_key": key})
        self.publish(agent, policy)

    def publish(self, agent: str, policy: str, node: int = 1) -> int:
        answer = self.admin("PUT", f"/v1/policies/{agent}", node=node, content=policy,
                            headers={"Content-Type": "application/x-yaml"})
        return int(answer["version"])

    def get(self, path: str, *, node: int | None = None, headers: dict[str, str] | None = None) -> httpx.Response:
        """``GET path`` on ``node`` (the first running one by default), asked again while no answer
        comes in time or a 503 does (a loaded machine; a GET changes nothing), bounded."""
        target = node if node is not None else next(iter(self.processes))

        def attempt() -> httpx.Response | None:
            try:
                answer = self.http.get(self.url(target) + path, headers=headers)
            except httpx.HTTPError:
                return None
            return None if answer.status_code == 503 else answer

        answer: httpx.Response = eventually(f"GET {path}", attempt, timeout=30.0, interval=0.2)
        return answer

    def keys_json(self) -> str:
        return self.get("/v1/keys").text
