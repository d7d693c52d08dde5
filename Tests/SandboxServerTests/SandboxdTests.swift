import Foundation
import Testing

/// Real `sandboxd` processes on 127.0.0.1: election, decisions on every node, an exact daily
/// budget across nodes, kill -9 of the leader under load. Every process is stopped by PID.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SandboxdTests {
    func waitFor(_ what: String, within timeout: Duration = .seconds(30), _ check: () async -> Bool) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if await check() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("timed out waiting for \(what)")
        throw CancellationError()
    }

    func leader(of cluster: LocalCluster, among nodes: [Int]) async -> Int? {
        for node in nodes {
            if let answer = await cluster.call(node, "GET", "/v1/cluster"), answer.body["role"] as? String == "leader" {
                return node
            }
        }
        return nil
    }

    /// Creates tenant, agent (key `agent-key-0123456789`) and a policy allowing `crm.read` with
    /// `budget` requests a day.
    func provision(_ cluster: LocalCluster, budget: Int) async throws {
        try await waitFor("the tenant to be created") {
            let answer = await cluster.admin(1, "POST", "/v1/tenants", #"{"id": "acme", "name": "Acme"}"#)
            return answer?.status == 200 || answer?.status == 409
        }
        let agent = await cluster.admin(
            2, "POST", "/v1/agents", #"{"tenant": "acme", "agent": "sales", "key": "agent-key-0123456789"}"#)
        #expect(agent?.status == 200, "\(String(describing: agent))")
        let policy = """
            agent: "sales"
            tools:
              allow: ["crm.read"]
            budgets:
              max_requests_per_day: \(budget)
            """
        let published = await cluster.admin(3, "PUT", "/v1/agents/sales/policy", policy)
        #expect(published?.status == 200, "\(String(describing: published))")
    }

    func decide(_ cluster: LocalCluster, on node: Int, id: String) async -> (status: Int, body: [String: Any])? {
        await cluster.call(
            node, "POST", "/v1/decisions", json: #"{"tool": "crm.read", "params": {}}"#,
            headers: ["X-Agent-Key": "agent-key-0123456789", "Idempotency-Key": id])
    }

    @Test func aBudgetOfNAllowsExactlyNAcrossAllNodes() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await waitFor("every node ready") {
            for node in 1...3 where await cluster.call(node, "GET", "/readyz")?.status != 200 { return false }
            return true
        }
        try await provision(cluster, budget: 10)
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for request in 0..<30 {
                group.addTask {
                    await decide(cluster, on: request % 3 + 1, id: "req-\(request)")?.body["decision"] as? String
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome ?? "error") }
            return outcomes
        }
        #expect(outcomes.filter { $0 == "allow" }.count == 10, "\(outcomes)")
        #expect(outcomes.filter { $0 == "deny" }.count == 20, "\(outcomes)")
        // A retry with the same request id gets the same, single answer.
        let again = await decide(cluster, on: 2, id: "req-0")
        #expect(again?.body["replayed"] as? Bool == true)
    }

    @Test func killingTheLeaderUnderLoadLosesNoAcknowledgedDecision() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await waitFor("a leader") { await leader(of: cluster, among: [1, 2, 3]) != nil }
        try await provision(cluster, budget: 100_000)
        let victim = await leader(of: cluster, among: [1, 2, 3])!
        let survivors = [1, 2, 3].filter { $0 != victim }
        // Load on the survivors while the leader dies; clients retry on failure with the same id.
        let load = Task {
            var acknowledged: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(90)  // bounded: a stuck cluster fails the test
            for request in 0..<60 where ContinuousClock.now < deadline {
                let id = "load-\(request)"
                for attempt in 0..<50 where ContinuousClock.now < deadline {
                    if let answer = await decide(cluster, on: survivors[(request + attempt) % 2], id: id),
                        answer.status == 200, let decisionID = answer.body["decision_id"] as? Int
                    {
                        acknowledged[id] = decisionID
                        break
                    }
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
            return acknowledged
        }
        try await Task.sleep(for: .milliseconds(300))
        cluster.kill(victim, signal: SIGKILL)
        let acknowledged = await load.value
        #expect(acknowledged.count == 60)
        // Every acknowledged decision is there afterwards: a retry is a replay with the same id.
        try cluster.start(victim)
        try await waitFor("the restarted node to serve") {
            await decide(cluster, on: victim, id: "load-0")?.status == 200
        }
        for (id, decisionID) in acknowledged.sorted(by: { $0.key < $1.key }) {
            let replay = await decide(cluster, on: [1, 2, 3].randomElement()!, id: id)
            #expect(replay?.body["decision_id"] as? Int == decisionID, "\(id): \(String(describing: replay))")
            #expect(replay?.body["replayed"] as? Bool == true)
        }
    }
}
