"""Per-call figures from two callgrind outputs of `jsonschema-bench --fixed N` (used by profile.sh).

Usage: profile.py CASE INSTANCE CALLS SHORT_OUT LONG_OUT CACHE_DIR
Each figure is (long - short) / CALLS, so start-up cancels. The outputs must be made with
--cache-sim=yes --branch-sim=yes --dump-instr=yes.
"""
import os
import pickle
import re
import subprocess
import sys

RC = re.compile(r"swift_(retain|release|bridgeObjectRetain|bridgeObjectRelease|unknownObjectRetain|unknownObjectRelease)$")


def lock_addresses(path, cache_dir):
    """Addresses of lock-prefixed instructions (atomic read-modify-writes) in an object file."""
    cache = os.path.join(cache_dir, re.sub(r"\W", "_", path) + ".locks")
    if os.path.exists(cache):
        with open(cache, "rb") as f:
            return pickle.load(f)
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", path], capture_output=True, text=True).stdout
    found = {int(m.group(1), 16) for m in re.finditer(r"^\s*([0-9a-f]+):\s+lock\b", text, re.M)}
    with open(cache, "wb") as f:
        pickle.dump(found, f)
    return found


def measure(path, cache_dir):
    events, totals, names, objects, calls = [], [], {}, {}, {}
    callee, ob, address, after_call, atomics = None, None, 0, False, 0
    locks = set()

    def resolve(table, field):
        m = re.match(r"\((\d+)\)(?: (.*))?", field)
        if not m:
            return field
        if m.group(2):
            table[m.group(1)] = m.group(2)
        return table.get(m.group(1), field)

    for line in open(path):
        first = line[0]
        if first.isdigit() or first in "+-*":
            fields = line.split()
            position = fields[0]
            if position.startswith("0x"):
                address = int(position, 16)
            elif position[0] == "+":
                address += int(position[1:])
            elif position[0] == "-":
                address -= int(position[1:])
            if after_call:  # the inclusive cost of a call, not an instruction of this function
                after_call = False
            elif address in locks:
                atomics += int(fields[2])
            continue
        after_call = False
        if line.startswith("events:"):
            events = line.split()[1:]
        elif line.startswith("totals:") or line.startswith("summary:"):
            totals = [int(x) for x in line.split()[1:]]
        elif line.startswith("ob="):
            ob = resolve(objects, line[3:].strip())
            locks = lock_addresses(ob, cache_dir) if os.path.exists(ob) else set()
        elif line.startswith("cob="):
            resolve(objects, line[4:].strip())
        elif line.startswith("fn="):
            resolve(names, line[3:].strip())
        elif line.startswith("cfn="):
            callee = resolve(names, line[4:].strip())
        elif line.startswith("calls="):
            calls[callee] = calls.get(callee, 0) + int(line[6:].split()[0])
            after_call = True
    e = dict(zip(events, totals))
    return {
        "instr": e["Ir"], "reads": e["Dr"], "writes": e["Dw"],
        "D1": e["D1mr"] + e["D1mw"], "LL": e["DLmr"] + e["DLmw"],
        "mis-c": e["Bcm"], "mis-i": e["Bim"],
        "rc": sum(n for f, n in calls.items() if RC.search(f)),
        "atomic": atomics,
        "alloc": calls.get("swift_allocObject", 0),
    }


name, kind, count, short, long, cache_dir = sys.argv[1:7]
a, b = measure(short, cache_dir), measure(long, cache_dir)
d = {k: (b[k] - a[k]) / int(count) for k in a}
print(f"{name:18} {kind:8} " + " ".join(f"{d[k]:{8 if k == 'instr' else 7}.{0 if k in ('instr', 'reads', 'writes') else 1}f}" for k in d))
