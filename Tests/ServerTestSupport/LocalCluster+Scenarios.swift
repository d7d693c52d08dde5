import Foundation
import Testing

/// Waits until `check` holds; records an issue and throws after `timeout`.
public func waitFor(_ what: String, within timeout: Duration = .seconds(60), _ check: () async -> Bool) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await check() { return }
        try await Task.sleep(for: .milliseconds(100))
    }
    Issue.record("timed out waiting for \(what)")
    throw CancellationError()
}

extension LocalCluster {
    public func leader(among nodes: [Int]) async -> Int? {
        for node in nodes {
            if let answer = await call(node, "GET", "/v1/cluster"), answer.body["role"] as? String == "leader" {
                return node
            }
        }
        return nil
    }

    /// Waits until the nodes are ready and every member's addresses are recorded (what
    /// forwarding an admin call to the leader needs).
    public func waitUntilReady(_ nodes: [Int]) async throws {
        try await waitFor("nodes \(nodes) ready") {
            for node in nodes where await call(node, "GET", "/readyz")?.status != 200 { return false }
            return true
        }
        try await waitFor("every member's addresses recorded") {
            guard let answer = await admin(nodes[0], "GET", "/v1/cluster/members", ""), answer.status == 200,
                let rows = answer.body["members"] as? [[String: Any]]
            else { return false }
            return rows.allSatisfy { $0["http"] != nil }
        }
    }

    /// Starts the founding nodes, waits until they are ready, and provisions (`provision`).
    public func startProvisioned(budget: Int) async throws {
        try startAll()
        try await waitUntilReady(Array(1...size))
        try await provision(budget: budget)
    }

    /// Agent `sales`'s policy for the approval scenarios: `email.send` outside the company needs
    /// an approval of group `human`; 1,000 requests a day.
    public static let approvalPolicy = """
        agent: "sales"
        tools:
          allow: ["crm.read", "email.send"]
          approvals:
            - tool: "email.send"
              condition: "recipient not endswith('@company.com')"
              require: "human"
        budgets:
          max_requests_per_day: 1000
        """

    /// Creates tenant, agent (key `agent-key-0123456789`) and a policy allowing `crm.read` with
    /// `budget` requests a day: each through another node (as far as there are nodes).
    public func provision(budget: Int) async throws {
        try await waitFor("the tenant to be created") {
            let answer = await admin(1, "POST", "/v1/tenants", #"{"id": "acme", "name": "Acme"}"#)
            return answer?.status == 200 || answer?.status == 409
        }
        // Asked again (bounded) when no answer came in time on a loaded machine: a 409 then means
        // the first attempt landed.
        var agent: (status: Int, body: [String: Any])?
        try await waitFor("the agent to be created") {
            agent = await admin(
                min(2, size), "POST", "/v1/tenants/acme/agents",
                #"{"agent_id": "sales", "api_key": "agent-key-0123456789"}"#)
            return agent != nil && agent?.status != 503
        }
        #expect(agent?.status == 200 || agent?.status == 409, "\(String(describing: agent))")
        let policy = """
            agent: "sales"
            tools:
              allow: ["crm.read"]
            budgets:
              max_requests_per_day: \(budget)
            """
        // A retryable 503 (a read or a proposal not confirmed in time on a loaded machine) is asked
        // again, bounded; publishing the same text twice would only add an identical version.
        var published: (status: Int, body: [String: Any])?
        try await waitFor("the policy to be published") {
            published = await call(
                min(3, size), "PUT", "/v1/policies/sales", json: policy,
                headers: ["Authorization": "Bearer \(adminToken)", "Content-Type": "application/x-yaml"])
            return published != nil && published?.status != 503
        }
        #expect(published?.status == 200, "\(String(describing: published))")
    }

    public func decide(on node: Int, id: String) async -> (status: Int, body: [String: Any])? {
        await call(
            node, "POST", "/v1/decisions", json: #"{"tool": "crm.read", "params": {}}"#,
            headers: ["X-Agent-Key": "agent-key-0123456789", "Idempotency-Key": id])
    }

    /// Decides `id` on `node`, asking again (bounded) while the answer is a retryable 503, as a
    /// client does: a leadership change under way when the question arrives leaves its outcome
    /// unknown until the same request id is asked again.
    public func decideUntilDefinite(on node: Int, id: String, within limit: Duration = .seconds(30)) async -> (
        status: Int, body: [String: Any]
    )? {
        let deadline = ContinuousClock.now + limit
        var answer = await decide(on: node, id: id)
        while ContinuousClock.now < deadline, answer == nil || answer?.status == 503 {
            try? await Task.sleep(for: .milliseconds(100))
            answer = await decide(on: node, id: id)
        }
        return answer
    }

    /// Decides `id` on the nodes in turn until one answers with a decision (bounded).
    public func decideRetrying(_ id: String, on nodes: [Int], within limit: Duration = .seconds(30)) async -> Int? {
        let deadline = ContinuousClock.now + limit
        var attempt = 0
        while ContinuousClock.now < deadline {
            if let answer = await decide(on: nodes[attempt % nodes.count], id: id), answer.status == 200,
                let decisionID = answer.body["decision_id"] as? Int
            {
                return decisionID
            }
            attempt += 1
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// Waits until `nodes` report the same applied index and state digest.
    public func waitForConvergence(_ nodes: [Int]) async throws {
        try await waitFor("digests of \(nodes) to converge", within: .seconds(60)) {
            var seen = Set<String>()
            for node in nodes {
                guard let answer = await call(node, "GET", "/v1/cluster?digest=1"),
                    let digest = answer.body["state_digest"] as? String,
                    let applied = answer.body["applied_index"] as? Int
                else { return false }
                seen.insert("\(applied) \(digest)")
            }
            return seen.count == 1
        }
    }
}
