"""The client's bounds against node doubles (no cluster): the deadline holds end to end (a node
dripping its answer, one that never answers, an answer too large), what strict JSON cannot carry
is denied without raising, and waiting for an approval never spins."""

from __future__ import annotations

import email.utils
import json
import math
import time

import pytest
from fakes import AnsweringNode, RawNode, drip

from agent_sandbox import UNREACHABLE, ConfigurationError, SandboxClient, UnreachableError
from agent_sandbox.transport import Caller, Endpoints, RetryPolicy, retry_after

ALLOW = {"decision": "allow", "reason": "ok", "rule": "tools.allow[0]"}


def client(*urls: str, **options: float) -> SandboxClient:
    return SandboxClient(endpoints=list(urls), agent_id="a", agent_api_key="k", trust_env=False, **options)


def test_a_node_dripping_its_answer_cannot_outlast_the_deadline() -> None:
    node = RawNode(drip(json.dumps(ALLOW).encode(), every=0.3))
    try:
        with client(node.url, deadline=2.0) as sandbox:
            started = time.monotonic()
            answer = sandbox.tool_call("crm.read", {})
            elapsed = time.monotonic() - started
    finally:
        node.close()
    assert answer["decision"] == "deny" and answer["reason"] == UNREACHABLE, answer  # not the late allow
    assert elapsed < 2.0 + 0.6, elapsed


def test_an_answer_over_the_size_bound_is_given_up() -> None:
    node = AnsweringNode({"decision": "allow", "pad": "x" * 5000})
    caller = Caller(Endpoints([node.url]), {}, RetryPolicy(max_body=4096, deadline=1.0), trust_env=False)
    try:
        with pytest.raises(UnreachableError, match="over 4096 bytes"):
            caller.call("POST", "/v1/decisions", json={})
    finally:
        caller.close()
        node.close()


def test_a_hung_node_does_not_eat_the_deadline_of_every_call() -> None:
    hung, good = RawNode(), AnsweringNode(ALLOW)
    try:
        with client(hung.url, good.url, deadline=2.0) as sandbox:
            answers = []
            for _ in range(4):
                started = time.monotonic()
                answers.append((sandbox.tool_call("crm.read", {})["decision"], time.monotonic() - started))
    finally:
        hung.close()
        good.close()
    assert [decision for decision, _ in answers] == ["allow"] * 4, answers
    assert max(elapsed for _, elapsed in answers) < 1.5, answers  # at most half the deadline on the hung node
    assert len(hung.connections) <= 2, len(hung.connections)  # then it is tried last: quarantined


@pytest.mark.parametrize("params", [{"amount": math.nan}, {"note": json.loads('"\\ud800"')}, {"x": object()}])
def test_what_strict_json_cannot_carry_is_denied_without_raising(params: dict[str, object]) -> None:
    node = AnsweringNode(ALLOW)
    try:
        with client(node.url) as sandbox:
            answer = sandbox.tool_call("crm.read", params)
    finally:
        node.close()
    assert answer["decision"] == "deny" and answer["rule"] == "sdk.refused" and answer["local"], answer
    assert not node.requests


def test_waiting_for_an_approval_a_node_answers_at_once_does_not_spin() -> None:
    node = AnsweringNode({"id": 1, "status": "pending"})
    try:
        with client(node.url) as sandbox:
            started = time.monotonic()
            approval = sandbox.wait_for_approval(1, timeout=2.0)
            elapsed = time.monotonic() - started
    finally:
        node.close()
    assert approval["status"] == "pending" and 1.9 < elapsed < 3.0, (approval, elapsed)
    assert len(node.requests) <= 6, len(node.requests)


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    now = 1_700_000_000.0
    date = email.utils.formatdate(now + 7, usegmt=True)
    assert retry_after("3") == 3.0 and retry_after(" 0 ") == 0.0
    assert retry_after(date, now=now) == pytest.approx(7.0)
    assert retry_after(email.utils.formatdate(now - 60, usegmt=True), now=now) == 0.0  # past: at once
    for unreadable in (None, "", "soon", "-1", "1.5", "٣"):
        assert retry_after(unreadable) == 0.0, unreadable
    assert retry_after("9" * 40) == 999_999.0


@pytest.mark.parametrize("status", [429, 503])
def test_a_nodes_retry_after_is_waited_before_it_is_asked_again(status: int) -> None:
    pauses: list[float] = []
    node = AnsweringNode({"error": {"code": "busy", "retryable": True}}, status=status, headers={"Retry-After": "3"})
    caller = Caller(Endpoints([node.url]), {}, RetryPolicy(max_attempts=2, deadline=60.0), sleep=pauses.append,
                    trust_env=False)
    capped = Caller(Endpoints([node.url]), {}, RetryPolicy(max_attempts=2, deadline=60.0, max_retry_after=0.5),
                    sleep=pauses.append, trust_env=False)
    try:
        for each in (caller, capped):
            with pytest.raises(UnreachableError):
                each.call("POST", "/v1/decisions", json={})
    finally:
        caller.close()
        capped.close()
        node.close()
    assert pauses == [3.0, 0.5], pauses  # not the 0.1 s backoff; then cut to max_retry_after
    assert len(node.requests) == 4


def test_the_other_nodes_are_asked_while_one_rests_for_its_retry_after() -> None:
    pauses: list[float] = []
    busy = AnsweringNode({"error": {"code": "busy"}}, status=503, headers={"Retry-After": "5"})
    good = AnsweringNode(ALLOW)
    endpoints = Endpoints([busy.url, good.url])
    caller = Caller(endpoints, {}, RetryPolicy(deadline=60.0), sleep=pauses.append, trust_env=False)
    try:
        answers = [caller.call("POST", "/v1/decisions", json={}).status for _ in range(4)]
    finally:
        caller.close()
        busy.close()
        good.close()
    assert answers == [200] * 4 and pauses == [], (answers, pauses)
    assert len(busy.requests) <= 1, busy.requests  # resting 5 s: asked last, so not at all here


def test_a_key_with_a_trailing_newline_is_refused_without_showing_it() -> None:
    secret = "AGENT-KEY-0123456789"
    for bad in (secret + "\n", secret + " ", "é" + secret):
        with pytest.raises(ConfigurationError) as refused:
            SandboxClient(endpoints=["http://127.0.0.1:9"], agent_id="a", agent_api_key=bad, trust_env=False)
        assert secret not in str(refused.value)


@pytest.mark.parametrize("request_id", ["", "r" * 129, "has space", "line\nbreak", "é"])
def test_a_request_id_no_header_carries_is_denied_without_asking(request_id: str) -> None:
    node = AnsweringNode(ALLOW)
    try:
        with client(node.url) as sandbox:
            answer = sandbox.tool_call("crm.read", {}, request_id=request_id) if request_id else None
            http = sandbox.http_request("GET", "https://a.example/", request_id=request_id) if request_id else None
    finally:
        node.close()
    for decided in (answer, http):
        if decided is not None:
            assert decided["decision"] == "deny" and decided["error"]["code"] == "bad_request_id", decided
    assert not node.requests  # no node asked, none quarantined


def test_execute_passes_the_cost_on() -> None:
    node = AnsweringNode(ALLOW)
    try:
        with client(node.url) as sandbox:
            decision, ran = sandbox.execute("crm.read", {}, lambda: "done", cost_usd=0.25)
    finally:
        node.close()
    assert decision["decision"] == "allow" and ran == "done"
    assert json.loads(node.bodies[0])["cost_usd"] == 0.25
