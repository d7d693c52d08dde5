"""The local-denial reporter against a server double that keeps the endpoint's contract: at least
once through lost answers, batches bounded in count and size, a refused denial isolated, the
queue bounded, everything flushed on close."""

from __future__ import annotations

from typing import Any

from fakes import FakeAudit

from agent_sandbox.denials import BATCH, DenialReporter, encoded_size
from agent_sandbox.transport import Caller, Endpoints, RetryPolicy


def reporter(audit: FakeAudit, capacity: int = 1000) -> DenialReporter:
    endpoints = Endpoints([audit.url])
    return DenialReporter(lambda: Caller(endpoints, {}, RetryPolicy(deadline=5.0)), capacity=capacity,
                          interval=0.05)


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
        assert sender.offer(denial(7))  # the same request id again: queued once
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
    assert encoded_size(denial(1, tool="")) is None
    assert encoded_size(denial(1, params={"x": "y" * (300 << 10)})) is None
    assert encoded_size(denial(1, request_id="a\nb")) is None
    assert encoded_size(denial(1, chain_depth=-1)) is None
    assert encoded_size(denial(1, params={"x": float("nan")})) is None
    assert encoded_size(denial(1)) is not None


def test_without_the_endpoint_the_queued_denials_are_decided_by_the_server() -> None:
    audit = FakeAudit()
    audit.missing = True
    sender = reporter(audit)
    try:
        assert sender.offer(denial(1)) and sender.offer(denial(2, kind="http", method="GET", url="https://x.example/"))
        assert sender.flush(timeout=10)
        assert not sender.supported and not sender.offer(denial(3))  # the server decides new ones
        sender.close(timeout=5)
    finally:
        audit.close()
    assert sorted(audit.decided) == ["r1", "r2"] and not audit.recorded
    assert audit.decided["r2"] == {"http": {"method": "GET", "url": "https://x.example/"}}
    assert audit.decided["r1"]["tool"] == "payments.charge"
