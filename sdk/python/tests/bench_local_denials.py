"""What a local denial saves: the CPU time of one local denial (evaluation and queueing) against
the wall time of one decision from a live 3-node cluster. Not a test (pytest does not collect
it): run `SANDBOXD=.build/debug/sandboxd .venv-sdk/bin/python sdk/python/tests/bench_local_denials.py`."""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parent), str(Path(__file__).resolve().parents[1] / "src")]

from cluster import Cluster  # noqa: E402
from conftest import AGENT, KEY, POLICY  # noqa: E402

from agent_sandbox import SandboxClient  # noqa: E402


def main() -> None:
    live = Cluster(Path(tempfile.mkdtemp(prefix="sdk-bench-")))
    try:
        live.start_all()
        live.seed("bench", AGENT, KEY, POLICY)
        with SandboxClient(trust_env=False,
                           endpoints=live.urls, agent_id=AGENT, agent_api_key=KEY, denial_queue=100_000,
                           policy_public_key=live.keys_json()) as client:
            client.wait_for_policy()
            count = 5_000
            cpu = time.process_time()
            for n in range(count):
                assert client.tool_call("payments.charge", {"n": n})["local"]
            local_us = (time.process_time() - cpu) / count * 1e6
            assert client.flush_local_denials(timeout=60)
            walls = []
            for n in range(300):
                started = time.perf_counter()
                assert client.tool_call("crm.read", {"n": n})["decision"] == "allow"
                walls.append(time.perf_counter() - started)
        print(f"local denial: {local_us:.0f} µs CPU per call ({count} calls, reported to the audit after)")
        print(f"decision from the cluster: median {statistics.median(walls) * 1000:.1f} ms wall, "
              f"p99 {sorted(walls)[int(len(walls) * 0.99)] * 1000:.1f} ms ({len(walls)} calls)")
    finally:
        live.stop_all()


if __name__ == "__main__":
    main()
