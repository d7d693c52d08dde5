"""A minimal asyncio HTTP/1.1 client (one connection per call, `Connection: close`): the
harness's hundreds of simulated agents need no threads and no package."""

import asyncio
import json


class Answer:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        try:
            return json.loads(self.body or b"null")
        except ValueError:
            return None


async def call(port, method, path, body=None, headers=None, timeout=5.0, raw=None):
    """One request to 127.0.0.1:port; raises OSError / asyncio.TimeoutError when there is no
    answer within `timeout` seconds (a connection closed early or a garbled answer included)."""
    try:
        return await asyncio.wait_for(_call(port, method, path, body, headers or {}, raw), timeout)
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError, IndexError) as error:
        raise ConnectionError(f"no complete answer from 127.0.0.1:{port}: {error!r}") from error


async def _call(port, method, path, body, headers, raw):
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        payload = raw if raw is not None else (b"" if body is None else json.dumps(body).encode())
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Connection: close",
                 f"Content-Length: {len(payload)}"]
        if body is not None and raw is None:
            lines.append("Content-Type: application/json")
        lines += [f"{k}: {v}" for k, v in headers.items()]
        writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + payload)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ")[1])
        answer_headers = {}
        for line in header_lines:
            if ":" in line:
                key, value = line.split(":", 1)
                answer_headers[key.strip().lower()] = value.strip()
        if "content-length" in answer_headers:
            data = await reader.readexactly(int(answer_headers["content-length"]))
        elif answer_headers.get("transfer-encoding", "").lower() == "chunked":
            data = await _chunked(reader)
        else:
            data = await reader.read()
        return Answer(status, answer_headers, data)
    finally:
        writer.close()


async def _chunked(reader):
    data = bytearray()
    while True:
        size = int((await reader.readline()).split(b";")[0].strip() or b"0", 16)
        if size == 0:
            await reader.readline()
            return bytes(data)
        data += await reader.readexactly(size)
        await reader.readexactly(2)
