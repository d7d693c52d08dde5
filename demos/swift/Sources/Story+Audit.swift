import JSON
import SandboxState

/// The auditor's view: the whole log exported from another node, its hash chain verified here.
extension Story {
    func exportTheAudit() async throws {
        narrator.section("8. The auditor exports the audit log from node 3 and verifies its hash chain")
        var node = seed.endpoints[2]
        if !(await operators.isUp(node)) {
            var others: [String] = []
            for candidate in [seed.endpoints[0], seed.endpoints[1]] where await operators.isUp(candidate) {
                others.append(candidate)
            }
            guard let other = others.first else { throw DemoFailure("no node answers for the audit export") }
            narrator.note("node 3 was the leader killed; the auditor uses \(other) instead")
            node = other
        }
        let records = try await operators.exportAudit(from: node)
        let verification = AuditVerifier.verify(exported: records)
        narrator.note("\(records.count) records exported from \(node) with the viewer token \(seed.viewer.id)")
        for line in Self.summary(records) { narrator.note(line) }
        if let failure = verification.failure {
            narrator.outcome("audit", "broken", "record \(failure.sequence): \(failure.reason)")
        } else {
            narrator.outcome(
                "audit", "verified", "\(verification.checked) records, each hash = SHA-256(previous hash + record)")
        }
    }

    /// Decisions per agent and outcome, and per deciding node.
    static func summary(_ records: [JSONValue]) -> [String] {
        var byAgent: [String: [String: Int]] = [:]
        var byNode: [String: Int] = [:]
        for record in records {
            guard let object = record.objectValue, object["kind"]?.stringValue == "decision",
                let agent = object["agent"]?.stringValue, let outcome = object["outcome"]?.stringValue
            else { continue }
            byAgent[agent, default: [:]][outcome, default: 0] += 1
            if let node = object["node"]?.numberValue { byNode["node \(node)", default: 0] += 1 }
        }
        var lines = byAgent.sorted { $0.key < $1.key }.map { agent, outcomes in
            "decisions of \(agent): "
                + outcomes.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        }
        lines.append(
            "decided on: " + byNode.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        return lines
    }
}
