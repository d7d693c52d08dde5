"""The cluster under test: sandboxd processes on 127.0.0.1, each reached by its peers through
the fault proxy, started, signalled and stopped by PID only."""

import asyncio
import base64
import os
import shutil
import signal as signals
import socket
import subprocess

from . import http


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORTS_PER_NODE = 3  # HTTP, peer listener, the fault proxy's listener for the node


def ports_from_base(base, node_id):
    """Node N's ports when they come from a base: HTTP on base + 3(N-1), its peer listener one
    above, its fault proxy two above. Each must be free on 127.0.0.1 now; a taken one, or one
    past 65535, is a RuntimeError naming the port (nothing started on it)."""
    ports = [base + PORTS_PER_NODE * (node_id - 1) + offset for offset in range(PORTS_PER_NODE)]
    if base < 1 or ports[-1] > 65535:
        raise RuntimeError(f"base port {base}: node {node_id} would need ports {ports[0]}-{ports[-1]}, "
                           "outside 1-65535; choose another --base-port")
    for port in ports:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError as error:
                raise RuntimeError(f"port {port} (node {node_id}, base {base}) is in use ({error.strerror}): "
                                   "choose another --base-port") from None
    return ports


class Node:
    def __init__(self, node_id, root, base_port=None):
        """Ports from `base_port` (`ports_from_base`), or chosen by the OS when it is None."""
        self.id = node_id
        if base_port is None:
            ports = [free_port() for _ in range(PORTS_PER_NODE)]
        else:
            ports = ports_from_base(base_port, node_id)
        self.http = ports[0]
        self.peer = ports[1]  # where sandboxd listens
        self.proxy = ports[2]  # where every other node reaches it
        self.dir = os.path.join(root, f"node-{node_id}")
        self.data = os.path.join(self.dir, "data")
        self.log = os.path.join(self.dir, "log")
        self.process = None
        self.paused = False

    @property
    def alive(self):
        return self.process is not None and self.process.poll() is None


class Cluster:
    """Nodes by id; `members` are the ids in the cluster's membership as the harness set it."""

    def __init__(self, binary, root, size, tick_ms=50, environment=None, tmpfs_mb=0, base_port=None):
        self.binary = binary
        self.base_port = base_port  # node N's ports from it (`ports_from_base`); None: OS-chosen
        self.tmpfs_mb = tmpfs_mb  # each data directory on a tmpfs of this size (0: none)
        self.mounts = []
        self.root = root
        self.tick_ms = tick_ms
        self.environment = environment or {}
        self.token = base64.b16encode(os.urandom(16)).decode().lower()
        self.key_file = os.path.join(root, "signing.key")
        os.makedirs(root, exist_ok=True)
        with open(self.key_file, "w") as handle:
            handle.write(base64.b64encode(os.urandom(32)).decode() + "\n")
        self.nodes = {n: Node(n, root, base_port) for n in range(1, size + 1)}
        self.members = list(self.nodes)
        self.next_id = size + 1
        self.admin = {"Authorization": f"Bearer {self.token}"}

    def peers_flag(self, ids):
        return ",".join(f"{n}=127.0.0.1:{self.nodes[n].proxy}" for n in sorted(ids))

    def start(self, node_id, join=False):
        node = self.nodes[node_id]
        os.makedirs(node.dir, exist_ok=True)
        if self.tmpfs_mb and node.data not in self.mounts:
            os.makedirs(node.data, exist_ok=True)
            mount = ["mount", "-t", "tmpfs", "-o", f"size={self.tmpfs_mb}m", "tmpfs", node.data]
            if subprocess.run(mount, capture_output=True).returncode != 0:
                raise RuntimeError(f"cannot mount a tmpfs on {node.data}: run without --disk-full")
            self.mounts.append(node.data)
        arguments = [
            self.binary, "--node-id", str(node_id), "--data-dir", node.data,
            "--http", f"127.0.0.1:{node.http}", "--peer-listen", f"127.0.0.1:{node.peer}",
            "--peers", self.peers_flag(set(self.members) | {node_id}), "--cluster-id", "chaos",
            "--admin-token", self.token, "--tick-ms", str(self.tick_ms),
            "--signing-key-file", self.key_file, "--exit-with-parent", str(os.getpid()),
            "--join" if join else "--bootstrap",
        ]
        environment = dict(os.environ)
        environment.update(self.environment)
        with open(node.log, "ab") as log:
            node.process = subprocess.Popen(arguments, stdout=log, stderr=log, stdin=subprocess.DEVNULL,
                                            env=environment)
        node.paused = False

    def signal(self, node_id, signum):
        node = self.nodes[node_id]
        if node.alive:
            os.kill(node.process.pid, signum)
        if signum == signals.SIGSTOP:
            node.paused = True
        elif signum == signals.SIGCONT:
            node.paused = False

    async def stop(self, node_id, signum=signals.SIGTERM, wait=15.0):
        """Sends `signum` and waits (bounded) for the process to end; SIGKILL after `wait`."""
        node = self.nodes[node_id]
        if not node.alive:
            return
        if node.paused:
            os.kill(node.process.pid, signals.SIGCONT)
            node.paused = False
        os.kill(node.process.pid, signum)
        for _ in range(int(wait * 10)):
            if node.process.poll() is not None:
                return
            await asyncio.sleep(0.1)
        node.process.kill()
        node.process.wait(timeout=10)

    async def stop_all(self):
        for node_id in list(self.nodes):
            await self.stop(node_id, signals.SIGKILL, wait=5.0)
        for mount in self.mounts:
            subprocess.run(["umount", mount], capture_output=True)
        self.mounts = []

    @staticmethod
    def tmpfs_available(root):
        """Whether this process may mount a tmpfs (root, or a user namespace that allows it)."""
        probe = os.path.join(root, "tmpfs-probe")
        os.makedirs(probe, exist_ok=True)
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", probe], capture_output=True).returncode:
            return False
        subprocess.run(["umount", probe], capture_output=True)
        return True

    def wipe(self, node_id):
        shutil.rmtree(self.nodes[node_id].data, ignore_errors=True)

    def add_node(self):
        node_id = self.next_id
        self.next_id += 1
        self.nodes[node_id] = Node(node_id, self.root, self.base_port)
        return node_id

    def running(self):
        return [n for n in self.members if self.nodes[n].alive and not self.nodes[n].paused]

    async def status(self, node_id, digest=False, timeout=2.0):
        path = "/v1/cluster?digest=1" if digest else "/v1/cluster"
        try:
            answer = await http.call(self.nodes[node_id].http, "GET", path, timeout=timeout)
            return answer.json() if answer.status == 200 else None
        except (OSError, asyncio.TimeoutError):
            return None

    async def statuses(self, timeout=1.0):
        """Every running member's status, asked at once (a stalled node delays no other's)."""
        nodes = self.running()
        answers = await asyncio.gather(*(self.status(node_id, timeout=timeout) for node_id in nodes))
        return dict(zip(nodes, answers))

    async def leader(self):
        """The id of the running member that says it leads in the highest term (None when none
        does): right after a heal a deposed leader may still say it leads, in an older term."""
        return leading(await self.statuses())

    async def start_all(self, proxy=None):
        """Starts every node (behind `proxy`, the fault proxy, when given) and waits for a leader
        and every member ready."""
        if proxy is not None:
            for node_id, node in self.nodes.items():
                await proxy.listen(node_id, node.proxy, node.peer)
        for node_id in self.nodes:
            self.start(node_id)
        if await self.wait_leader(60.0) is None:
            raise RuntimeError("no leader 60 s after start")
        await self.wait_ready(self.members)

    async def wait_leader(self, timeout=30.0):
        deadline = asyncio.get_event_loop().time() + timeout
        while asyncio.get_event_loop().time() < deadline:
            leader = await self.leader()
            if leader is not None:
                return leader
            await asyncio.sleep(0.2)
        return None

    async def wait_ready(self, node_ids, timeout=60.0):
        deadline = asyncio.get_event_loop().time() + timeout
        for node_id in node_ids:
            while True:
                try:
                    answer = await http.call(self.nodes[node_id].http, "GET", "/readyz", timeout=2.0)
                    if answer.status == 200:
                        break
                except (OSError, asyncio.TimeoutError):
                    pass
                if asyncio.get_event_loop().time() >= deadline:
                    raise RuntimeError(f"node {node_id} not ready after {timeout} s (log: {self.nodes[node_id].log})")
                await asyncio.sleep(0.2)

    async def admin_call(self, method, path, body=None, timeout=20.0, raw=None, headers=None, ok=(200,), trace=None,
                         attempt_timeout=None):
        """An administrative call retried on every running node until a definite answer (bounded by
        `timeout` in all, each attempt by `attempt_timeout`, the whole `timeout` when not given).
        `trace`, a list, gets each attempt: [node, seconds it took, HTTP status or the error]."""
        loop = asyncio.get_event_loop()
        deadline = loop.time() + timeout
        last = None
        while loop.time() < deadline:
            for node_id in self.running():
                began = loop.time()
                try:
                    answer = await http.call(self.nodes[node_id].http, method, path, body=body, raw=raw,
                                             headers={**self.admin, **(headers or {})},
                                             timeout=max(5.0, attempt_timeout or timeout))
                except (OSError, asyncio.TimeoutError) as error:
                    last = error
                    if trace is not None:
                        trace.append([node_id, round(loop.time() - began, 2), type(error).__name__])
                    continue
                if trace is not None:
                    trace.append([node_id, round(loop.time() - began, 2), answer.status])
                if answer.status < 500 and answer.status != 429:
                    return answer
                last = answer.body
            await asyncio.sleep(0.3)
        attempts = f"; attempts [node, s, answer]: {trace[-12:]}" if trace else ""
        raise RuntimeError(f"{method} {path}: no definite answer within {timeout} s ({last}){attempts}")


def leading(statuses):
    """Of `{node: status or None}`, the node that says it leads in the highest term (None when
    none does). A deposed leader that has not heard of the newer term yet (paused, cut off,
    its loop stalled) still says it leads, in its old term."""
    best = None
    for node_id, status in statuses.items():
        if status and status.get("role") == "leader":
            term = status.get("term") or 0
            if best is None or term > best[0]:
                best = (term, node_id)
    return best[1] if best else None
