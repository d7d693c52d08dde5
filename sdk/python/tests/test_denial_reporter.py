"""The local-denial reporter against a server double that keeps the endpoint's contract: at least
once through lost answers, batches bounded in count and size, a refused denial isolated, the
queue bounded, everything flushed on close."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cluster import eventually
from fakes import AnsweringNode, FakeAudit

from agent_sandbox.denials import BATCH, PROBE, DenialReporter, encode_denial
from agent_sandbox.transport import Caller, Endpoints, RetryPolicy

SRC = Path(__file__).resolve().parents[1] / "src"


def reporter(audit: FakeAudit, capacity: int = 1000, interval: float = 0.05) -> DenialReporter:
    endpoints = Endpoints([audit.url])
    sender = DenialReporter(lambda: Caller(endpoints, {}, RetryPolicy(deadline=5.0), trust_env=False),
                            capacity=capacity, interval=interval)
    eventually("the cluster's answer to the probe", lambda: sender.supported, timeout=5)
    return sender


def denial(n: int, **extra: Any) -> dict[str, Any]:
    return {"request_id": f"r{n}", "kind": "tool", "tool": "payments.charge", "params": {"n": n},
            "chain_depth": 0, "rule": "tools.deny[0]", "reason": "denied", "policy_version": 1, **extra}


def test_lost_answers_are_retried_and_each_denial_is_recorded_once() -> None:
    audit = FakeAudit()
    audit.drop_next = 2
    sender = reporter(audit)
    try:
        for n in range(250):
            assert sender.offer(denial(n))
        assert sender.offer(denial(7))  # the same request id again: accepted (queued once: see below)
        assert sender.close(timeout=20)
    finally:
        audit.close()
    assert sorted(audit.recorded) == sorted(f"r{n}" for n in range(250))
    assert all(1 <= len(report) <= BATCH for report in audit.reports)
    assert sender.duplicates >= 1  # a report whose answer was lost came again


def test_a_refused_denial_is_isolated_and_the_others_recorded() -> None:
    audit = FakeAudit()
    audit.refuse = {"r3"}
    sender = reporter(audit)
    try:
        for n in range(6):
            sender.offer(denial(n))
        assert sender.close(timeout=10)
    finally:
        audit.close()
    assert sorted(audit.recorded) == ["r0", "r1", "r2", "r4", "r5"]
    assert sender.dropped == 1


def test_batches_stay_under_the_body_bound() -> None:
    audit = FakeAudit()
    sender = reporter(audit)
    try:
        for n in range(12):
            assert sender.offer(denial(n, params={"blob": "x" * (150 << 10)}))
        assert sender.close(timeout=10)
    finally:
        audit.close()
    assert len(audit.recorded) == 12 and max(len(report) for report in audit.reports) <= 3


def test_the_queue_is_bounded_and_what_the_server_would_refuse_is_not_queued() -> None:
    audit = FakeAudit()
    audit.drop_next = 10**6  # nothing is ever acknowledged
    sender = reporter(audit, capacity=3)
    try:
        assert all(sender.offer(denial(n)) for n in range(3))
        assert not sender.offer(denial(99))  # full: the caller asks the server instead
        assert not sender.close(timeout=0.5)
    finally:
        audit.close()
    assert encode_denial(denial(1, tool="")) is None
    assert encode_denial(denial(1, params={"x": "y" * (300 << 10)})) is None
    assert encode_denial(denial(1, request_id="a\nb")) is None
    assert encode_denial(denial(1, chain_depth=-1)) is None
    assert encode_denial(denial(1, params={"x": float("nan")})) is None
    # Parameters nested past what the report's JSON may hold (64 levels, the params 3 down).
    deep: dict[str, object] = {}
    for _ in range(61):
        deep = {"d": deep}
    assert encode_denial(denial(1, params=deep)) is None  # 62 deep
    assert encode_denial(denial(1, params=deep["d"])) is not None  # type: ignore[arg-type]  # 61 deep
    assert encode_denial(denial(1)) is not None


def test_without_the_endpoint_denials_stay_queued_and_none_is_sent_as_a_decision() -> None:
    """A decision could allow and debit a call the agent was told was denied: never sent as one."""
    audit = FakeAudit()
    sender = reporter(audit, interval=30)
    try:
        assert sender.offer(denial(1)) and sender.offer(denial(2, kind="http", method="GET", url="https://x.example/"))
        audit.missing = True  # say, the node answering now is not upgraded yet
        assert not sender.flush(timeout=1)
        assert not sender.supported and not sender.offer(denial(3))  # the server decides new ones
        assert sender.pending == 2 and audit.reports == [["r1", "r2"]]  # asked once, kept for later
        assert not sender.close(timeout=0.2)
    finally:
        audit.close()
    assert not audit.decided and not audit.recorded


def test_nothing_is_denied_locally_before_the_cluster_shows_it_records_local_denials() -> None:
    audit = FakeAudit()
    audit.missing = True
    endpoints = Endpoints([audit.url])
    sender = DenialReporter(lambda: Caller(endpoints, {}, RetryPolicy(deadline=5.0), trust_env=False))
    try:
        assert not sender.offer(denial(1))  # not known yet
        assert sender.probed.wait(5) and not sender.supported and not sender.offer(denial(2))
        assert sender.close(timeout=1)
    finally:
        audit.close()
    assert audit.reports == [[]] and not audit.decided  # the probe only


def test_a_denial_sent_twice_while_queued_is_reported_once() -> None:
    audit = FakeAudit()
    sender = reporter(audit, interval=30)  # nothing is sent before the flush
    try:
        assert sender.offer(denial(1)) and sender.offer(denial(2)) and sender.offer(denial(1))
        assert sender.pending == 2
        assert sender.close(timeout=10)
    finally:
        audit.close()
    assert audit.reports == [["r1", "r2"]]


def test_what_strict_json_cannot_carry_is_not_queued_and_the_sender_keeps_running() -> None:
    audit = FakeAudit()
    sender = reporter(audit)
    try:
        assert not sender.offer(denial(0, params=json.loads('{"note": "\\ud800 hidden"}')))  # a lone surrogate
        assert not sender.offer(denial(1, params={"x": float("nan")}))
        assert not sender.offer(denial(2, reason="\udc80"))
        assert all(sender.offer(denial(n)) for n in range(3, 6))
        assert sender.close(timeout=10)
    finally:
        audit.close()
    assert sorted(audit.recorded) == ["r3", "r4", "r5"]


def test_a_failing_send_is_dropped_and_counted_and_the_thread_survives() -> None:
    audit = FakeAudit()
    calls: list[int] = []

    class Exploding(Caller):
        def call(self, *args: Any, **kwargs: Any) -> Any:
            if kwargs.get("content") != PROBE:
                calls.append(1)
                if len(calls) == 1:
                    raise RuntimeError("a bug in a send")
            return super().call(*args, **kwargs)

    endpoints = Endpoints([audit.url])
    sender = DenialReporter(lambda: Exploding(endpoints, {}, RetryPolicy(), trust_env=False), interval=0.05)
    try:
        eventually("the probe's answer", lambda: sender.supported, timeout=5)
        assert sender.offer(denial(1))
        eventually("the failed send", lambda: sender.dropped == 1, timeout=5)
        assert sender.running and sender.offer(denial(2)) and sender.close(timeout=5)
    finally:
        audit.close()
    assert sorted(audit.recorded) == ["r2"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_sender_that_died_queues_nothing() -> None:
    def no_caller() -> Caller:
        raise RuntimeError("cannot make a caller")

    sender = DenialReporter(no_caller, interval=0.05)
    sender._supported = True  # as if the probe had been answered
    eventually("the thread's end", lambda: not sender.running, timeout=5)
    assert not sender.offer(denial(1))  # so the caller asks the server instead
    assert not sender.flush(timeout=0.1) or sender.pending == 0


def test_parameters_changed_after_the_denial_are_not_what_the_audit_records() -> None:
    audit = FakeAudit()
    sender = reporter(audit, interval=30)
    inner = {"to": "attacker@evil.example"}
    try:
        assert sender.offer(denial(1, params={"payload": inner}))
        inner["to"] = "innocuous@company.com"
        assert sender.close(timeout=10)
    finally:
        audit.close()
    assert audit.recorded["r1"]["params"] == {"payload": {"to": "attacker@evil.example"}}


def test_close_logs_how_many_denials_are_missing(caplog: pytest.LogCaptureFixture) -> None:
    audit = FakeAudit()
    audit.drop_next = 10**6
    sender = reporter(audit)
    try:
        assert sender.offer(denial(1)) and sender.offer(denial(2))
        with caplog.at_level(logging.ERROR, logger="agent_sandbox"):
            assert not sender.close(timeout=0.3)
    finally:
        audit.close()
    assert any("2 local denial(s) not recorded" in record.getMessage() for record in caplog.records), caplog.text


def test_a_flush_does_not_cut_the_pause_after_a_failed_report() -> None:
    node = AnsweringNode({"error": {"code": "bad_denial_count", "message": "0"}}, status=400)
    endpoints = Endpoints([node.url])
    sender = DenialReporter(lambda: Caller(endpoints, {}, RetryPolicy(max_attempts=1), trust_env=False),
                            interval=0.2)
    try:
        eventually("the probe's answer", lambda: sender.supported, timeout=5)
        node.status, node.body = 503, {"error": {"code": "unavailable", "message": "busy", "retryable": True}}
        del node.requests[:]
        assert sender.offer(denial(1))
        assert not sender.flush(timeout=3.0)
        reports = len(node.requests)
        sender.close(timeout=0.1)
    finally:
        node.close()
    assert 2 <= reports <= 5, reports  # the pause doubles (0.2, 0.4, 0.8, 1.6 s) whatever the flush


def test_a_reporter_never_closed_is_flushed_when_the_interpreter_exits(tmp_path: Path) -> None:
    audit = FakeAudit()
    script = tmp_path / "agent.py"
    script.write_text(f"""import sys
sys.path.insert(0, {str(SRC)!r})
from agent_sandbox.denials import DenialReporter
from agent_sandbox.transport import Caller, Endpoints, RetryPolicy
endpoints = Endpoints([{audit.url!r}])
reporter = DenialReporter(lambda: Caller(endpoints, {{}}, RetryPolicy(), trust_env=False), interval=30)
assert reporter.probed.wait(10) and reporter.supported
assert reporter.offer({denial(1)!r})
""")  # the interval is 30 s: only the exit's flush can send it
    try:
        run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=30)
    finally:
        audit.close()
    assert run.returncode == 0, run.stderr
    assert sorted(audit.recorded) == ["r1"], run.stderr
