"""Checkers over a run's history and the final state of every node. Each returns a `Verdict`."""


class Verdict:
    def __init__(self, name, ok, summary, problems=None):
        self.name = name
        self.ok = ok
        self.summary = summary
        self.problems = problems or []

    def as_dict(self):
        return {"name": self.name, "ok": self.ok, "summary": self.summary, "problems": self.problems[:50]}


def decisions(audit):
    """The `decision` records of an audit export, in sequence order."""
    return [record for record in audit if record.get("kind") == "decision"]
