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
        let config = self.config
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.backlog, value: 128)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try PeerSocket.configure(channel, config)
                    // Small until the handshake is done (`InboundPeerHandler` raises it).
                    let limit = FrameLimit(config.handshakeFrameLimit)
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(FrameDecoder(limit: limit)))
                    try channel.pipeline.syncOperations.addHandler(
                        InboundPeerHandler(
                            session: PeerSession(policy: self.handshakePolicy, authenticator: self.authenticator),
                            transport: self, limit: limit))
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
    /// Connections from a peer no longer listed are closed too: a removed node that stays up
    /// delivers nothing more over the connection it had.
    public func setPeers(_ peers: [NodeID: PeerAddress]) {
        let (stale, removed): ([PeerLink], [any Channel]) = lock.withLock {
            members = Set(peers.keys)
            let stale = links.filter { peers[$0.key] != $0.value.address }.map(\.value)
            for link in stale { links[link.peer] = nil }
            peerAddresses = peers
            let removed = inbound.filter { $0.value.peer.map { !members.contains($0) } ?? false }
            for key in removed.keys { inbound[key] = nil }
            statistics.removedPeerConnections += removed.count
            return (stale, removed.values.map(\.channel))
        }
        for link in stale { link.close() }
        for channel in removed { channel.close(promise: nil) }
    }

    /// The inbound connections open now, with their peer once their handshake is done
    /// (guarded by `lock`).
    private var inbound: [ObjectIdentifier: (channel: any Channel, peer: NodeID?)] = [:]
    /// How many of them have not finished their handshake (guarded by `lock`).
    private var pendingHandshakes = 0
    /// Set by `shutdown()` (guarded by `lock`): connections accepted after it are closed.
    private var stopped = false

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
        let (server, links, accepted) = lock.withLock {
            let taken = (self.server, Array(self.links.values), inbound.values.map(\.channel))
            self.server = nil
            self.links = [:]
            stopped = true
            inbound = [:]
            pendingHandshakes = 0
            sink = nil
            return taken
        }
        for link in links { link.close() }
        // Accepted connections too: on an event loop group of someone else's they outlive it.
        for channel in accepted { channel.close(promise: nil) }
        try? await server?.close()
        lock.withLock { host }?.close()
        if ownsGroup { try? await group.shutdownGracefully() }
    }

    // MARK: internal

    var handshakePolicy: HandshakePolicy {
        lock.withLock { HandshakePolicy(clusterID: config.clusterID, localNode: config.localNode, members: members) }
    }

    /// An inbound connection opened: false (close it) when `maxPendingHandshakes` others
    /// have not finished their handshake, or the transport is shut down.
    func admitInbound(_ channel: any Channel) -> Bool {
        lock.withLock {
            guard !stopped, pendingHandshakes < config.maxPendingHandshakes else {
                statistics.pendingHandshakesOverLimit += 1
                return false
            }
            pendingHandshakes += 1
            inbound[ObjectIdentifier(channel)] = (channel, nil)
            return true
        }
    }

    /// An admitted inbound connection finished its handshake with `peer`.
    func inboundEstablished(_ channel: any Channel, peer: NodeID) {
        let removed: Bool = lock.withLock {
            let key = ObjectIdentifier(channel)
            guard inbound[key] != nil else { return false }
            pendingHandshakes -= 1
            guard members.contains(peer) else {  // removed while it shook hands
                inbound[key] = nil
                return true
            }
            inbound[key]?.peer = peer
            return false
        }
        if removed { channel.close(promise: nil) }
    }

    /// An admitted inbound connection closed.
    func inboundClosed(_ channel: any Channel) {
        lock.withLock {
            guard let entry = inbound.removeValue(forKey: ObjectIdentifier(channel)) else { return }
            if entry.peer == nil { pendingHandshakes -= 1 }
        }
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
