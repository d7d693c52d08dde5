import Foundation
import SandboxState

/// The read side at scale: what the API's audit export, verification and lookups cost on the
/// state as it is (after a restart: caches cold).
struct AuditScale {
    let queries: StateQueries
    /// Records exported and verified as "a range" (the rest of the log is verified too, once).
    var rangeRecords = 100_000

    /// One figure: the work's wall and CPU time, and the CPU time per item.
    func timed(_ label: String, items: Int, unit: String, _ work: () throws -> Void) rethrows {
        let start = now()
        let cpu = cpuSeconds()
        try work()
        let wall = now() - start
        let used = cpuSeconds() - cpu
        report(
            String(
                format: "%@: %.2f s wall, %.2f s CPU (%.2f µs CPU per %@, %.0f %@s per CPU-second)", label, wall, used,
                1e6 * used / Double(max(items, 1)), unit, Double(items) / max(used, 1e-9), unit))
    }

    func run(agents: Int) throws {
        let last = try queries.auditHead().nextSequence - 1
        guard last > UInt64(rangeRecords) else { return }
        // A time range in the middle of the log holding `rangeRecords` records.
        let first = last / 2
        let from = try queries.auditRecord(first)!.timeMillis / 1000
        let to = try queries.auditRecord(first + UInt64(rangeRecords))!.timeMillis / 1000
        var exported = 0
        try timed("export of \(to - from + 1) s (epoch seconds \(from)...\(to))", items: rangeRecords, unit: "record") {
            var after: UInt64? = nil
            while true {
                let page = try queries.auditRecords(fromSeconds: from, toSeconds: to, after: after, limit: 1000)
                guard let tail = page.last else { break }
                exported += page.count
                after = tail.sequence
            }
        }
        report("  (\(exported) records exported)")
        try timed("verify of records \(first)...\(first + UInt64(rangeRecords))", items: rangeRecords, unit: "record") {
            let result = try queries.verifyAudit(from: first, to: first + UInt64(rangeRecords))
            precondition(result.failure == nil, "the chain does not verify: \(result)")
        }
        try timed("verify of the whole chain (\(last) records)", items: Int(last), unit: "record") {
            let result = try queries.verifyAudit()
            precondition(result.failure == nil, "the chain does not verify: \(result)")
        }
        var generator = SystemRandomNumberGenerator()
        let lookups = 10_000
        let oldest = try queries.auditRecord(1)!.timeMillis
        let newest = try queries.auditRecord(last)!.timeMillis
        try timed("first record at a time (binary search over the sequence)", items: lookups, unit: "lookup") {
            for _ in 0..<lookups {
                _ = try queries.firstAuditSequence(
                    atOrAfterMillis: UInt64.random(in: oldest...newest, using: &generator))
            }
        }
        try timed("audit record by sequence", items: lookups, unit: "lookup") {
            for _ in 0..<lookups { _ = try queries.auditRecord(UInt64.random(in: 1...last, using: &generator)) }
        }
        try timed("budget status of an agent", items: lookups, unit: "lookup") {
            for _ in 0..<lookups {
                _ = try queries.budget(of: "agent-\(Int.random(in: 0..<agents, using: &generator))")
            }
        }
    }
}
