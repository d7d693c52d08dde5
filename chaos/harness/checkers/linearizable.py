"""Linearizability of the ledger: for each agent, its budget-checked decisions and budget reads
must be explainable by one order of atomic steps on a counter (requests, micro-USD) that respects
real time (an operation that completed before another began comes first). The search is that of
Wing and Gong with Lowe's memoization, as in Porcupine: linearize any pending call whose step
the model accepts, backtrack when a return is reached with its call not yet linearized, never
visit a (linearized set, state) twice. Bounded: each agent-day gets at most `key_seconds` (10 s)
and all of them together `budget_seconds` (600 s); an agent-day not decided within its bound
(or not reached within the total) is undecided, and an undecided agent-day fails the verdict: a
search that runs out of time is most often one that has not yet found the order a correct
history has, or is exhausting a broken one, so it is never counted as a pass.

The model (state = requests and micro-USD spent today):
- `allow` with a budget: the request fits the limits; the state becomes state + (1, cost) and
  must equal the answered budget;
- `deny` by `budgets.*`: the request does not fit; the state is unchanged and equals the answer;
- `needs_approval`: the request fits (the state machine checks the budget before asking a
  person, and denies by `budgets.*` first); the state is unchanged and equals the answer;
- any other answer (a deny by another rule): the state is unchanged (and equals the answered
  budget);
- a read: answers the state;
- an operation without a definite answer that may have been applied: either nothing, or (when
  it fits) the debit of an allow; its return is at the end of time."""

import time

from . import Verdict

INFINITY = float("inf")


class Operation:
    def __init__(self, invoke, complete, kind, cost=0, output=None, outcome=None, optional=False):
        self.invoke = invoke
        self.complete = complete
        self.kind = kind  # "decide" or "read"
        self.cost = cost
        self.output = output  # (requests, micro) or None
        self.outcome = outcome  # "allow", "deny-budget", "other", or None when unknown
        self.optional = optional


class Model:
    def __init__(self, max_requests, max_micro):
        self.max_requests = max_requests
        self.max_micro = max_micro

    def fits(self, state, cost):
        return state[0] + 1 <= self.max_requests and state[1] + cost <= self.max_micro

    def steps(self, state, op):
        """The states `op` may lead to from `state` (empty: it cannot happen there)."""
        if op.kind == "read":
            return [state] if op.output == state else []
        if op.optional:
            after = (state[0] + 1, state[1] + op.cost)
            return [state, after] if self.fits(state, op.cost) else [state]
        if op.outcome == "allow":
            if not self.fits(state, op.cost):
                return []
            after = (state[0] + 1, state[1] + op.cost)
            return [after] if op.output in (None, after) else []
        if op.outcome == "deny-budget" and self.fits(state, op.cost):
            return []
        if op.outcome == "needs-approval" and not self.fits(state, op.cost):
            return []
        return [state] if op.output in (None, state) else []


class _Entry:
    __slots__ = ("op", "index", "is_call", "time", "match", "prev", "next")

    def __init__(self, op, index, is_call, at):
        self.op, self.index, self.is_call, self.time = op, index, is_call, at
        self.match = self.prev = self.next = None


def _entries(operations):
    events = []
    for index, op in enumerate(operations):
        complete = INFINITY if op.optional else op.complete
        call, ret = _Entry(op, index, True, op.invoke), _Entry(op, index, False, complete)
        call.match = ret
        events += [call, ret]
    events.sort(key=lambda e: (e.time, 0 if e.is_call else 1))
    head = _Entry(None, -1, False, -INFINITY)
    previous = head
    for event in events:
        previous.next, event.prev = event, previous
        previous = event
    return head


def _lift(entry):
    entry.prev.next = entry.next
    if entry.next:
        entry.next.prev = entry.prev
    ret = entry.match
    ret.prev.next = ret.next
    if ret.next:
        ret.next.prev = ret.prev


def _unlift(entry):
    ret = entry.match
    ret.prev.next = ret
    if ret.next:
        ret.next.prev = ret
    entry.prev.next = entry
    if entry.next:
        entry.next.prev = entry


def linearizable(operations, model, deadline=None):
    """True, False, or None when `deadline` (a time.monotonic() value) passed first."""
    head = _entries(operations)
    state, linearized, cache, stack = (0, 0), 0, set(), []
    entry = head.next
    while head.next is not None:
        if deadline is not None and time.monotonic() > deadline:
            return None
        if entry.is_call:
            if _try(entry, model.steps(state, entry.op), 0, state, linearized, cache, stack):
                state, linearized, entry = stack[-1].after, stack[-1].bits, head.next
            else:
                entry = entry.next
            continue
        # A return whose call is not linearized: undo the last step, try its next choice or the
        # next call after it.
        if not stack:
            return False
        frame = stack.pop()
        _unlift(frame.entry)
        before = frame.bits & ~(1 << frame.entry.index)
        if _try(frame.entry, frame.states, frame.position + 1, frame.before, before, cache, stack):
            state, linearized, entry = stack[-1].after, stack[-1].bits, head.next
        else:
            state, linearized, entry = frame.before, before, frame.entry.next
    return True


class _Frame:
    __slots__ = ("entry", "before", "states", "position", "after", "bits")

    def __init__(self, entry, before, states, position, bits):
        self.entry, self.before, self.states, self.position = entry, before, states, position
        self.after, self.bits = states[position], bits


def _try(entry, states, start, state, linearized, cache, stack):
    """Linearizes `entry` with the first of `states[start:]` not seen before; pushes the step."""
    bits = linearized | (1 << entry.index)
    for position in range(start, len(states)):
        key = (bits, states[position])
        if key in cache:
            continue
        cache.add(key)
        stack.append(_Frame(entry, state, states, position, bits))
        _lift(entry)
        return True
    return False


def day_of(op, wall_started):
    """The UTC day an operation took effect in, or None when it may have been in either of two
    (its interval spans a midnight; an unknown outcome invoked within a minute of one)."""
    first = int((wall_started + op["invoke"]) // 86400)
    last_time = op["invoke"] + 60 if op.get("status") != "ok" else op["complete"]
    return first if int((wall_started + last_time) // 86400) == first else None


def operations_of(history_operations, wall_started=0.0):
    """The model's operations per agent and UTC day (the ledger's key), from the history."""
    per_agent = {}
    for op in history_operations:
        if op["type"] not in ("read", "decide"):
            continue
        day = day_of(op, wall_started)
        if day is None:
            continue
        if op["type"] == "read" and op.get("status") == "ok":
            converted = Operation(op["invoke"], op["complete"], "read",
                                  output=(op["requests"], op["usd_micro"]))
        elif op["type"] == "decide" and op.get("status") == "ok":
            output = None if op.get("requests") is None else (op["requests"], op["usd_micro"])
            outcome = op.get("decision")
            if outcome == "needs_approval":
                outcome = "needs-approval"
            elif outcome != "allow":
                outcome = "deny-budget" if str(op.get("rule", "")).startswith("budgets.") else "other"
            converted = Operation(op["invoke"], op["complete"], "decide", cost=op.get("cost_micro", 0),
                                  output=output, outcome=outcome)
        elif op["type"] == "decide" and op.get("maybe_applied"):
            converted = Operation(op["invoke"], INFINITY, "decide", cost=op.get("cost_micro", 0), optional=True)
        else:
            continue
        per_agent.setdefault((op["agent"], day), []).append(converted)
    return per_agent


def check(history_operations, limits, budget_seconds=600.0, wall_started=0.0, key_seconds=10.0):
    """The verdict over every agent-day: fails on a history that is not linearizable and on one
    not decided within `key_seconds` (or before `budget_seconds` in all ran out)."""
    per_agent = operations_of(history_operations, wall_started)
    problems, undecided = [], []
    total_deadline = time.monotonic() + budget_seconds
    for (agent, day), operations in sorted(per_agent.items()):
        now = time.monotonic()
        verdict = None
        if now < total_deadline:
            verdict = linearizable(operations, Model(*limits.of(agent)), deadline=min(now + key_seconds, total_deadline))
        if verdict is False:
            problems.append(f"{agent} on day {day}: its {len(operations)} ledger operations are not linearizable")
        elif verdict is None:
            undecided.append(f"{agent} on day {day}")
    count = sum(len(ops) for ops in per_agent.values())
    summary = (f"{count} operations over {len(per_agent)} agent-days: "
               f"{len(per_agent) - len(problems) - len(undecided)} linearizable, {len(problems)} not, "
               f"{len(undecided)} undecided within the bound ({key_seconds:g} s each, {budget_seconds:g} s in all)")
    return Verdict("linearizable ledger", not problems and not undecided, summary,
                   problems + [f"undecided (a failure): {a}" for a in undecided])
