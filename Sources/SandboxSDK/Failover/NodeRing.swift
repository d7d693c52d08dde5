import Foundation

/// The cluster's nodes, taken in turn: each request starts at the next node (so requests spread
/// over the cluster), and a node that just failed is asked last for a while (so a dead node
/// costs one timeout, not one per request): `cooldown`, doubled with each consecutive failure up
/// to `maxCooldown`, until the node answers.
actor NodeRing {
    private let nodes: [URL]
    private let cooldown: Duration
    private var next = 0
    private let maxCooldown: Duration
    private var failedUntil: [Int: ContinuousClock.Instant] = [:]
    private var failures: [Int: Int] = [:]

    init(nodes: [URL], cooldown: Duration, maxCooldown: Duration = .seconds(60)) {
        precondition(!nodes.isEmpty, "the configuration is validated before")
        self.nodes = nodes
        self.cooldown = cooldown
        self.maxCooldown = max(cooldown, maxCooldown)
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

    /// `node` failed: it rests its cooldown, or `restingAtLeast` when longer (its `Retry-After`).
    func failed(_ node: URL, restingAtLeast asked: Duration = .zero) {
        guard let index = nodes.firstIndex(of: node) else { return }
        let count = (failures[index] ?? 0) + 1
        failures[index] = count
        var rest = cooldown
        for _ in 1..<min(count, 32) where rest < maxCooldown { rest = rest * 2 }
        failedUntil[index] = ContinuousClock.now + max(min(rest, maxCooldown), asked)
    }

    /// How long `node` is asked last from now (zero when it is not resting).
    func resting(_ node: URL) -> Duration {
        guard let index = nodes.firstIndex(of: node), let until = failedUntil[index] else { return .zero }
        return max(.zero, until - ContinuousClock.now)
    }

    func answered(_ node: URL) {
        guard let index = nodes.firstIndex(of: node) else { return }
        failedUntil[index] = nil
        failures[index] = nil
    }
}
