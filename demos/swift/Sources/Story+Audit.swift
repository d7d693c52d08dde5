import JSON
import SandboxState

/// The auditor's view: the whole log exported from another node, its hash chain verified here.
extension Story {
    func exportTheAudit() async throws {
        narrator.section("8. The auditor exports the audit log from a third node and verifies its hash chain")
        for session in [sales, billing] {
            let flushed = await session.flushLocalDenials()
            let counts = await session.localDenials()
            narrator.note(
                "\(session.agentID)'s SDK: \(counts.reported) local denials reported to the audit, \(counts.pending) "
                    + "pending, \(counts.dropped) refused by the node\(flushed ? "" : " (the report did not finish)")")
        }
        let node = try await auditNode()
        let records = try await operators.exportAudit(from: node)
        let verification = AuditVerifier.verify(exported: records)
        narrator.note("\(records.count) records exported from \(node) with the viewer token \(seed.viewer.id)")
        for line in Self.summary(records) { narrator.note(line) }
        await checkTheLocalDenials(in: records)
        if let failure = verification.failure {
            narrator.outcome("audit", "broken", "record \(failure.sequence): \(failure.reason)")
        } else {
            narrator.outcome(
                "audit", "verified", "\(verification.checked) records, each hash = SHA-256(previous hash + record)")
        }
    }

    /// A live node other than the two of the approval scene (else any live node).
    func auditNode() async throws -> String {
        let used = await log.approvalNodes
        var live: [(number: Int, url: String)] = []
        for (index, url) in seed.endpoints.enumerated() where await operators.isUp(url) {
            live.append((index + 1, url))
        }
        guard let pick = live.first(where: { !used.contains($0.number) }) ?? live.first else {
            throw DemoFailure("no node answers for the audit export")
        }
        narrator.note(
            used.contains(pick.number)
                ? "the third node was the leader killed: the auditor uses node \(pick.number), \(pick.url)"
                : "the auditor uses node \(pick.number), \(pick.url): neither the one that decided nor the one voted on"
        )
        return pick.url
    }

    /// Each denial the SDK decided locally is in the audit once (`decided_by: sdk`, its request id).
    func checkTheLocalDenials(in records: [JSONValue]) async {
        let denials = await log.localDenials
        guard !denials.isEmpty else {
            narrator.outcome("local-denials", "none", "(the SDK decided nothing locally)")
            return
        }
        var missing: [String] = []
        for denial in denials {
            let found = records.filter { record in
                let object = record.objectValue
                return object?["request_id"]?.stringValue == denial.requestID
                    && object?["agent"]?.stringValue == denial.agent && object?["decided_by"]?.stringValue == "sdk"
            }
            if found.count != 1 { missing.append("\(denial.step) (\(found.count) records)") }
        }
        let steps = denials.map(\.step).joined(separator: ", ")
        if missing.isEmpty {
            narrator.outcome(
                "local-denials", "recorded",
                "\(denials.count) denied locally by the SDK (\(steps)), each once in the audit")
        } else {
            narrator.outcome("local-denials", "missing", "not once in the audit: \(missing.joined(separator: ", "))")
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
            let by = object["decided_by"]?.stringValue == "sdk" ? " (by the SDK)" : ""
            byAgent[agent, default: [:]][outcome + by, default: 0] += 1
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
