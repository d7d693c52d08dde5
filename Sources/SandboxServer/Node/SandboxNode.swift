import Foundation
import Logging
import NIOPosix
import Raft
import SandboxCluster
import SandboxState
import SandboxStateStore
import SandboxStorage
import SandboxTransport
import Synchronization

/// One running node: its storage, state machine, driver and peer transport.
public final class SandboxNode: Sendable {
    public let config: ServerConfig
    let storage: NodeStorage
    let driver: RaftDriver<SandboxMachine>
    let transport: TCPPeerTransport
    let stateStorage: RocksStateStorage
    let metrics = NodeMetrics()
    /// Failed authentications per client address (``SandboxNode/caller(for:context:)``).
    let failedAuth = Mutex(FailedAuthLimiter())
    /// Long polls waiting for the applied state to change.
    let watchers: ApplyWatchers
    /// Agents by key hash, emptied by the apply thread when an identity may have changed.
    let agentKeys: AgentKeyCache
    /// Signs console session cookies (the key derived from the cluster secret, else the
    /// signing key: the same on every node).
    let sessions: SessionSigner
    /// Agent keys' public ids (derived from the signing key).
    let keyIDs: KeyIDs
    /// Long synchronous work, off the cooperative pool (audit verification).
    let blockingWork = BlockingWork()
    /// Whether the data directory was empty when the node opened it.
    let startedEmpty: Bool
    /// The leader changes this node has seen since it started (the console's cluster page).
    let leaderChanges = Mutex(LeaderChanges())
    /// A StatefulSet pod that adds itself (elastic, or rejoining after a lost disk) until the
    /// leader has answered that it is a voter: `/readyz` is 503 meanwhile, so that a rolling
    /// update or a drain does not move on while it is still a learner.
    let joiningStatefulSet: Atomic<Bool>

    /// Read-only queries of the local state (any thread).
    var queries: StateQueries { StateQueries(stateStorage) }

    /// Opens (and on first start of a founding member, bootstraps) the node and starts it.
    public init(config: ServerConfig, logger: Logger) async throws {
        self.config = config
        joiningStatefulSet = Atomic(config.statefulSet.map { $0.isElastic || config.rejoin != nil } ?? false)
        try FileManager.default.createDirectory(atPath: config.dataDirectory, withIntermediateDirectories: true)
        var storageOptions = StorageOptions()
        storageOptions.logSegmentBytes = config.logSegmentBytes
        // `SANDBOX_STATE_WAL=on`: the state machine's writes in RocksDB's WAL, as before they
        // skipped it (docs/storage.md, durability contract); a fallback and a way to compare.
        storageOptions.logStateWrites = ProcessInfo.processInfo.environment["SANDBOX_STATE_WAL"] == "on"
        storage = try NodeStorage(path: config.dataDirectory, options: storageOptions)
        let status = try storage.log.status()
        startedEmpty = status.lastIndex == 0 && status.hardState == .empty
        if config.bootstrap, startedEmpty {
            try storage.bootstrap(ConfState(voters: config.foundingVoters))
            logger.info("bootstrapped a new cluster", metadata: ["members": "\(config.foundingVoters)"])
        }
        var transportConfig = TCPTransportConfig(clusterID: config.clusterID, localNode: config.nodeID)
        transportConfig.listenHost = config.peerAddress.host
        transportConfig.listenPort = config.peerAddress.port
        transportConfig.peers = config.peers.filter { $0.key != config.nodeID }.mapValues(config.hosts.dial)
        transportConfig.seed = UInt64.random(in: .min ... .max)
        transportConfig.clusterSecret = config.clusterSecret
        if config.clusterSecret == nil, !["127.0.0.1", "::1", "localhost"].contains(config.peerAddress.host) {
            logger.warning(
                "peers are not authenticated: set --cluster-secret-file (or SANDBOX_CLUSTER_SECRET) on every member",
                metadata: ["peer_listen": "\(config.peerAddress.host):\(config.peerAddress.port)"])
        }
        // A loop thread of its own, so that Raft's frames never wait behind HTTP work, and the
        // driver's loop runs on it too (`raft`, the default: its peers' sockets read and written by
        // the loop's thread, no hand-off between two threads; docs/cluster.md "Two threads per
        // node"); `SANDBOX_TRANSPORT_LOOP=own`: the loop on a thread of its own; `shared`: the
        // transport on the process's HTTP loops.
        var transportLoop = ProcessInfo.processInfo.environment["SANDBOX_TRANSPORT_LOOP"] ?? "raft"
        if !["raft", "own", "shared"].contains(transportLoop) {
            logger.warning(
                "SANDBOX_TRANSPORT_LOOP is not raft, own or shared: raft", metadata: ["value": "\(transportLoop)"])
            transportLoop = "raft"
        }
        let transport = TCPPeerTransport(
            config: transportConfig, group: transportLoop == "shared" ? MultiThreadedEventLoopGroup.singleton : nil)
        self.transport = transport
        var driverConfig = DriverConfig(
            raft: Self.raftConfig(nodeID: config.nodeID), seed: UInt64.random(in: .min ... .max))
        driverConfig.tickInterval = .milliseconds(config.tickMilliseconds)
        driverConfig.compactionThreshold = config.compactionThreshold
        driverConfig.compactionRetain = config.compactionRetain
        // A start that fails from here on stops the transport's event loop (and the Raft loop's
        // host on it) before it throws: a process that embeds the node goes on without the thread.
        do {
            let machine = try SandboxMachine(store: storage.state, limits: config.stateLimits)
            let stateStorage = RocksStateStorage(storage.state)
            self.stateStorage = stateStorage
            // --dev without a configured signing key: a throwaway secret (so are its bundles' key).
            let shared = config.signingKey ?? (0..<32).map { _ in UInt8.random(in: 0...255) }
            sessions = SessionSigner(secret: config.clusterSecret ?? shared)
            keyIDs = KeyIDs(secret: shared)
            let watchers = ApplyWatchers()
            self.watchers = watchers
            let agentKeys = AgentKeyCache()
            self.agentKeys = agentKeys
            machine.applied = { results in
                agentKeys.applied(results)  // before the entries' proposers are answered
                guard let results else { return watchers.notifyAll() }
                watchers.notify(results.flatMap(WatchKey.changed(by:)))
            }
            machine.membersChanged = { conf in
                Self.refreshPeers(
                    config: config, state: stateStorage, members: conf, transport: transport, logger: logger)
            }
            driver = try RaftDriver(
                config: driverConfig, storage: storage, machine: machine, transport: transport,
                host: transportLoop == "raft" ? try await transport.makeLoopHost() : nil)
            Self.refreshPeers(
                config: config, state: stateStorage, members: try storage.log.status().confState, transport: transport,
                logger: logger)
            _ = try await transport.listen()
        } catch {
            await transport.shutdown()
            throw error
        }
        let driver = self.driver
        transport.attach(
            VoteGate(driver, node: config.nodeID, closed: startedEmpty && !config.bootstrap) {
                driver.status.membership
            })
        driver.start()
    }

    public var status: ClusterStatus { driver.status }

    /// First step of a graceful stop: a leader hands leadership to another voter (waiting up to
    /// 3 s), so that clients see no write gap. Long polls are answered at once (with the state
    /// as it is), so that HTTP drains quickly.
    public func handOverLeadership(logger: Logger) async {
        watchers.shutdown()
        guard driver.status.role == .leader else { return }
        let handed = await MembershipActions.handOver(self)
        logger.info(
            handed ? "leadership handed over" : "no voter took leadership",
            metadata: ["leader": "\(driver.status.leader)"])
    }

    /// Last step of a graceful stop (after HTTP drained): the loop stops, the connections close
    /// and the store closes.
    public func shutdown(logger: Logger) async {
        await handOverLeadership(logger: logger)  // leadership may have come back meanwhile
        driver.stop()
        await transport.shutdown()
        try? storage.state.flush()  // the next start has no state writes to replay from the WAL
        storage.close()
    }
}
