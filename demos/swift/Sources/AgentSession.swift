import Foundation
import JSON
import SandboxSDK

/// One agent's `SandboxClient` (SandboxSDK): it spreads the requests over the three nodes, asks
/// again on another node with the same request id when one fails, fails closed, and denies
/// locally, from its verified copy of the agent's signed policy, what that policy denies
/// whatever the state (reported to the audit in the background).
struct AgentSession: Sendable {
    let agentID: String
    let client: SandboxClient

    init(agent: DemoSeed.Agent, seed: DemoSeed) throws {
        let endpoints = seed.endpoints.compactMap(URL.init(string:))
        agentID = agent.agentId
        do {
            client = try SandboxClient(
                endpoints: endpoints, agentID: agent.agentId, apiKey: agent.apiKey,
                policyPublicKeys: seed.keys.map(\.publicKey))
        } catch {
            throw DemoFailure("cannot make the SDK client of \(agent.agentId): \(error)")
        }
    }

    func toolCall(_ tool: String, params: JSONValue, chainDepth: Int = 0) async -> DemoDecision {
        DemoDecision(await client.toolCall(tool, params: params, chainDepth: chainDepth))
    }

    func httpRequest(method: String, url: String) async -> DemoDecision {
        DemoDecision(await client.httpRequest(method: method, url: url))
    }

    func waitForApproval(_ id: UInt64, timeout: Duration) async -> String {
        await client.waitForApproval(id, timeout: timeout).rawValue
    }

    /// Fetches and verifies the signed policy now (the client also does it in the background).
    func loadPolicy() async throws -> PolicySnapshot {
        do { return try await client.refreshPolicy() } catch {
            throw DemoFailure("the signed policy of \(agentID) was refused: \(error)")
        }
    }

    /// Reports the queued local denials (bounded); whether all were recorded.
    func flushLocalDenials() async -> Bool { await client.flushLocalDenials(deadline: .seconds(10)) }

    /// Local denials queued, reported, and dropped (refused by the node: they cannot be recorded).
    func localDenials() async -> (pending: Int, reported: Int, dropped: Int) { await client.localDenials() }

    func close() async { await client.close() }
}

extension DemoDecision {
    init(_ decision: Decision) {
        switch decision.outcome {
        case .allow: outcome = "allow"
        case .deny: outcome = "deny"
        case .needsApproval: outcome = "needs_approval"
        }
        reason = decision.reason
        rule = decision.rule
        approvalID = decision.approvalID
        requestID = decision.requestID
        requestsLeft = decision.budget?.requestsLeft.map { Int(clamping: $0) }
        decidedLocally = decision.source == .localPolicy
    }
}
