"""Small HTTP servers on 127.0.0.1 that stand in for a node: one that forwards a decision to a
real node and then drops the connection (a node lost after taking the decision), one that serves
chosen policy bundles (a forged one, an old one), the local-denials endpoint, a node answering
one fixed answer, and raw sockets: a node that drips its answer, one that never answers."""

from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

import httpx


class _Server:
    def __init__(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.server.fake = self  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class _Dropper(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def _forward(self, method: str) -> None:
        fake: DroppingProxy = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        headers = {name: self.headers[name] for name in ("X-Agent-Key", "Idempotency-Key", "Content-Type")
                   if self.headers.get(name)}
        answer = httpx.request(method, fake.target + self.path, content=body, headers=headers, timeout=10,
                               trust_env=False)
        with fake.lock:
            probe = body == b'{"denials":[]}'  # the SDK asking whether the route exists: not a request that counts
            drop = method == "POST" and not probe and (fake.drops is None or fake.drops > 0)
            if drop:
                fake.forwarded.append((self.headers.get("Idempotency-Key", ""), answer.status_code))
                if fake.drops is not None:
                    fake.drops -= 1
        if drop:
            self.close_connection = True  # the request was carried out; the client never hears of it
            return
        self.send_response(answer.status_code)
        for name in ("Content-Type", "ETag"):
            if name in answer.headers:
                self.send_header(name, answer.headers[name])
        self.send_header("Content-Length", str(len(answer.content)))
        self.end_headers()
        self.wfile.write(answer.content)

    def do_POST(self) -> None:  # noqa: N802
        self._forward("POST")

    def do_GET(self) -> None:  # noqa: N802
        self._forward("GET")


class DroppingProxy(_Server):
    """Forwards each request to ``target``; of the first ``drops`` POSTs (every one when None; the
    SDK's probe of the local-denials route aside) it closes the connection without passing the
    answer on."""

    def __init__(self, target: str, drops: int | None = None) -> None:
        self.target = target
        self.drops = drops
        self.forwarded: list[tuple[str, int]] = []
        self.lock = threading.Lock()
        super().__init__(_Dropper)


class _Bundles(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802
        fake: BundleServer = self.server.fake  # type: ignore[attr-defined]
        with fake.lock:
            document = fake.document
            fake.requests += 1
        body = json.dumps(document).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("ETag", '"fake"')
        self.end_headers()
        self.wfile.write(body)


class BundleServer(_Server):
    """Answers every GET with ``document`` (a signed bundle, as a node would serve it)."""

    def __init__(self, document: Any) -> None:
        self.document = document
        self.requests = 0
        self.lock = threading.Lock()
        super().__init__(_Bundles)

    def serve(self, document: Any) -> None:
        with self.lock:
            self.document = document


class _Audit(BaseHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass

    def do_POST(self) -> None:  # noqa: N802
        fake: FakeAudit = self.server.fake  # type: ignore[attr-defined]
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", "0"))))
        if self.path == "/v1/decisions":
            with fake.lock:
                fake.decided[self.headers["Idempotency-Key"]] = body
            self._answer(200, {"decision": "deny", "reason": "denied", "rule": "r"})
            return
        denials = body["denials"]
        with fake.lock:
            if fake.missing:
                fake.reports.append([denial["request_id"] for denial in denials])
                self._answer(404, {"error": {"code": "not_found", "message": "no such route", "retryable": False}})
                return
            if not denials:  # the client's probe: the route exists
                self._answer(400, {"error": {"code": "bad_denial_count", "message": "0", "retryable": False}})
                return
            fake.reports.append([denial["request_id"] for denial in denials])
            if fake.drop_next > 0:  # recorded, but the answer is lost
                fake.drop_next -= 1
                self._record(fake, denials)
                self.close_connection = True
                return
            if not 1 <= len(denials) <= 100 or any(d["request_id"] in fake.refuse for d in denials):
                self._answer(400, {"error": {"code": "bad_request", "message": "refused", "retryable": False}})
                return
            self._answer(200, self._record(fake, denials))

    @staticmethod
    def _record(fake: FakeAudit, denials: list[dict[str, Any]]) -> dict[str, int]:
        fresh = [d for d in denials if d["request_id"] not in fake.recorded]
        for denial in fresh:
            fake.recorded[denial["request_id"]] = denial
        return {"recorded": len(fresh), "duplicates": len(denials) - len(fresh)}

    def _answer(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class FakeAudit(_Server):
    """`POST /v1/audit/local-denials` as the contract says: deduplicates by request id, refuses
    reports that hold a request id in ``refuse``, and loses the answer of the next ``drop_next``
    reports after recording them; with ``missing``, answers 404 as a node without the route."""

    def __init__(self) -> None:
        self.recorded: dict[str, dict[str, Any]] = {}
        self.reports: list[list[str]] = []
        self.refuse: set[str] = set()
        self.drop_next = 0
        self.missing = False  # an older node: no such route; decisions are recorded in `decided`
        self.decided: dict[str, Any] = {}
        self.lock = threading.Lock()
        super().__init__(_Audit)


class _Answering(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args: Any) -> None:
        pass

    def _reply(self) -> None:
        fake: AnsweringNode = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        with fake.lock:
            fake.requests.append(f"{self.command} {self.path}")
            fake.bodies.append(body)
        data = json.dumps(fake.body).encode()
        self.send_response(fake.status)
        for name, value in fake.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self) -> None:  # noqa: N802
        self._reply()

    def do_GET(self) -> None:  # noqa: N802
        self._reply()


class AnsweringNode(_Server):
    """Answers every request at once with ``status``, ``headers`` and ``body``; keeps ``requests``."""

    def __init__(self, body: Any, status: int = 200, headers: dict[str, str] | None = None) -> None:
        self.body = body
        self.status = status
        self.headers = headers or {}
        self.requests: list[str] = []
        self.bodies: list[bytes] = []
        self.lock = threading.Lock()
        super().__init__(_Answering)


class RawNode:
    """A TCP listener on 127.0.0.1 that answers each connection with ``serve(connection)`` (in a
    thread), or, without ``serve``, accepts connections and never answers (a hung node)."""

    def __init__(self, serve: Callable[[socket.socket], None] | None = None) -> None:
        self.listener = socket.socket()
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.serve = serve
        self.connections: list[socket.socket] = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.listener.getsockname()[1]}"

    def _accept(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections.append(connection)
            if self.serve is not None:
                threading.Thread(target=self.serve, args=(connection,), daemon=True).start()

    def close(self) -> None:
        self.listener.close()
        for connection in self.connections:
            connection.close()


def drip(body: bytes, every: float) -> Callable[[socket.socket], None]:
    """Answers 200 with ``body``, one byte every ``every`` seconds."""

    def serve(connection: socket.socket) -> None:
        try:
            connection.recv(65536)
            connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
                               % len(body))
            for byte in body:
                time.sleep(every)
                connection.sendall(bytes([byte]))
        except OSError:
            pass

    return serve
