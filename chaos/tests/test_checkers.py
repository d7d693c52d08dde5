"""Each checker passes a correct final state and fails one broken the way it guards against."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.checkers import acknowledged, approvals, availability, convergence, disk, overspend  # noqa: E402
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


    def test_each_ledger_is_compared_on_its_own_day_across_midnight(self):
        audit = [decision(1, "a", "r1", "allow", 40), dict(decision(2, "a", "r2", "allow", 30), budget={"day": 2})]
        right = {"a": {"requests": 1, "usd_micro": 30, "day": 2}}
        self.assertTrue(overspend.check(audit, right, LIMITS).ok)
        wrong = {"a": {"requests": 1, "usd_micro": 40, "day": 2}}
        self.assertFalse(overspend.check(audit, wrong, LIMITS).ok)


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


    def test_consumed_with_no_allow_record_fails(self):
        self.assertFalse(approvals.check([decision(5, "a", "r1", "needs_approval", approval=7)], self.final).ok)


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


def disk_fault(stop, start, kind="disk-full"):
    return {"kind": kind, "nodes": [2], "start": 5.0, "stop_status_when_full": stop, "start_status_when_full": start}


class DiskFullTests(unittest.TestCase):
    def test_a_node_that_exits_with_a_status_passes(self):
        self.assertTrue(disk.check([disk_fault(74, 74), disk_fault(0, 74, "disk-full-leader")]).ok)

    def test_an_abort_on_sigterm_or_on_restart_fails(self):
        # The histories of the runs before the fix: SIGTERM on a full disk ended in SIGKILL after
        # RocksDB's assertion held the process, and the restart aborted.
        self.assertFalse(disk.check([disk_fault(-9, -6)]).ok)
        self.assertFalse(disk.check([disk_fault(74, -6, "disk-full-leader")]).ok)

    def test_a_skipped_disk_full_fails_when_required(self):
        faults = [{"kind": "kill-follower", "nodes": [2], "start": 1.0, "instead_of": "disk-full"}]
        self.assertTrue(disk.check(faults).ok)
        self.assertFalse(disk.check(faults, required=True).ok)


class LoadDuringFaultsTests(unittest.TestCase):
    def test_a_fault_without_allows_fails(self):
        operations = [{"type": "decide", "status": "ok", "decision": "allow", "invoke": 0.5 + i / 10,
                       "complete": 1.0 + i / 10} for i in range(30)]
        operations += [{"type": "decide", "status": "ok", "decision": "deny", "invoke": 12.0 + i / 10,
                        "complete": 12.5 + i / 10} for i in range(30)]
        faults = [{"kind": "kill-leader", "start": 0.0, "end": 3.0, "recovered": 4.0},
                  {"kind": "pause-leader", "start": 11.0, "end": 14.0, "recovered": 16.0}]
        rows = availability.measure(operations, faults, [])
        self.assertEqual([(r["allows"], r["decisions"]) for r in rows], [(30, 30), (0, 30)])
        verdict = availability.load_check(rows, 20)
        self.assertFalse(verdict.ok)
        self.assertIn("pause-leader", verdict.problems[0])
        self.assertTrue(availability.load_check(rows[:1], 20).ok)


class LimitsTests(unittest.TestCase):
    def test_every_fourth_agent_has_the_base_limits(self):
        limits = Limits(requests=20, usd_micro=100, generous=10)
        self.assertEqual([limits.of(a) for a in ("a0000", "a0001", "a0004")], [(20, 100), (200, 1000), (20, 100)])
        self.assertEqual(Limits(requests=20, usd_micro=100).of("a0001"), (20, 100))
