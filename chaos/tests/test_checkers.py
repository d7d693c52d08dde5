"""Each checker passes a correct final state and fails one broken the way it guards against."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.checkers import acknowledged, approvals, convergence, overspend  # noqa: E402
from harness.workload import Limits  # noqa: E402

LIMITS = Limits(requests=2, usd_micro=100)


def decision(seq, agent, request_id, outcome, cost=0, approval=None, time_ms=0):
    record = {"kind": "decision", "seq": seq, "agent": agent, "request_id": request_id, "outcome": outcome,
              "cost_usd_micros": cost, "budget": {"day": 1}, "time_ms": time_ms}
    if approval is not None:
        record["approval_id"] = approval
    return record


def answered(agent, request_id, outcome, decision_id):
    return {"type": "decide", "status": "ok", "agent": agent, "request_id": request_id, "decision": outcome,
            "decision_id": decision_id}


class OverspendTests(unittest.TestCase):
    def test_within_limits_and_equal_to_the_ledger_passes(self):
        audit = [decision(1, "a", "r1", "allow", 40), decision(2, "a", "r2", "allow", 60)]
        self.assertTrue(overspend.check(audit, {"a": {"requests": 2, "usd_micro": 100}}, LIMITS).ok)

    def test_more_requests_than_the_limit_fails(self):
        audit = [decision(i, "a", f"r{i}", "allow", 1) for i in range(3)]
        self.assertFalse(overspend.check(audit, {"a": {"requests": 3, "usd_micro": 3}}, LIMITS).ok)

    def test_a_ledger_that_differs_from_the_audit_fails(self):
        audit = [decision(1, "a", "r1", "allow", 40)]
        self.assertFalse(overspend.check(audit, {"a": {"requests": 2, "usd_micro": 80}}, LIMITS).ok)


class AcknowledgedTests(unittest.TestCase):
    def test_every_answer_in_the_audit_passes(self):
        audit = [decision(5, "a", "r1", "allow"), decision(6, "a", "r2", "deny")]
        history = [answered("a", "r1", "allow", 5), answered("a", "r2", "deny", 6)]
        self.assertTrue(acknowledged.check(history, audit).ok)

    def test_a_lost_acknowledgement_fails(self):
        history = [answered("a", "r1", "allow", 5)]
        self.assertFalse(acknowledged.check(history, [decision(6, "a", "r2", "allow")]).ok)

    def test_another_outcome_in_the_audit_fails(self):
        history = [answered("a", "r1", "allow", 5)]
        self.assertFalse(acknowledged.check(history, [decision(5, "a", "r1", "deny")]).ok)

    def test_a_request_applied_twice_fails(self):
        audit = [decision(5, "a", "r1", "allow"), decision(9, "a", "r1", "allow")]
        self.assertFalse(acknowledged.check([answered("a", "r1", "allow", 5)], audit).ok)

    def test_a_waiting_request_id_decided_again_fails(self):
        # A request id is decided once, needs_approval included: a second record for it is the
        # late-duplicate defect (8c38ec6), even when the client saw the second answer.
        audit = [decision(5, "a", "r1", "needs_approval"), decision(9, "a", "r1", "allow")]
        self.assertFalse(acknowledged.check([answered("a", "r1", "allow", 9)], audit).ok)

    def test_an_approval_collected_with_a_new_request_id_passes(self):
        audit = [decision(5, "a", "r1", "needs_approval"), decision(9, "a", "r2", "allow", approval=5)]
        history = [answered("a", "r1", "needs_approval", 5), answered("a", "r2", "allow", 9)]
        self.assertTrue(acknowledged.check(history, audit).ok)

    def test_a_request_decided_again_after_its_answer_fails(self):
        # The client got needs_approval (seq 5) and never asked again, yet the request id was
        # decided again later (a late duplicate of an earlier attempt consuming the approval).
        audit = [decision(5, "a", "r1", "needs_approval"), decision(9, "a", "r1", "allow", approval=7)]
        self.assertFalse(acknowledged.check([answered("a", "r1", "needs_approval", 5)], audit).ok)


class ApprovalTests(unittest.TestCase):
    final = {7: {"status": "consumed", "expires_ms": 1000}}

    def test_consumed_once_before_expiry_passes(self):
        self.assertTrue(approvals.check([decision(5, "a", "r1", "allow", approval=7, time_ms=900)], self.final).ok)

    def test_consumed_twice_fails(self):
        audit = [decision(5, "a", "r1", "allow", approval=7), decision(6, "a", "r2", "allow", approval=7)]
        self.assertFalse(approvals.check(audit, self.final).ok)

    def test_consumed_after_expiry_fails(self):
        self.assertFalse(approvals.check([decision(5, "a", "r1", "allow", approval=7, time_ms=1001)], self.final).ok)

    def test_consumed_after_a_deny_fails(self):
        audit = [{"kind": "approval_vote", "seq": 4, "approval_id": 7, "status": "denied"},
                 decision(5, "a", "r1", "allow", approval=7)]
        self.assertFalse(approvals.check(audit, self.final).ok)


class ConvergenceTests(unittest.TestCase):
    status = {"applied_index": 10, "state_digest": "ab"}
    records = [{"seq": 1, "hash": "h1"}]

    def test_equal_nodes_pass(self):
        verdict = convergence.check({1: self.status, 2: self.status}, {1: {"valid": True}, 2: {"valid": True}},
                                    {1: self.records, 2: self.records})
        self.assertTrue(verdict.ok)

    def test_a_different_digest_or_a_broken_chain_fails(self):
        other = {"applied_index": 10, "state_digest": "cd"}
        self.assertFalse(convergence.check({1: self.status, 2: other}, {1: {"valid": True}, 2: {"valid": True}},
                                           {1: self.records, 2: self.records}).ok)
        self.assertFalse(convergence.check({1: self.status, 2: self.status}, {1: {"valid": True}, 2: {"valid": False}},
                                           {1: self.records, 2: self.records}).ok)


if __name__ == "__main__":
    unittest.main()
