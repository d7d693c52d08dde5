"""The run's report: `report.md` (the verdicts, the faults, the availability per fault type) and
`timeline.svg` (decisions per second and their latency over time, the faults as bands)."""

import os
from collections import defaultdict

COLORS = {"kill": "#e07070", "pause": "#e0b070", "partition": "#7090e0", "bridge": "#7090e0",
          "one-way": "#70b0e0", "delay": "#b0b0b0", "restart": "#90c090", "rolling": "#90c090", "wipe": "#c090c0"}


def color(kind):
    return next((c for prefix, c in COLORS.items() if kind.startswith(prefix)), "#cccccc")


def per_second(operations):
    count, latencies = defaultdict(int), defaultdict(list)
    for op in operations:
        if op["type"] == "decide" and op.get("status") == "ok":
            second = int(op["complete"])
            count[second] += 1
            latencies[second].append(op["complete"] - op["invoke"])
    return count, latencies


def svg(history, width=960, height=360):
    count, latencies = per_second(history.operations)
    end = max([int(o["complete"]) for o in history.operations] + [1])
    top = max(list(count.values()) + [1])
    worst = max([max(v) for v in latencies.values()] + [0.1])
    plot_h = height - 60

    def x(t):
        return 50 + (width - 70) * t / end

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
             f'font-size="11"><rect width="100%" height="100%" fill="white"/>']
    for fault in history.faults:
        x0, x1 = x(fault["start"]), x(fault.get("recovered", fault["end"]))
        parts.append(f'<rect x="{x0:.1f}" y="20" width="{max(1, x1 - x0):.1f}" height="{plot_h}" '
                     f'fill="{color(fault["kind"])}" opacity="0.35"><title>{fault["kind"]} {fault["nodes"]}</title></rect>')
    throughput = " ".join(f"{x(s + 0.5):.1f},{20 + plot_h - plot_h * count.get(s, 0) / top:.1f}" for s in range(end + 1))
    parts.append(f'<polyline fill="none" stroke="#1a5fb4" stroke-width="1.5" points="{throughput}"/>')
    p99 = []
    for s in range(end + 1):
        values = sorted(latencies.get(s, []))
        if values:
            p99.append(f"{x(s + 0.5):.1f},{20 + plot_h - plot_h * values[int(len(values) * 0.99)] / worst:.1f}")
    parts.append(f'<polyline fill="none" stroke="#c01c28" stroke-width="1" points="{" ".join(p99)}"/>')
    parts.append(f'<line x1="50" y1="{20 + plot_h}" x2="{width - 20}" y2="{20 + plot_h}" stroke="black"/>')
    parts.append(f'<text x="50" y="14" fill="#1a5fb4">decisions/s (max {top})</text>'
                 f'<text x="260" y="14" fill="#c01c28">p99 latency (max {worst:.2f} s)</text>'
                 f'<text x="470" y="14">bands: faults until recovery</text>'
                 f'<text x="{width - 60}" y="{height - 20}">{end} s</text><text x="50" y="{height - 20}">0 s</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def write(directory, options, history, verdicts):
    with open(os.path.join(directory, "timeline.svg"), "w") as handle:
        handle.write(svg(history))
    decides = [o for o in history.operations if o["type"] == "decide"]
    statuses = defaultdict(int)
    for op in decides:
        statuses[op.get("decision") or op.get("status")] += 1
    lines = [f"# Chaos run: seed {options.seed}", "",
             f"{options.nodes} nodes, {options.duration}{' (CI schedule)' if options.ci else ''}"
             f"{f', broken: `{options.broken}`' if options.broken else ''}; "
             f"{len(decides)} decisions ({', '.join(f'{k} {v}' for k, v in sorted(statuses.items()))}), "
             f"{sum(1 for o in history.operations if o['type'] == 'read')} budget reads, "
             f"{sum(1 for o in history.operations if o['type'] == 'vote')} votes, {len(history.faults)} faults.",
             "", "## Verdicts", "", "| checker | verdict | summary |", "|---|---|---|"]
    for verdict in verdicts:
        label = "**FAIL**" if not verdict.ok else "pass"
        lines.append(f"| {verdict.name} | {label} | {verdict.summary} |")
    for verdict in verdicts:
        if verdict.problems:
            lines += ["", f"### {verdict.name}: problems", ""] + [f"- {p}" for p in verdict.problems[:50]]
    table = next((getattr(v, "table", None) for v in verdicts if hasattr(v, "table")), None) or {}
    lines += ["", "## Availability per fault type", "",
              "| fault | count | longest gap without a decision: median / worst (s) | new leader after: median / worst (s) |",
              "|---|---|---|---|"]
    for kind, row in table.items():
        failover = ("-" if row["failover_median"] is None
                    else f"{row['failover_median']:.2f} / {row['failover_worst']:.2f}")
        lines.append(f"| {kind} | {row['count']} | {row['gap_median']:.2f} / {row['gap_worst']:.2f} | {failover} |")
    lines += ["", "## Timeline", "", "![decisions per second, p99 latency and faults](timeline.svg)", "",
              "| start (s) | fault | nodes | healed (s) | recovered (s) | load average |", "|---|---|---|---|---|---|"]
    for fault in history.faults:
        lines.append(f"| {fault['start']:.1f} | {fault['kind']} | {fault['nodes']} | "
                     f"{fault['end'] - fault['start']:.1f} | {fault['recovered'] - fault['start']:.1f} | "
                     f"{fault.get('load', '')} |")
    if history.stalls:
        lines += ["", "## Harness stalls", "",
                  "The harness's event loop (which carries every peer frame through the fault proxy) woke late "
                  "(`stalls.StallWatch`); the longest:", "",
                  "| at (s) | late (s) | garbage collection in it (s) | watcher thread late (s) | the loop's thread was in |",
                  "|---|---|---|---|---|"]
        for stall in history.stalls:
            where = (stall.get("stack") or "not seen").strip().splitlines()
            where = " / ".join(w.strip() for w in where[-2:])[:200].replace("|", "\\|")
            lines.append(f"| {stall['t']:.1f} | {stall['seconds']:.2f} | {stall['gc_seconds']:.2f} | "
                         f"{stall['watcher_late']:.2f} | {where} |")
    loads = [f["load"] for f in history.faults if "load" in f]
    if loads:
        lines.insert(3, f"Load average (1 min) at the end of each fault: {min(loads)} to {max(loads)} "
                        f"on {os.cpu_count()} cores; wall-clock figures above depend on it.")
        lines.insert(4, "")
    with open(os.path.join(directory, "report.md"), "w") as handle:
        handle.write("\n".join(lines) + "\n")
