import Foundation
import ServerTestSupport
import Testing

/// Operations on real processes under decision load: a rolling restart with SIGTERM (leadership
/// handed over before HTTP stops), and kill -9 cycles of random nodes (2 in CI, 20 with
/// `LONG=1`). Afterwards every acknowledged decision is there, once, on every node.
@Suite(.serialized, .timeLimit(.minutes(10))) struct OperationsTests {
    static let long = ProcessInfo.processInfo.environment["LONG"] == "1"

    /// Every acknowledged decision replays with its decision id on some node, and the nodes
    /// converge to one state.
    func checkAcknowledged(_ acknowledged: [String: Int], _ cluster: LocalCluster) async throws {
        #expect(acknowledged.count > 20, "the load made progress: \(acknowledged.count)")
        for (offset, (id, decision)) in acknowledged.sorted(by: { $0.key < $1.key }).enumerated() where offset % 5 == 0
        {
            let replay = await cluster.decideUntilDefinite(on: offset % 3 + 1, id: id)
            #expect(replay?.body["decision_id"] as? Int == decision, "\(id): \(String(describing: replay))")
            #expect(replay?.body["replayed"] as? Bool == true)
        }
        try await cluster.waitForConvergence([1, 2, 3])
    }

    @Test func aRollingRestartWithSIGTERMLosesNothingAndStallsNoRequest() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 10_000_000)
        let load = DecisionLoad(cluster: cluster, nodes: [1, 2, 3])
        for node in 1...3 {
            try await Task.sleep(for: .milliseconds(700))
            // Waits for the graceful exit: status 0, not a crash while HTTP drains.
            let ended = cluster.kill(node, signal: SIGTERM)
            #expect(ended?.0 == .exit && ended?.1 == 0, "node \(node) ended: \(String(describing: ended))")
            try cluster.start(node)
            try await cluster.waitUntilReady([1, 2, 3])
        }
        try await Task.sleep(for: .milliseconds(500))
        let seen = await load.stop()
        // Each handover is a leadership transfer, not an election timeout.
        #expect(seen.longestWait < .seconds(3), "longest wait \(seen.longestWait)")
        try await checkAcknowledged(seen.acknowledged, cluster)
    }

    @Test func killCyclesUnderLoadLoseNoAcknowledgedDecision() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 10_000_000)
        let load = DecisionLoad(cluster: cluster, nodes: [1, 2, 3])
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<(Self.long ? 20 : 2) {
            try await Task.sleep(for: .milliseconds(Int.random(in: 300...1500, using: &generator)))
            let victim = Int.random(in: 1...3, using: &generator)
            cluster.kill(victim, signal: SIGKILL)
            try await Task.sleep(for: .milliseconds(Int.random(in: 100...1000, using: &generator)))
            try cluster.start(victim)
            try await cluster.waitUntilReady([1, 2, 3])
        }
        let seen = await load.stop()
        #expect(seen.longestWait < .seconds(15), "longest wait \(seen.longestWait)")
        try await checkAcknowledged(seen.acknowledged, cluster)
    }
}
