"""The linearizability checker accepts what a correct ledger can produce and rejects what it
cannot (the checker must be able to fail)."""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from harness.checkers.linearizable import INFINITY, Model, Operation, check, linearizable  # noqa: E402
from harness.workload import Limits  # noqa: E402

MODEL = Model(max_requests=3, max_micro=1_000_000)


def allow(invoke, complete, cost, after):
    return Operation(invoke, complete, "decide", cost=cost, output=after, outcome="allow")


def deny(invoke, complete, cost, state):
    return Operation(invoke, complete, "decide", cost=cost, output=state, outcome="deny-budget")


def read(invoke, complete, state):
    return Operation(invoke, complete, "read", output=state)


class LinearizabilityTests(unittest.TestCase):
    def test_sequential_history_is_linearizable(self):
        history = [allow(0, 1, 10, (1, 10)), read(2, 3, (1, 10)), allow(4, 5, 20, (2, 30)), read(6, 7, (2, 30))]
        self.assertTrue(linearizable(history, MODEL))

    def test_concurrent_allows_may_be_ordered_either_way(self):
        history = [allow(0, 10, 10, (2, 30)), allow(1, 9, 20, (1, 20)), read(11, 12, (2, 30))]
        self.assertTrue(linearizable(history, MODEL))

    def test_a_read_going_back_in_time_is_rejected(self):
        # The read of (1, 10) completed before the read of (0, 0) began: a stale read.
        history = [allow(0, 1, 10, (1, 10)), read(2, 3, (1, 10)), read(4, 5, (0, 0))]
        self.assertFalse(linearizable(history, MODEL))

    def test_overspend_is_rejected(self):
        history = [allow(i * 2, i * 2 + 1, 1, (i + 1, i + 1)) for i in range(4)]
        self.assertFalse(linearizable(history, MODEL))

    def test_a_budget_denial_while_budget_remains_is_rejected(self):
        history = [allow(0, 1, 10, (1, 10)), deny(2, 3, 10, (1, 10))]
        self.assertFalse(linearizable(history, MODEL))

    def test_a_lost_acknowledged_allow_is_rejected(self):
        # The allow was answered with the count 1, but a later read sees nothing debited.
        history = [allow(0, 1, 10, (1, 10)), read(2, 3, (0, 0))]
        self.assertFalse(linearizable(history, MODEL))

    def test_an_unknown_outcome_may_or_may_not_have_happened(self):
        maybe = Operation(0, INFINITY, "decide", cost=10, optional=True)
        self.assertTrue(linearizable([maybe, read(5, 6, (1, 10))], MODEL))
        maybe = Operation(0, INFINITY, "decide", cost=10, optional=True)
        self.assertTrue(linearizable([maybe, read(5, 6, (0, 0))], MODEL))

    def test_random_correct_histories_pass_and_corrupted_ones_fail(self):
        rng = random.Random(7)
        for _ in range(50):
            history, state, now = [], (0, 0), 0.0
            for _ in range(12):
                cost = rng.randrange(1, 400_000)
                invoke = now + rng.random()
                applied = invoke + rng.random()
                complete = applied + rng.random() * 3  # overlapping windows
                if rng.random() < 0.3:
                    history.append(read(invoke, complete, state))
                elif MODEL.fits(state, cost):
                    state = (state[0] + 1, state[1] + cost)
                    history.append(allow(invoke, complete, cost, state))
                else:
                    history.append(deny(invoke, complete, cost, state))
                now = applied
            self.assertTrue(linearizable(history, MODEL))
            history.append(read(now + 10, now + 11, (state[0] + 1, state[1])))
            self.assertFalse(linearizable(history, MODEL))

    def test_the_time_bound_gives_up_without_a_verdict(self):
        history = [read(0, 100, (0, 0)) for _ in range(30)]
        self.assertIsNone(linearizable(history, MODEL, deadline=0.0))


    def test_a_needs_approval_beyond_the_budget_is_rejected(self):
        full = allow(0, 1, 10, (3, 30))
        history = [Operation(0, 1, "decide", cost=10, output=(0, 0), outcome="needs-approval")]
        self.assertTrue(linearizable(history, MODEL))
        late = Operation(2, 3, "decide", cost=10, output=(3, 30), outcome="needs-approval")
        self.assertFalse(linearizable([Operation(0, 1, "decide", cost=10, output=(2, 20), outcome="allow"),
                                       allow(0, 1, 10, (1, 10)), full, late], MODEL))


def recorded_allow(agent, invoke, complete, cost, requests, micro):
    return {"type": "decide", "status": "ok", "agent": agent, "invoke": invoke, "complete": complete,
            "decision": "allow", "rule": "allow.work", "cost_micro": cost, "requests": requests, "usd_micro": micro}


class CheckVerdictTests(unittest.TestCase):
    """`check`, the verdict over a run: a search that runs out of time must fail it."""

    LIMITS = Limits(requests=40, usd_micro=100_000_000)

    def exponential_history(self, agent="a0001"):
        # 30 concurrent allows with distinct costs, then a read no order can explain: proving it
        # needs the whole search, which the bound cuts short.
        operations = [recorded_allow(agent, 0.0, 100.0, 1000 + i, None, None) for i in range(30)]
        operations.append({"type": "read", "status": "ok", "agent": agent, "invoke": 101.0, "complete": 102.0,
                           "requests": 31, "usd_micro": 1})
        return operations

    def test_a_search_that_times_out_fails_the_verdict(self):
        verdict = check(self.exponential_history(), self.LIMITS, key_seconds=0.01)
        self.assertFalse(verdict.ok)
        self.assertIn("undecided", verdict.problems[0])

    def test_agent_days_beyond_the_total_bound_fail_the_verdict(self):
        history = [recorded_allow("a0001", 0.0, 1.0, 10, 1, 10), recorded_allow("a0002", 0.0, 1.0, 10, 1, 10)]
        verdict = check(history, self.LIMITS, budget_seconds=0.0)
        self.assertFalse(verdict.ok)
        self.assertEqual(verdict.problems, [f"undecided (a failure): {a} on day 0" for a in ("a0001", "a0002")])

    def test_a_correct_history_within_the_bound_passes(self):
        history = [recorded_allow("a0001", 0.0, 1.0, 10, 1, 10), recorded_allow("a0001", 2.0, 3.0, 10, 2, 20)]
        self.assertTrue(check(history, self.LIMITS).ok)


if __name__ == "__main__":
    unittest.main()
