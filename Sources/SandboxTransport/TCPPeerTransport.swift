import Foundation
import NIOCore
import NIOPosix
import Raft
import SandboxCluster
import SandboxWire

/// The peer transport over TCP: a listener for peers' connections and one long-lived outbound
/// connection per peer (`PeerLink`), each with a bounded queue. Frames are encoded on the
/// sender's thread (the driver's loop, or a follower's proposing thread forwarding directly),
/// written on the link's event loop; `send` never blocks.
///
/// `@unchecked Sendable`: `sink`, `links`, `members`, `stats` and `host` are guarded by `lock`; the rest
/// is immutable after `init`.
public final class TCPPeerTransport: PeerTransport, @unchecked Sendable {
    public let config: TCPTransportConfig
    private let group: MultiThreadedEventLoopGroup
    private let ownsGroup: Bool
    private let threads: Int
    /// The event loop as a driver's `LoopHost`, once made (guarded by `lock`).
    private var host: EventLoopHost?
    private let lock = NSLock()
    private var sink: (any FrameSink)?
    private var links: [NodeID: PeerLink] = [:]
    private var members: Set<NodeID>
    private var statistics = TransportStats()
    private var server: (any Channel)?

    /// Creates the transport on `group`'s event loops (left running at `shutdown`: its owner's),
    /// or, without one, on event loop threads of its own (`threads`, 1 by default). `sandboxd`
    /// keeps one of its own and runs the driver's loop on it (`makeLoopHost()`; not with
    /// `SANDBOX_TRANSPORT_LOOP=own` or `shared`); docs/cluster.md, "Two threads per node".
    public init(config: TCPTransportConfig, group: MultiThreadedEventLoopGroup? = nil, threads: Int = 1) {
        self.config = config
        ownsGroup = group == nil
        self.threads = threads
        self.group = group ?? MultiThreadedEventLoopGroup(numberOfThreads: threads)
        members = Set(config.peers.keys)
        authenticator = config.clusterSecret.map { HMACAuthenticator(secret: $0, nonces: config.nonceGenerator) }
    }

    /// Proves and checks the cluster secret in handshakes (nil without a secret).
    let authenticator: (any PeerAuthenticator)?

    /// Starts listening; returns the port (useful with `listenPort` 0).
    public func listen() async throws -> Int {
        let limits = config.wire
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 128)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(ChannelOptions.socketOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ByteToMessageHandler(FrameDecoder(maxFrameBytes: limits.maxFrameBytes)))
                    try channel.pipeline.syncOperations.addHandler(
                        InboundPeerHandler(
                            session: PeerSession(policy: self.handshakePolicy, authenticator: self.authenticator),
                            transport: self))
                }
            }
        let channel = try await bootstrap.bind(host: config.listenHost, port: config.listenPort).get()
        lock.withLock { server = channel }
        return channel.localAddress?.port ?? config.listenPort
    }

    /// Its event loop as a driver's `LoopHost`, so that the loop that runs Raft reads and writes
    /// the peers' sockets itself. Only for a transport with one event loop thread of its own
    /// (`init` without a group, `threads` 1): every connection is on that loop, and its thread
    /// serves nothing else. One host per transport; stop its driver before `shutdown()`, which
    /// closes it.
    public func makeLoopHost() async throws -> any LoopHost {
        precondition(ownsGroup && threads == 1, "a loop host is a transport's own single event loop")
        let host = try await EventLoopHost.make(on: group.next()) { [weak self] in self?.writeCollectedFrames() }
        let earlier = lock.withLock {
            defer { self.host = host }
            return self.host
        }
        precondition(earlier == nil, "one loop host per transport")
        return host
    }

    /// On the event loop: writes the frames every link on it collected, now (`LoopHost.flushOutput`).
    func writeCollectedFrames() {
        let links = lock.withLock { Array(self.links.values) }
        for link in links where link.loop.inEventLoop { link.writeCollectedNow() }
    }

    /// Where received frames go (the driver). Frames that arrive before are dropped.
    public func attach(_ sink: any FrameSink) {
        lock.withLock { self.sink = sink }
    }

    /// Replaces the peers (a membership change, or peers whose ports became known).
    public func setPeers(_ peers: [NodeID: PeerAddress]) {
        let stale: [PeerLink] = lock.withLock {
            members = Set(peers.keys)
            let stale = links.filter { peers[$0.key] != $0.value.address }.map(\.value)
            for link in stale { links[link.peer] = nil }
            peerAddresses = peers
            return stale
        }
        for link in stale { link.close() }
    }

    private var peerAddresses: [NodeID: PeerAddress] = [:]

    public func send(_ frame: Frame, to peer: NodeID) -> Bool {
        guard let link = link(to: peer), let body = try? frame.encoded(limits: config.wire) else { return false }
        if link.enqueue(body) { return true }
        record { $0.droppedFrames += 1 }
        return false
    }

    public func sendSnapshotChunk(_ frame: Frame, to peer: NodeID, until cancelled: () -> Bool) -> Bool {
        guard let link = link(to: peer), let body = try? frame.encoded(limits: config.wire) else { return false }
        return link.enqueueWaiting(body, timeout: config.snapshotQueueWait, cancelled: cancelled)
    }

    /// The port the listener is bound to, once listening.
    public var listeningPort: Int? { lock.withLock { server?.localAddress?.port } }

    /// A copy of the counters.
    public var stats: TransportStats {
        let (counted, host) = lock.withLock { (statistics, self.host) }
        var stats = counted
        stats.lostWakePipe = host?.lostPipe  // its own lock: not taken under the transport's
        return stats
    }

    /// Stops listening, closes every connection and the event loops it owns.
    public func shutdown() async {
        let (server, links) = lock.withLock {
            let taken = (self.server, Array(self.links.values))
            self.server = nil
            self.links = [:]
            sink = nil
            return taken
        }
        for link in links { link.close() }
        try? await server?.close()
        lock.withLock { host }?.close()
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: internal

    var handshakePolicy: HandshakePolicy {
        lock.withLock { HandshakePolicy(clusterID: config.clusterID, localNode: config.localNode, members: members) }
    }

    func record(_ update: (inout TransportStats) -> Void) {
        lock.withLock { update(&statistics) }
    }

    func deliver(_ frame: Frame, from peer: NodeID) {
        lock.withLock { sink }?.receive(frame, from: peer)
    }

    func peerUnreachable(_ peer: NodeID) {
        lock.withLock { sink }?.reportUnreachable(peer)
    }

    func link(to peer: NodeID) -> PeerLink? {
        lock.withLock {
            if let link = links[peer] { return link }
            guard server != nil || sink != nil, let address = peerAddresses[peer] ?? config.peers[peer] else {
                return nil
            }
            let link = PeerLink(peer: peer, address: address, loop: group.next(), transport: self)
            links[peer] = link
            return link
        }
    }
}

extension Duration {
    /// The same span as NIO's `TimeAmount`.
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
