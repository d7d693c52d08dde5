"""Peer measurements for bench/jsonschema: jsonschema-rs (Rust, through its Python binding) and
Python's jsonschema, on the same data/cases.json, printed as JSON lines like the Swift bench.

Usage: bench/.venv/bin/python bench/jsonschema/peers/peers.py [--quick] [--cpu-time] [CASES]
--cpu-time times rounds by this thread's CPU time instead of the wall clock (as the Swift bench).
"""
import json
import os
import sys
import time

import jsonschema
import jsonschema_rs

quick = "--quick" in sys.argv
paths = [a for a in sys.argv[1:] if not a.startswith("--")]
cases_path = paths[0] if paths else os.path.join(os.path.dirname(__file__), "..", "data", "cases.json")
rounds = 3 if quick else 15
clock = time.thread_time_ns if "--cpu-time" in sys.argv else time.perf_counter_ns


def median_ns(body):
    iterations = 1
    while iterations < 10_000_000:
        start = clock()
        for _ in range(iterations):
            body()
        if clock() - start > 10_000_000:
            break
        iterations *= 2
    samples = []
    for _ in range(rounds):
        start = clock()
        for _ in range(iterations):
            body()
        samples.append((clock() - start) / iterations)
    samples.sort()
    return samples[len(samples) // 2]


with open(cases_path) as handle:
    cases = json.load(handle)
for case in cases:
    schema = case["schema"]
    rs = jsonschema_rs.validator_for(schema)
    py = jsonschema.validators.validator_for(schema, default=jsonschema.Draft202012Validator)(schema)
    for kind in ("valid", "invalid"):
        instance = case[kind]
        expected = kind == "valid"
        assert rs.is_valid(instance) == expected, (case["name"], kind, "jsonschema-rs")
        assert py.is_valid(instance) == expected, (case["name"], kind, "jsonschema")
        for name, body in (("jsonschema-rs", lambda: rs.is_valid(instance)), ("jsonschema", lambda: py.is_valid(instance))):
            print(json.dumps({"impl": name, "case": case["name"], "instance": kind, "ns": median_ns(body)}), flush=True)
