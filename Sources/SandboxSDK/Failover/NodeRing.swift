import Foundation

/// The cluster's nodes, taken in turn: each request starts at the next node (so requests spread
/// over the cluster), and a node that just failed is asked last for a while (so a dead node
/// costs one timeout, not one per request).
actor NodeRing {
    private let nodes: [URL]
    private let cooldown: Duration
    private var next = 0
    private var failedUntil: [Int: ContinuousClock.Instant] = [:]

    init(nodes: [URL], cooldown: Duration) {
        precondition(!nodes.isEmpty, "the configuration is validated before")
        self.nodes = nodes
        self.cooldown = cooldown
    }

    /// Every node once, for one request: from the next in turn, those that failed recently last.
    func order() -> [URL] {
        let now = ContinuousClock.now
        let start = next
        next = (next + 1) % nodes.count
        let turn = (0..<nodes.count).map { (start + $0) % nodes.count }
        let healthy = turn.filter { (failedUntil[$0] ?? now) <= now }
        let resting = turn.filter { (failedUntil[$0] ?? now) > now }.sorted { failedUntil[$0]! < failedUntil[$1]! }
        return (healthy + resting).map { nodes[$0] }
    }

    func failed(_ node: URL) {
        guard let index = nodes.firstIndex(of: node) else { return }
        failedUntil[index] = ContinuousClock.now + cooldown
    }

    func answered(_ node: URL) {
        guard let index = nodes.firstIndex(of: node) else { return }
        failedUntil[index] = nil
    }
}
