import Foundation
import ServerTestSupport
import Testing

/// Real `sandboxd` processes on 127.0.0.1: election, decisions on every node, an exact daily
/// budget across nodes, kill -9 of the leader under load. Every process is stopped by PID.
@Suite(.serialized, .timeLimit(.minutes(3))) struct SandboxdTests {
    @Test func aBudgetOfNAllowsExactlyNAcrossAllNodes() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 10)
        let outcomes = await withTaskGroup(of: String?.self) { group in
            for request in 0..<30 {
                group.addTask {
                    // A retryable 503 (a loaded machine) is asked again with the same id, as a client does.
                    await cluster.decideUntilDefinite(on: request % 3 + 1, id: "req-\(request)")?.body["decision"]
                        as? String
                }
            }
            var outcomes: [String] = []
            for await outcome in group { outcomes.append(outcome ?? "error") }
            return outcomes
        }
        #expect(outcomes.filter { $0 == "allow" }.count == 10, "\(outcomes)")
        #expect(outcomes.filter { $0 == "deny" }.count == 20, "\(outcomes)")
        // Each node counts the decisions it answered (swift-metrics on the Prometheus registry).
        var counted: [String: Int] = [:]
        for node in 1...3 {
            let metrics = await cluster.text(node, "/metrics") ?? ""
            #expect(metrics.contains("\nsandbox_raft_term "), "\(metrics)")
            for line in metrics.split(separator: "\n") where line.hasPrefix("sandbox_decisions_total{") {
                let outcome = line.split(separator: "\"")[1]
                counted[String(outcome), default: 0] += Int(line.split(separator: " ").last ?? "") ?? 0
            }
        }
        #expect(counted["allow"] == 10 && counted["deny"] == 20, "\(counted)")
        // A retry with the same request id gets the same, single answer.
        let again = await cluster.decideUntilDefinite(on: 2, id: "req-0")
        #expect(again?.body["replayed"] as? Bool == true)
    }

    @Test func killingTheLeaderUnderLoadLosesNoAcknowledgedDecision() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 100_000)
        try await waitFor("a leader") { await cluster.leader(among: [1, 2, 3]) != nil }
        let victim = await cluster.leader(among: [1, 2, 3])!
        let survivors = [1, 2, 3].filter { $0 != victim }
        // Load on the survivors while the leader dies; clients retry on failure with the same id.
        let load = Task {
            var acknowledged: [String: Int] = [:]
            let deadline = ContinuousClock.now + .seconds(90)  // bounded: a stuck cluster fails the test
            for request in 0..<60 where ContinuousClock.now < deadline {
                let id = "load-\(request)"
                for attempt in 0..<50 where ContinuousClock.now < deadline {
                    if let answer = await cluster.decide(on: survivors[(request + attempt) % 2], id: id),
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
            await cluster.decide(on: victim, id: "load-0")?.status == 200
        }
        for (id, decisionID) in acknowledged.sorted(by: { $0.key < $1.key }) {
            let replay = await cluster.decideUntilDefinite(on: [1, 2, 3].randomElement()!, id: id)
            #expect(replay?.body["decision_id"] as? Int == decisionID, "\(id): \(String(describing: replay))")
            #expect(replay?.body["replayed"] as? Bool == true)
        }
    }
}
