import JSON
import SandboxState

/// The people around the agent: Ann, the approver (in the groups the policies name), and the
/// auditor with a cluster-wide viewer token. Each talks to the node it is given.
struct Operators: Sendable {
    let seed: DemoSeed
    let http = DemoHTTP()

    /// Ann's vote through `node`; answers the approval's status after the vote. A vote asked
    /// again after an unknown outcome (503) may find its first attempt applied (409
    /// `already_voted`): then the approval as it stands answers.
    func approve(_ approval: UInt64, on node: String, comment: String) async throws -> String {
        let bearer = [("Authorization", "Bearer \(seed.approver.token)")]
        var answer = try await http.send(
            .POST, "\(node)/v1/approvals/\(approval)/decision", headers: bearer,
            json: ["decision": "approve", "comment": .string(comment)])
        if answer.status == 409 {
            answer = try await http.send(.GET, "\(node)/v1/approvals/\(approval)", headers: bearer)
        }
        guard answer.status == 200, case .string(let status)? = answer.json?.objectValue?["status"] else {
            throw DemoFailure(
                "the vote on approval \(approval) through \(node) failed: HTTP \(answer.status) \(answer.text)")
        }
        return status
    }

    /// The whole audit log through `node`, as exported records (NDJSON).
    func exportAudit(from node: String) async throws -> [JSONValue] {
        let answer = try await http.send(
            .GET, "\(node)/v1/audit/export",
            headers: [("Authorization", "Bearer \(seed.viewer.token)"), ("Accept", "application/x-ndjson")])
        guard answer.status == 200 else {
            throw DemoFailure("the audit export from \(node) failed: HTTP \(answer.status) \(answer.text)")
        }
        var records: [JSONValue] = []
        for line in answer.body.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            guard let record = try? JSONValue(parsing: Array(line)) else {
                throw DemoFailure("the audit export from \(node) has a line that is not JSON")
            }
            records.append(record)
        }
        return records
    }

    /// The node (1, 2, 3) that decided the agent's request `requestID`, from its audit record
    /// (read through `node` with the viewer token); nil when it is not there.
    /// (Asked again for at most 5 s while the record is not there yet.)
    func decidingNode(of requestID: String, agent: String, through node: String) async throws -> Int? {
        for _ in 1...25 {
            let record = try await exportAudit(from: node).last { record in
                let object = record.objectValue
                return object?["request_id"]?.stringValue == requestID && object?["agent"]?.stringValue == agent
            }
            if let number = record?.objectValue?["node"]?.numberValue?.int64Value { return Int(number) }
            try await Task.sleep(for: .milliseconds(200))
        }
        return nil
    }

    /// Whether `node` is answering at all (its health route).
    func isUp(_ node: String) async -> Bool {
        var quick = http
        quick.attempts = 1
        quick.timeout = .seconds(2)
        return (try? await quick.send(.GET, "\(node)/healthz").status) == 200
    }
}
