import ClusterTestSupport
import Foundation
import Raft
import SandboxCluster
import SandboxStorage
import TestSupport
import Testing

@testable import SandboxTransport

/// Three drivers with RocksDB stores, talking over real TCP connections on 127.0.0.1.
final class TCPCluster: @unchecked Sendable {
    struct Node {
        var storage: NodeStorage
        var driver: ClusterProbe.Driver
        var transport: TCPPeerTransport
    }

    let directory = TemporaryDirectory("tcp-cluster")
    let ids: [NodeID]
    let configure: @Sendable (inout DriverConfig) -> Void
    private(set) var ports: [NodeID: Int] = [:]
    private(set) var nodes: [NodeID: Node] = [:]

    init(size: Int = 3, configure: @escaping @Sendable (inout DriverConfig) -> Void = { _ in }) {
        ids = (1...UInt64(size)).map { $0 }
        self.configure = configure
    }

    func startAll() async throws {
        for id in ids {
            let storage = try NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
            try storage.bootstrap(ConfState(voters: ids))
            storage.close()
        }
        var transports: [NodeID: TCPPeerTransport] = [:]
        for id in ids {
            let transport = makeTransport(id, port: 0)
            ports[id] = try await transport.listen()
            transports[id] = transport
        }
        for id in ids { try start(id, transport: transports[id]!) }
    }

    private func makeTransport(_ id: NodeID, port: Int) -> TCPPeerTransport {
        var config = TCPTransportConfig(clusterID: "tcp-test", localNode: id)
        config.listenPort = port
        config.seed = id
        return TCPPeerTransport(config: config)
    }

    private func start(_ id: NodeID, transport: TCPPeerTransport) throws {
        transport.setPeers(ports.filter { $0.key != id }.mapValues { PeerAddress(host: "127.0.0.1", port: $0) })
        let storage = try NodeStorage(path: directory.subpath("node-\(id)"), options: .small)
        var raft = RaftConfig(id: id)
        raft.electionTicks = 30  // 300-600 ms: the shared 2-core machine stalls threads for 100 ms at times
        var config = DriverConfig(raft: raft, seed: id &* 7919)
        config.tickInterval = .milliseconds(10)
        config.proposalTimeout = .seconds(60)  // the whole suite runs in parallel on 2 cores
        configure(&config)
        // On the transport's event loop, as `sandboxd` runs it.
        let driver = try RaftDriver(
            config: config, storage: storage, machine: CounterMachine(store: storage.state), transport: transport,
            host: transport.loopHost)
        transport.attach(driver)
        nodes[id] = Node(storage: storage, driver: driver, transport: transport)
        driver.start()
    }

    func stop(_ id: NodeID) async {
        guard let node = nodes.removeValue(forKey: id) else { return }
        node.driver.stop()
        await node.transport.shutdown()
        node.storage.close()
    }

    func restart(_ id: NodeID) async throws {
        await stop(id)
        let transport = makeTransport(id, port: ports[id]!)
        _ = try await transport.listen()
        try start(id, transport: transport)
    }

    func stopAll() async { for id in ids { await stop(id) } }

    /// Starts the cluster, runs `body`, and stops every node whether `body` threw or not (a
    /// node left running would outlive its deleted data directory).
    func run(_ body: (TCPCluster) async throws -> Void) async throws {
        do {
            try await startAll()
            try await body(self)
        } catch {
            await stopAll()
            throw error
        }
        await stopAll()
    }

    var drivers: [ClusterProbe.Driver] { ids.compactMap { nodes[$0]?.driver } }

    func converged() async throws -> [[UInt8]: [UInt8]] {
        try await ClusterProbe.converged(ids.compactMap { nodes[$0] }.map { ($0.driver, $0.storage.state) })
    }
}

@Suite(.serialized, .timeLimit(.minutes(5))) struct TCPClusterTests {
    @Test func threeNodesOverLoopbackReplicateAndSurviveARestart() async throws {
        try await TCPCluster().run { cluster in
            let leader = try await ClusterProbe.leader(of: cluster.drivers)
            var outcomes = await ClusterProbe.proposeAllOutcomes((0..<300).map { "t-\($0)" }, on: cluster.drivers)
            let follower = cluster.ids.first { $0 != leader }!
            await cluster.stop(follower)
            let whileDown = await ClusterProbe.proposeAllOutcomes((0..<100).map { "u-\($0)" }, on: cluster.drivers)
            try await cluster.restart(follower)
            let afterRestart = await ClusterProbe.proposeAllOutcomes((0..<100).map { "v-\($0)" }, on: cluster.drivers)
            for more in [whileDown, afterRestart] {
                outcomes.acknowledged.merge(more.acknowledged) { $1 }
                outcomes.unknown.formUnion(more.unknown)
                outcomes.failed.merge(more.failed) { $1 }
            }
            // On a loaded machine the leadership may move (a forwarded batch's outcome is then
            // unknown); nothing may fail otherwise, and what was acknowledged is applied once.
            #expect(outcomes.failed.isEmpty, "\(outcomes.failed.prefix(5))")
            #expect(outcomes.acknowledged.count + outcomes.unknown.count == 500)
            #expect(outcomes.acknowledged.count >= 400, "\(outcomes.unknown.count) unknown outcomes")
            let applied = ClusterProbe.applied(in: try await cluster.converged())
            #expect(applied.duplicates == 0)
            #expect(Set(outcomes.acknowledged.keys).isSubset(of: applied.commands))
        }
    }

    @Test
    func aNodeBehindTheCompactedLogCatchesUpBySnapshotOverTCP() async throws {
        let cluster = TCPCluster {
            $0.compactionThreshold = 40
            $0.compactionRetain = 10
        }
        try await cluster.run { cluster in
            let leader = try await ClusterProbe.leader(of: cluster.drivers)
            let follower = cluster.ids.first { $0 != leader }!
            await cluster.stop(follower)
            let acknowledged = await ClusterProbe.proposeAll((0..<300).map { "s-\($0)" }, on: cluster.drivers)
            #expect(acknowledged.count == 300)
            try await cluster.restart(follower)
            let applied = ClusterProbe.applied(in: try await cluster.converged())
            #expect(Set(acknowledged.keys).isSubset(of: applied.commands))
            #expect(cluster.nodes[follower]!.driver.status.firstIndex > 200)  // installed a snapshot
        }
    }
}
