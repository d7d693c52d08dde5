"""The fault proxy: one listener per destination node, standing in for that node's peer address.

Every node reaches node D through D's proxy (D announces the proxy's address as its own, so the
replicated member addresses point there too). A peer connection carries the frames of one
direction (the dialler's `hello` names it, docs/cluster.md "Wire format"), so the proxy reads the
first frame, learns the source S, and from then on treats the connection as the directed link
S -> D: forwarded, delayed, cut, or silenced. Blocking (cutting) a link closes its connections and
refuses new ones until it is healed: both nodes see the connection end at once (a frame cut in
the middle reaches the receiver truncated, then the end of the connection, which it discards; a
healed link starts with a new handshake). Silencing a link (a black hole, as a firewall that
drops packets) keeps its connections open and moves no byte either way until it is healed, so
the sender's socket buffers and send queue fill and only timeouts reveal the partition; on
healing the bytes held back flow again, late, as TCP would deliver them.

Nothing here waits without a bound on a node that may be paused (SIGSTOP) or stalled: the hello
is read within `accept_timeout`, the connection to the destination is made within
`connect_timeout` (a paused node's full accept queue drops connection attempts, and the kernel
retries them for minutes), and a cut aborts its connections, dropping what the proxy still held
for them (closing would wait to hand those bytes to a receiver that reads nothing, keeping the
connection, and both its pumps, until the paused node resumed)."""

import asyncio
import struct

MAX_HELLO = 64 * 1024


def hello_source(frame):
    """The node id in a `hello` frame body (version u8, kind u8 = 1, cluster id text, node u64), or
    None when the body is not a hello."""
    if len(frame) < 6 or frame[1] != 1:
        return None
    (length,) = struct.unpack(">I", frame[2:6])
    end = 6 + length
    if len(frame) < end + 8:
        return None
    return struct.unpack(">Q", frame[end:end + 8])[0]


class Link:
    """The state of the directed link S -> D: blocked, and the delay added to each chunk."""

    def __init__(self):
        self.blocked = False
        self.delay = 0.0
        self.connections = set()
        self.flowing = asyncio.Event()  # cleared while the link is silenced
        self.flowing.set()


class FaultProxy:
    """Proxies for every node of a cluster; `block`, `heal`, `delay` act on directed links."""

    def __init__(self, connect_timeout=5.0, accept_timeout=10.0):
        self.links = {}
        self.servers = {}
        self.targets = {}
        self.tasks = set()
        self.connect_timeout = connect_timeout
        self.accept_timeout = accept_timeout

    def link(self, source, destination):
        return self.links.setdefault((source, destination), Link())

    async def listen(self, destination, proxy_port, target_port):
        """Starts the proxy for `destination` on 127.0.0.1:proxy_port, forwarding to target_port."""
        self.targets[destination] = target_port
        server = await asyncio.start_server(
            lambda r, w: self._accept(destination, r, w), "127.0.0.1", proxy_port)
        self.servers[destination] = server

    def retarget(self, destination, target_port):
        self.targets[destination] = target_port

    async def close(self):
        for server in self.servers.values():
            server.close()
        for link in self.links.values():
            for writer in list(link.connections):
                writer.transport.abort()
        for task in list(self.tasks):
            task.cancel()

    def block(self, source, destination):
        link = self.link(source, destination)
        link.blocked = True
        for writer in list(link.connections):
            writer.transport.abort()  # now, whatever is still buffered for a receiver that does not read
        link.connections.clear()

    def heal(self, source=None, destination=None):
        """Unblocks and undelays one link, or every link when none is named."""
        for (s, d), link in self.links.items():
            if (source is None or s == source) and (destination is None or d == destination):
                link.blocked = False
                link.delay = 0.0
                link.flowing.set()

    def partition(self, side_a, side_b):
        """Cuts every link between the two sets, both ways."""
        for a in side_a:
            for b in side_b:
                self.block(a, b)
                self.block(b, a)

    def isolate(self, node, everyone):
        self.partition([node], [n for n in everyone if n != node])

    def silence(self, source, destination):
        """A black hole on S -> D: connections stay open, nothing moves until healed."""
        self.link(source, destination).flowing.clear()

    def isolate_silently(self, node, everyone):
        for other in everyone:
            if other != node:
                self.silence(node, other)
                self.silence(other, node)

    def set_delay(self, source, destination, seconds):
        self.link(source, destination).delay = seconds

    async def _accept(self, destination, reader, writer):
        try:
            header = await asyncio.wait_for(reader.readexactly(4), self.accept_timeout)
            (length,) = struct.unpack(">I", header)
            if length > MAX_HELLO:
                writer.close()
                return
            frame = await asyncio.wait_for(reader.readexactly(length), self.accept_timeout)
        except (asyncio.IncompleteReadError, asyncio.TimeoutError, OSError):
            writer.close()
            return
        source = hello_source(frame)
        link = self.link(source, destination)
        if source is None or link.blocked:
            writer.close()
            return
        try:
            up_reader, up_writer = await asyncio.wait_for(
                asyncio.open_connection("127.0.0.1", self.targets[destination]), self.connect_timeout)
        except (OSError, asyncio.TimeoutError):
            writer.close()  # the dialler sees the end and dials again, as after a refused connect
            return
        if link.blocked:  # cut while connecting
            writer.close()
            up_writer.close()
            return
        link.connections.add(writer)
        link.connections.add(up_writer)
        up_writer.write(header + frame)
        pumps = [
            asyncio.ensure_future(self._pump(reader, up_writer, link)),
            asyncio.ensure_future(self._pump(up_reader, writer, link)),
        ]
        for pump in pumps:
            self.tasks.add(pump)
        await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
        for pump in pumps:
            pump.cancel()
            self.tasks.discard(pump)
        for w in (writer, up_writer):
            link.connections.discard(w)
            w.close()

    @staticmethod
    async def _pump(reader, writer, link):
        try:
            while True:
                await link.flowing.wait()  # a silenced link reads nothing: the sender's buffers fill
                chunk = await reader.read(65536)
                if not chunk or link.blocked:
                    return
                if link.delay > 0:
                    await asyncio.sleep(link.delay)
                await link.flowing.wait()  # a chunk read just before the silence is held, not lost
                writer.write(chunk)
                await writer.drain()
        except (OSError, asyncio.CancelledError):
            return
