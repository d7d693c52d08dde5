"""The summary of bench/cluster/rounds.sh: per pair, each system's throughput, p50 and p99 and
the ratios the goals name; per level, each system's median and the median, lowest and highest of
the pairs' ratios. Usage: python3 rounds.py LINES (lines `round=N target=... clients=N ...`)."""
import statistics
import sys


def parse(line):
    return dict(part.split("=", 1) for part in line.split() if "=" in part)


runs = {}  # (round, clients) -> {target: fields}
for line in open(sys.argv[1]):
    fields = parse(line)
    if fields.get("on", "any") == "follower":
        continue  # the 1-client level's second pass: compare the leader pass only
    runs.setdefault((int(fields["round"]), int(fields["clients"])), {})[fields["target"]] = fields

pairs = {key: value for key, value in runs.items() if {"sandboxd", "etcd"} <= value.keys()}
if not pairs:
    sys.exit("no complete pair of runs")


def number(fields, key):
    return float(fields[key].rstrip("/s"))


print("| round | clients | sandboxd ops/s | p50 ms | p99 ms | etcd puts/s | p50 ms | p99 ms | "
      "throughput ratio | etcd p99 / sandboxd p99 | etcd p50 / sandboxd p50 |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
ratios = {}
for (round_, clients), pair in sorted(pairs.items(), key=lambda item: (item[0][1], item[0][0])):
    s, e = pair["sandboxd"], pair["etcd"]
    r = (number(s, "throughput") / max(number(e, "throughput"), 1e-9),
         number(e, "p99_ms") / max(number(s, "p99_ms"), 1e-9),
         number(e, "p50_ms") / max(number(s, "p50_ms"), 1e-9))
    ratios.setdefault(clients, []).append(r)
    print(f"| {round_} | {clients} | {s['throughput']} | {s['p50_ms']} | {s['p99_ms']} | {e['throughput']} | "
          f"{e['p50_ms']} | {e['p99_ms']} | {r[0]:.2f} | {r[1]:.2f} | {r[2]:.2f} |")

print("\n| clients | pairs | sandboxd median ops/s | etcd median puts/s | throughput ratio: median (low-high) | "
      "etcd p99 / sandboxd p99: median (low-high) | etcd p50 / sandboxd p50: median (low-high) |")
print("|---|---|---|---|---|---|---|")
for clients in sorted(ratios):
    group = [pair for (round_, c), pair in pairs.items() if c == clients]
    cells = []
    for position in range(3):
        values = [r[position] for r in ratios[clients]]
        cells.append(f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})")
    print(f"| {clients} | {len(group)} | {statistics.median(number(p['sandboxd'], 'throughput') for p in group):.0f} | "
          f"{statistics.median(number(p['etcd'], 'throughput') for p in group):.0f} | " + " | ".join(cells) + " |")
