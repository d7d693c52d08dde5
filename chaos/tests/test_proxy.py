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


if __name__ == "__main__":
    unittest.main()
