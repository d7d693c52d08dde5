"""Small HTTP servers on 127.0.0.1 that stand in for a node: one that forwards a decision to a
real node and then drops the connection (a node lost after taking the decision), one that serves
chosen policy bundles (a forged one, an old one)."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

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

    def do_POST(self) -> None:  # noqa: N802
        fake: DroppingProxy = self.server.fake  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        key = self.headers.get("Idempotency-Key", "")
        headers = {name: self.headers[name] for name in ("X-Agent-Key", "Idempotency-Key", "Content-Type")
                   if self.headers.get(name)}
        answer = httpx.post(fake.target + self.path, content=body, headers=headers, timeout=10)
        with fake.lock:
            fake.forwarded.append((key, answer.status_code))
        self.close_connection = True  # the decision was taken; the client never hears of it


class DroppingProxy(_Server):
    """Forwards each POST to ``target``, then closes the connection without answering."""

    def __init__(self, target: str) -> None:
        self.target = target
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
