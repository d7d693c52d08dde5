"""The table of bench/cluster/run.sh: throughput and latency per level (the 1-client level with
its client on the leader and on a follower; idle %: the machine's idle share, I/O wait included,
during the level), the goals as ratios, the failover gaps (median and
worst). Usage: python3 report.py RESULTS"""
import statistics
import sys


def parse(line):
    return dict(part.split("=", 1) for part in line.split() if "=" in part)


levels, gaps = {}, {}
for line in open(sys.argv[1]):
    if line.startswith("load"):
        print(line.rstrip())
        continue
    fields = parse(line)
    if line.startswith("failover"):
        gaps.setdefault(fields["target"], []).append(float(fields["max_gap_ms"]))
    else:
        levels[(fields["target"], int(fields["clients"]), fields.get("on", "any"))] = fields

ORDER = {"leader": 0, "follower": 1, "any": 2}
rows = sorted({(c, on) for _, c, on in levels}, key=lambda row: (row[0], ORDER.get(row[1], 3)))
FIELDS = ("throughput", "p50_ms", "p99_ms", "cpu_us_per_op", "machine_idle_pct")
print("\n| clients | sandboxd ops/s | p50 ms | p99 ms | CPU µs/op | idle % | etcd puts/s | p50 ms | p99 ms | CPU µs/op"
      " | idle % |")
print("|---|---|---|---|---|---|---|---|---|---|---|")
for clients, on in rows:
    s, e = levels.get(("sandboxd", clients, on), {}), levels.get(("etcd", clients, on), {})
    row = [str(clients) if on == "any" else f"{clients} (on the {on})"]
    for side in (s, e):
        row += [side.get(k, "-") for k in FIELDS]
    print("| " + " | ".join(row) + " |")


def ratio(clients, field, invert=False, on="any"):
    s, e = levels.get(("sandboxd", clients, on)), levels.get(("etcd", clients, on))
    if not s or not e or float(s[field]) == 0 or float(e[field]) == 0:
        return None
    return float(e[field]) / float(s[field]) if invert else float(s[field]) / float(e[field])


print("\n| goal | ratio | met |")
print("|---|---|---|")
goals = [
    ("throughput at 64 clients >= 1.5x etcd's", ratio(64, "throughput"), lambda r: r >= 1.5),
    ("p99 at 16 clients <= half of etcd's (etcd p99 / sandboxd p99 >= 2)", ratio(16, "p99_ms", True),
     lambda r: r >= 2),
]
for on in ("leader", "follower", "any"):
    if ("sandboxd", 1, on) in levels or ("etcd", 1, on) in levels:
        where = "" if on == "any" else f", both on the {on}"
        goals.append((f"p50 at 1 client no worse{where} (etcd p50 / sandboxd p50 >= 1)",
                      ratio(1, "p50_ms", True, on), lambda r: r >= 1))
for label, value, good in goals:
    print(f"| {label} | {'-' if value is None else f'{value:.2f}'} | "
          f"{'-' if value is None else ('yes' if good(value) else 'no')} |")

print("\n| failover gap (kill -9 of the leader, 16 clients) | trials | median ms | worst ms |")
print("|---|---|---|---|")
for target, values in sorted(gaps.items()):
    print(f"| {target} | {len(values)} | {statistics.median(values):.0f} | {max(values):.0f} |")
