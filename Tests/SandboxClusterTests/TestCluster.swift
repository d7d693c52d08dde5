import Foundation
import Raft
import SandboxCluster
import SandboxStorage
import TestSupport

/// Nodes with real RocksDB stores in a temporary directory, connected by a `MemoryNetwork`.
final class TestCluster: @unchecked Sendable {
    struct Node {
        var storage: NodeStorage
        var driver: RaftDriver<CounterMachine>
    }

    let directory = TemporaryDirectory("cluster")
    let network = MemoryNetwork()
    let ids: [NodeID]
    var configure: (inout DriverConfig) -> Void
    private(set) var nodes: [NodeID: Node] = [:]

    init(size: Int = 3, configure: @escaping (inout DriverConfig) -> Void = { _ in }) throws {
        ids = (1...UInt64(size)).map { $0 }
        self.configure = configure
        for id in ids {
            let storage = try NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
            try storage.bootstrap(ConfState(voters: ids))
            try start(id, storage: storage)
        }
    }

    deinit { for id in nodes.keys { stop(id) } }

    func driver(_ id: NodeID) -> RaftDriver<CounterMachine> { nodes[id]!.driver }

    func start(_ id: NodeID, storage: NodeStorage? = nil) throws {
        let storage = try storage ?? NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
        var raft = RaftConfig(id: id)
        raft.electionTicks = 10
        var config = DriverConfig(raft: raft, seed: id &* 7919)
        config.tickInterval = .milliseconds(10)
        config.proposalTimeout = .seconds(10)
        configure(&config)
        let driver = try RaftDriver(
            config: config, storage: storage, machine: CounterMachine(store: storage.state),
            transport: network.endpoint(for: id))
        network.attach(id, driver)
        nodes[id] = Node(storage: storage, driver: driver)
        driver.start()
    }

    /// Stops a node as a crash would look to the others (its storage closed afterwards).
    func stop(_ id: NodeID) {
        guard let node = nodes.removeValue(forKey: id) else { return }
        network.detach(id)
        node.driver.stop()
        node.storage.close()
    }

    func restart(_ id: NodeID) throws {
        stop(id)
        try start(id)
    }

    /// The leader all running nodes agree on, waiting up to `timeout`.
    func leader(within timeout: Duration = .seconds(10)) async throws -> NodeID {
        try await eventually(timeout, "a leader") {
            let leaders = Set(nodes.values.map { $0.driver.status.leader })
            guard leaders.count == 1, let leader = leaders.first, leader != 0, nodes[leader] != nil,
                nodes[leader]!.driver.status.role == .leader
            else { return nil }
            return leader
        }
    }

    /// Waits until every running node has applied the same index and holds the same state.
    func converged(within timeout: Duration = .seconds(20)) async throws -> [[UInt8]: [UInt8]] {
        try await eventually(timeout, "convergence") {
            let applied = Set(nodes.values.map { $0.driver.status.appliedIndex })
            let commits = Set(nodes.values.map { $0.driver.status.commitIndex })
            guard applied.count == 1, commits == applied else { return nil }
            let states = try nodes.values.map { try Self.contents($0.storage.state) }
            return Set(states.map { $0.count }).count == 1 && states.dropFirst().allSatisfy { $0 == states[0] }
                ? states[0] : nil
        }
    }

    static func contents(_ state: StateStore) throws -> [[UInt8]: [UInt8]] {
        var all: [[UInt8]: [UInt8]] = [:]
        var after: [UInt8]? = nil
        while true {
            let page = try state.scan(prefix: [], startingAfter: after, limit: 10_000)
            for entry in page { all[entry.key] = entry.value }
            guard page.count == 10_000, let last = page.last else { return all }
            after = last.key
        }
    }

    func eventually<T>(_ timeout: Duration, _ what: String, _ check: () throws -> T?) async throws -> T {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let value = try check() { return value }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TimeoutError(what: what)
    }

    struct TimeoutError: Error, CustomStringConvertible {
        var what: String
        var description: String { "timed out waiting for \(what)" }
    }
}
