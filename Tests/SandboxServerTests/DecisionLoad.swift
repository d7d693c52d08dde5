import Foundation
import ServerTestSupport

/// Clients deciding in a loop on every node while a test restarts or kills nodes: each request
/// is retried (same id) on the next node until it succeeds; records every acknowledged decision
/// and the longest time a request took from its first try to its success.
///
/// `@unchecked Sendable`: the mutable fields are only touched under `lock`.
final class DecisionLoad: @unchecked Sendable {
    private let lock = NSLock()
    private var acknowledged: [String: Int] = [:]
    private var longestWait: Duration = .zero
    private var stopped = false
    private var tasks: [Task<Void, Never>] = []

    init(cluster: LocalCluster, nodes: [Int], clients: Int = 6) {
        for client in 0..<clients {
            tasks.append(Task { await self.run(client, cluster, nodes) })
        }
    }

    private func run(_ client: Int, _ cluster: LocalCluster, _ nodes: [Int]) async {
        var request = 0
        var node = client % nodes.count
        while !lock.withLock({ stopped }) {
            let id = "load-\(client)-\(request)"
            let started = ContinuousClock.now
            while !lock.withLock({ stopped }) {
                if let answer = await cluster.decide(on: nodes[node], id: id), answer.status == 200,
                    let decision = answer.body["decision_id"] as? Int
                {
                    let waited = ContinuousClock.now - started
                    lock.withLock {
                        acknowledged[id] = decision
                        longestWait = max(longestWait, waited)
                    }
                    break
                }
                node = (node + 1) % nodes.count
                try? await Task.sleep(for: .milliseconds(20))
            }
            request += 1
        }
    }

    /// Decisions acknowledged so far.
    var count: Int { lock.withLock { acknowledged.count } }

    /// Returns once more than `count` decisions were acknowledged, or `limit` passed (a loaded
    /// machine serves the first decisions slowly: a fixed pause made too few there).
    func waitUntilMoreThan(_ count: Int, within limit: Duration) async {
        let deadline = ContinuousClock.now + limit
        while self.count <= count, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Stops the clients and returns what they saw.
    func stop() async -> (acknowledged: [String: Int], longestWait: Duration) {
        lock.withLock { stopped = true }
        for task in tasks { await task.value }
        return lock.withLock { (acknowledged, longestWait) }
    }
}
