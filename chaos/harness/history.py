"""The recorded history: every operation a simulated agent or approver made (invocation and
completion times in seconds since the run began, the node that answered, the answer), every
fault the harness injected, the leader as seen over time, each node's own view (role, term, the
leader it names) whenever it changed, and the harness's own longest stalls."""

import json
import time


class History:
    def __init__(self):
        self.started = time.monotonic()
        self.wall_started = time.time()
        self.operations = []
        self.faults = []
        self.leaders = []  # (time, leader id or 0)
        self.views = []  # {"t", "node", "role", "term", "leader"} when a node's answer changed
        self.stalls = []  # the harness's own longest stalls (`stalls.StallWatch`)

    def now(self):
        return time.monotonic() - self.started

    def record(self, operation):
        self.operations.append(operation)

    def fault(self, kind, nodes, start, end, **details):
        entry = {"kind": kind, "nodes": nodes, "start": start, "end": end}
        entry.update(details)
        self.faults.append(entry)
        return entry

    def save(self, path):
        with open(path, "w") as handle:
            handle.write(json.dumps({"wall_started": self.wall_started}) + "\n")
            for operation in self.operations:
                handle.write(json.dumps({"op": operation}) + "\n")
            for fault in self.faults:
                handle.write(json.dumps({"fault": fault}) + "\n")
            for at, leader in self.leaders:
                handle.write(json.dumps({"leader": leader, "t": at}) + "\n")
            for view in self.views:
                handle.write(json.dumps({"view": view}) + "\n")
            for stall in self.stalls:
                handle.write(json.dumps({"stall": stall}) + "\n")

    @staticmethod
    def load(path):
        history = History()
        with open(path) as handle:
            for line in handle:
                entry = json.loads(line)
                if "op" in entry:
                    history.operations.append(entry["op"])
                elif "wall_started" in entry:
                    history.wall_started = entry["wall_started"]
                elif "fault" in entry:
                    history.faults.append(entry["fault"])
                elif "view" in entry:
                    history.views.append(entry["view"])
                elif "stall" in entry:
                    history.stalls.append(entry["stall"])
                else:
                    history.leaders.append((entry["t"], entry["leader"]))
        return history
