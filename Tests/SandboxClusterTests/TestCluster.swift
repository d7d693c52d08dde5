import ClusterTestSupport
import Foundation
import Raft
import SandboxCluster
import SandboxStorage
import TestSupport

/// Nodes with real RocksDB stores in a temporary directory, connected by a `MemoryNetwork`.
final class TestCluster: @unchecked Sendable {
    struct Node {
        var storage: NodeStorage
        var machine: CounterMachine
        var driver: RaftDriver<CounterMachine>
        /// The loop's host, when the cluster runs its loops on hosts.
        var host: ThreadLoopHost?
    }

    let directory = TemporaryDirectory("cluster")
    let network = MemoryNetwork()
    let ids: [NodeID]
    var configure: (inout DriverConfig) -> Void
    /// Whether each driver's loop runs on a `LoopHost` (as in `sandboxd`, on its transport's
    /// event loop) rather than on a thread of its own.
    let hosted: Bool
    private(set) var nodes: [NodeID: Node] = [:]

    init(size: Int = 3, hosted: Bool = false, configure: @escaping (inout DriverConfig) -> Void = { _ in }) throws {
        ids = (1...UInt64(size)).map { $0 }
        self.hosted = hosted
        self.configure = configure
        for id in ids {
            let storage = try NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
            try storage.bootstrap(ConfState(voters: ids))
            try start(id, storage: storage)
        }
    }

    deinit { for id in nodes.keys { stop(id) } }

    func driver(_ id: NodeID) -> RaftDriver<CounterMachine> { nodes[id]!.driver }
    func machine(_ id: NodeID) -> CounterMachine { nodes[id]!.machine }

    func start(_ id: NodeID, storage: NodeStorage? = nil) throws {
        let storage = try storage ?? NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
        var raft = RaftConfig(id: id)
        raft.electionTicks = 30  // 300-600 ms: the shared 2-core machine stalls threads for 100 ms at times
        var config = DriverConfig(raft: raft, seed: id &* 7919)
        config.tickInterval = .milliseconds(10)
        config.proposalTimeout = .seconds(60)  // the whole suite runs in parallel on 2 cores
        configure(&config)
        let machine = CounterMachine(store: storage.state)
        let host = hosted ? ThreadLoopHost(name: "host-\(id)") : nil
        let driver = try RaftDriver(
            config: config, storage: storage, machine: machine, transport: network.endpoint(for: id), host: host)
        network.attach(id, driver)
        nodes[id] = Node(storage: storage, machine: machine, driver: driver, host: host)
        driver.start()
    }

    /// Stops a node as a crash would look to the others (its storage closed afterwards).
    func stop(_ id: NodeID) {
        guard let node = nodes.removeValue(forKey: id) else { return }
        network.detach(id)
        node.driver.stop()
        node.host?.close()  // after the driver, as `sandboxd` shuts its transport down after it
        node.storage.close()
    }

    func restart(_ id: NodeID) throws {
        stop(id)
        try start(id)
    }

    var drivers: [RaftDriver<CounterMachine>] { nodes.values.map(\.driver) }

    func leader(within timeout: Duration = .seconds(30)) async throws -> NodeID {
        try await ClusterProbe.leader(of: drivers, within: timeout)
    }

    func converged(within timeout: Duration = .seconds(20)) async throws -> [[UInt8]: [UInt8]] {
        try await ClusterProbe.converged(nodes.values.map { ($0.driver, $0.storage.state) }, within: timeout)
    }

    /// A cluster whose log is compacted every 40 entries (keeping 10), with a follower stopped:
    /// a few dozen entries later it can catch up only by snapshot.
    static func withAFollowerStoppedAndASmallLog(
        hosted: Bool = false, _ more: @escaping (inout DriverConfig) -> Void = { _ in }
    ) async throws -> (TestCluster, leader: NodeID, follower: NodeID) {
        let cluster = try TestCluster(hosted: hosted) {
            $0.compactionThreshold = 40
            $0.compactionRetain = 10
            more(&$0)
        }
        let leader = try await cluster.leader()
        let follower = cluster.ids.first { $0 != leader }!
        cluster.stop(follower)
        return (cluster, leader, follower)
    }

    /// `withAFollowerStoppedAndASmallLog`, then 200 writes committed without the follower: the
    /// log is compacted past it (it catches up only by snapshot once started again).
    static func withAFollowerBehindTheCompactedLog(
        _ more: @escaping (inout DriverConfig) -> Void = { _ in }
    ) async throws -> (TestCluster, leader: NodeID, follower: NodeID) {
        let (cluster, leader, follower) = try await withAFollowerStoppedAndASmallLog(more)
        let acknowledged = await ClusterProbe.proposeAll((0..<200).map { "a-\($0)" }, on: [cluster.driver(leader)])
        guard acknowledged.count == 200 else {
            throw SetupFailed(what: "\(acknowledged.count) of 200 writes acknowledged")
        }
        return (cluster, leader, follower)
    }

    /// Starts `follower` and waits (up to `timeout`) until it has installed a snapshot; returns
    /// how long that took from its start.
    func startAndAwaitSnapshot(_ follower: NodeID, within timeout: Duration) async throws -> Duration {
        let started = ContinuousClock.now
        try start(follower)
        _ = try await eventually(timeout, "node \(follower) installs a snapshot") {
            driver(follower).status.counters.snapshotsInstalled >= 1 ? true : nil
        }
        return ContinuousClock.now - started
    }

    struct SetupFailed: Error, CustomStringConvertible {
        var what: String
        var description: String { "cluster setup failed: \(what)" }
    }

    func eventually<T>(_ timeout: Duration, _ what: String, _ check: () throws -> T?) async throws -> T {
        try await ClusterProbe.eventually(timeout, what, check)
    }
}
