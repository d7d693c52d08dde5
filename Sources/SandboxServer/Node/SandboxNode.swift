import Foundation
import Logging
import Raft
import SandboxCluster
import SandboxState
import SandboxStateStore
import SandboxStorage
import SandboxTransport

/// One running node: its storage, state machine, driver and peer transport.
public final class SandboxNode: Sendable {
    public let config: ServerConfig
    let storage: NodeStorage
    let driver: RaftDriver<SandboxMachine>
    let transport: TCPPeerTransport
    let stateStorage: RocksStateStorage
    let metrics = NodeMetrics()

    /// Read-only queries of the local state (any thread).
    var queries: StateQueries { StateQueries(stateStorage) }

    /// Opens (and on first start of a founding member, bootstraps) the node and starts it.
    public init(config: ServerConfig, logger: Logger) async throws {
        self.config = config
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        storage = try NodeStorage(path: config.dataDirectory)
        let status = try storage.log.status()
        if config.bootstrap, status.lastIndex == 0, status.hardState == .empty {
            try storage.bootstrap(ConfState(voters: config.peers.keys.sorted()))
            logger.info("bootstrapped a new cluster", metadata: ["members": "\(config.peers.keys.sorted())"])
        }
        var transportConfig = TCPTransportConfig(clusterID: config.clusterID, localNode: config.nodeID)
        transportConfig.listenHost = config.peerAddress.host
        transportConfig.listenPort = config.peerAddress.port
        transportConfig.peers = config.peers.filter { $0.key != config.nodeID }
        transportConfig.seed = UInt64.random(in: .min ... .max)
        transport = TCPPeerTransport(config: transportConfig)
        var raft = RaftConfig(id: config.nodeID)
        raft.electionTicks = 10
        var driverConfig = DriverConfig(raft: raft, seed: UInt64.random(in: .min ... .max))
        driverConfig.tickInterval = .milliseconds(config.tickMilliseconds)
        let machine = try SandboxMachine(store: storage.state)
        driver = try RaftDriver(config: driverConfig, storage: storage, machine: machine, transport: transport)
        stateStorage = RocksStateStorage(storage.state)
        _ = try await transport.listen()
        transport.attach(driver)
        driver.start()
    }

    public var status: ClusterStatus { driver.status }

    /// Graceful stop: a leader hands leadership to the most caught-up voter first (so clients
    /// see no write gap), then the loop stops, the connections close and the store closes.
    public func shutdown(logger: Logger) async {
        let status = driver.status
        if status.role == .leader, let target = status.membership.voters.first(where: { $0 != config.nodeID }) {
            driver.transferLeadership(to: target)
            let deadline = ContinuousClock.now + .seconds(3)
            while driver.status.role == .leader, ContinuousClock.now < deadline {
                try? await Task.sleep(for: .milliseconds(20))
            }
            logger.info("leadership handed over", metadata: ["leader": "\(driver.status.leader)"])
        }
        driver.stop()
        await transport.shutdown()
        storage.close()
    }
}
