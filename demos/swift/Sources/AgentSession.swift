import Foundation
import JSON

/// One agent's connection to the sandbox: asks before every tool call and HTTP request.
/// (Interim: raw HTTP, spread over the endpoints, a retryable failure asked again on the next
/// node with the same request id, failing closed; to be replaced by SandboxSDK's client.)
actor AgentSession {
    let agentID: String
    private let apiKey: String
    private let endpoints: [String]
    private var next = 0
    private var counter = 0
    private let http = DemoHTTP(timeout: .seconds(3), attempts: 1)
    private let deadline: Duration = .seconds(20)

    init(agent: DemoSeed.Agent, endpoints: [String]) {
        agentID = agent.agentId
        apiKey = agent.apiKey
        self.endpoints = endpoints
    }

    func toolCall(_ tool: String, params: JSONValue, chainDepth: Int = 0) async -> DemoDecision {
        await decide(["tool": .string(tool), "params": params, "chain_depth": .number(JSONNumber(chainDepth))])
    }

    func httpRequest(method: String, url: String) async -> DemoDecision {
        await decide(["http": ["method": .string(method), "url": .string(url)]])
    }

    private func decide(_ body: JSONValue) async -> DemoDecision {
        counter += 1
        let requestID = "\(agentID)-\(UUID().uuidString.prefix(8))-\(counter)"
        let start = ContinuousClock.now
        while ContinuousClock.now - start < deadline {
            let node = endpoints[next % endpoints.count]
            next += 1
            guard
                let answer = try? await http.send(
                    .POST, "\(node)/v1/decisions",
                    headers: [("X-Agent-Key", apiKey), ("Idempotency-Key", requestID)], json: body)
            else { continue }
            if answer.status == 200, let decision = Self.decision(answer.json) { return decision }
            if answer.status != 503, answer.status != 429 {
                return DemoDecision(outcome: "deny", reason: "refused: HTTP \(answer.status) \(answer.text)")
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return DemoDecision(outcome: "deny", reason: "sandbox unreachable")
    }

    private static func decision(_ json: JSONValue?) -> DemoDecision? {
        guard let object = json?.objectValue, case .string(let outcome)? = object["decision"] else { return nil }
        var decision = DemoDecision(outcome: outcome, reason: object["reason"]?.stringValue ?? "")
        decision.rule = object["rule"]?.stringValue
        decision.approvalID = object["approval_id"]?.numberValue?.int64Value.map { UInt64($0) }
        if let left = object["budget"]?.objectValue?["requests_left"]?.numberValue?.int64Value {
            decision.requestsLeft = Int(left)
        }
        return decision
    }
}

extension AgentSession {
    /// Waits (long poll, at most `timeout`) until the approval is no longer pending; its status.
    func waitForApproval(_ id: UInt64, timeout: Duration) async -> String {
        let start = ContinuousClock.now
        var index = 0
        while ContinuousClock.now - start < timeout {
            let node = endpoints[index % endpoints.count]
            index += 1
            let poll = DemoHTTP(timeout: .seconds(35), attempts: 1)
            guard
                let answer = try? await poll.send(
                    .GET, "\(node)/v1/approvals/\(id)?wait=30s", headers: [("X-Agent-Key", apiKey)]),
                answer.status == 200, let status = answer.json?.objectValue?["status"]?.stringValue
            else { continue }
            if status != "pending" { return status }
        }
        return "pending"
    }
}
