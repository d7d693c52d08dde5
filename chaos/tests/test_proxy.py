"""The fault proxy: a cut link ends its connections; a silenced (black-holed) link keeps them
open and delivers nothing until healed, then delivers what was held back."""

import asyncio
import os
import socket
import struct
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.proxy import FaultProxy  # noqa: E402


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hello(node):
    cluster = b"chaos"
    body = bytes([1, 1]) + struct.pack(">I", len(cluster)) + cluster + struct.pack(">Q", node)
    return struct.pack(">I", len(body)) + body


class ProxyTests(unittest.TestCase):
    def run_scenario(self, fault):
        async def scenario():
            received = asyncio.Queue()

            async def target(reader, writer):
                while True:
                    chunk = await reader.read(65536)
                    if not chunk:
                        await received.put(None)
                        return
                    await received.put(chunk)

            server = await asyncio.start_server(target, "127.0.0.1", free_port())
            target_port = server.sockets[0].getsockname()[1]
            proxy, proxy_port = FaultProxy(), free_port()
            await proxy.listen(2, proxy_port, target_port)
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            writer.write(hello(1))
            await writer.drain()
            self.assertEqual(await asyncio.wait_for(received.get(), 5), hello(1))
            outcome = await fault(proxy, reader, writer, received)
            writer.close()
            await proxy.close()
            server.close()
            return outcome

        return asyncio.run(scenario())

    def test_a_silenced_link_stays_open_delivers_nothing_then_delivers_late(self):
        async def fault(proxy, reader, writer, received):
            proxy.silence(1, 2)
            writer.write(b"held back")
            await writer.drain()
            with self.assertRaises(asyncio.TimeoutError):  # nothing arrives, and no end either
                await asyncio.wait_for(received.get(), 0.5)
            with self.assertRaises(asyncio.TimeoutError):  # the dialler sees no close
                await asyncio.wait_for(reader.read(1), 0.2)
            proxy.heal()
            return await asyncio.wait_for(received.get(), 5)

        self.assertEqual(self.run_scenario(fault), b"held back")

    def test_a_cut_link_ends_the_connection(self):
        async def fault(proxy, reader, writer, received):
            proxy.block(1, 2)
            return await asyncio.wait_for(received.get(), 5)

        self.assertIsNone(self.run_scenario(fault))


BASE = 18870  # this suite's listeners below (18800-18899 is this task's range)


class BoundedWaitTests(unittest.TestCase):
    """Nothing in the proxy waits without a bound on a destination that is paused (SIGSTOP):
    such a node neither reads nor accepts."""

    def test_a_cut_link_ends_at_once_when_the_receiver_reads_nothing(self):
        async def scenario():
            held = []

            async def paused(reader, writer):  # accepts, then reads nothing (the connection stays open)
                held.append(writer)

            server = await asyncio.start_server(paused, "127.0.0.1", BASE)
            proxy = FaultProxy()
            proxy_port = BASE + 1
            await proxy.listen(2, proxy_port, BASE)
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            try:
                writer.write(hello(1) + b"x" * (32 << 20))  # more than the sockets' buffers hold
                link = proxy.link(1, 2)
                for _ in range(100):  # until the proxy holds bytes the receiver does not take
                    if any(w.transport.get_write_buffer_size() > 0 for w in link.connections):
                        break
                    await asyncio.sleep(0.05)
                self.assertTrue(link.connections, "the proxy never forwarded the connection")
                proxy.block(1, 2)
                for _ in range(40):
                    if not proxy.tasks:
                        return True
                    await asyncio.sleep(0.05)
                return False
            finally:
                writer.transport.abort()
                for w in held:
                    w.transport.abort()
                await proxy.close()
                server.close()

        self.assertTrue(asyncio.run(scenario()), "the cut link's pumps still wait 2 s later")

    def test_a_destination_that_accepts_nothing_is_given_up_within_the_connect_timeout(self):
        async def scenario():
            # A listener whose accept queue is full (nobody accepts): the kernel drops further
            # connection attempts and the dialler retries them for minutes.
            listener = socket.socket()
            listener.bind(("127.0.0.1", BASE + 2))
            listener.listen(0)
            fillers = []
            for _ in range(8):
                filler = socket.socket()
                filler.setblocking(False)
                filler.connect_ex(listener.getsockname())
                fillers.append(filler)
            proxy = FaultProxy(connect_timeout=0.5)
            proxy_port = BASE + 3
            await proxy.listen(2, proxy_port, listener.getsockname()[1])
            reader, writer = await asyncio.open_connection("127.0.0.1", proxy_port)
            try:
                writer.write(hello(1))
                await writer.drain()
                return await asyncio.wait_for(reader.read(1), 3)  # the end of the connection
            finally:
                writer.close()
                await proxy.close()
                for filler in fillers:
                    filler.close()
                listener.close()

        self.assertEqual(asyncio.run(scenario()), b"")


if __name__ == "__main__":
    unittest.main()
