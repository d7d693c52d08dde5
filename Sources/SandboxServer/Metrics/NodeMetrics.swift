import Foundation

/// The node's own counters for `/metrics`: decisions by outcome and a latency histogram.
///
/// `@unchecked Sendable`: every stored property is guarded by `lock`.
final class NodeMetrics: @unchecked Sendable {
    /// Upper bounds of the decision latency buckets, in seconds.
    static let latencyBuckets: [Double] = [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5]

    private let lock = NSLock()
    private var decisions: [String: UInt64] = [:]
    private var bucketCounts = [UInt64](repeating: 0, count: latencyBuckets.count)
    private var latencyCount: UInt64 = 0
    private var latencySum: Double = 0

    /// Records one answered decision request (`outcome`: allow, deny, needs_approval, or error).
    func recordDecision(outcome: String, seconds: Double) {
        lock.withLock {
            decisions[outcome, default: 0] += 1
            latencyCount += 1
            latencySum += seconds
            for (index, bound) in Self.latencyBuckets.enumerated() where seconds <= bound { bucketCounts[index] += 1 }
        }
    }

    /// The counters in the Prometheus text format.
    func render() -> String {
        lock.withLock {
            var lines = [
                "# HELP sandbox_decisions_total Decision requests answered, by outcome.",
                "# TYPE sandbox_decisions_total counter",
            ]
            for (outcome, count) in decisions.sorted(by: { $0.key < $1.key }) {
                lines.append("sandbox_decisions_total{outcome=\"\(outcome)\"} \(count)")
            }
            lines += [
                "# HELP sandbox_decision_seconds Decision request latency on this node.",
                "# TYPE sandbox_decision_seconds histogram",
            ]
            for (index, bound) in Self.latencyBuckets.enumerated() {
                lines.append("sandbox_decision_seconds_bucket{le=\"\(bound)\"} \(bucketCounts[index])")
            }
            lines.append("sandbox_decision_seconds_bucket{le=\"+Inf\"} \(latencyCount)")
            lines.append("sandbox_decision_seconds_sum \(latencySum)")
            lines.append("sandbox_decision_seconds_count \(latencyCount)")
            return lines.joined(separator: "\n")
        }
    }
}
