import Raft
import SandboxWire

/// How a node's TCP transport listens, whom it dials and the bounds of its queues.
public struct TCPTransportConfig: Sendable {
    public var clusterID: String
    public var localNode: NodeID
    /// Where to listen for peers (port 0: any free port; `TCPPeerTransport.port` tells which).
    public var listenHost: String = "127.0.0.1"
    public var listenPort: Int = 0
    /// The other members and where they listen.
    public var peers: [NodeID: PeerAddress] = [:]
    /// Most frames queued for one peer (waiting for a connection or for the socket)...
    public var maxQueuedFrames: Int = 4096
    /// ...and most bytes; beyond either, `send` drops the frame and returns false.
    public var maxQueuedBytes: Int = 64 << 20
    /// How long a snapshot sender waits for room in a full queue before giving up.
    public var snapshotQueueWait: Duration = .seconds(10)
    public var connectTimeout: Duration = .seconds(1)
    /// How long a connection may take, from its accept or connect, to finish its handshake
    /// (with a cluster secret, the proofs both ways); then it is closed (the dialler retries).
    /// A peer that accepts and never answers, or a stranger that connects and sends nothing,
    /// holds nothing longer than this.
    public var handshakeTimeout: Duration = .seconds(10)
    /// Most inbound connections at once that have not finished their handshake; one more is
    /// closed at once.
    public var maxPendingHandshakes: Int = 64
    /// Largest frame read before the handshake is done (a `hello` is a few hundred bytes, a
    /// refusal at most its 4 KiB of text): a stranger cannot make a node buffer a 40 MiB frame.
    public var maxHandshakeFrameBytes: Int = 8 << 10
    /// The frame limit in force until the handshake is done (never above the wire's own).
    var handshakeFrameLimit: Int { min(maxHandshakeFrameBytes, wire.maxFrameBytes) }
    /// How long sent bytes may stay unacknowledged before the kernel ends the connection
    /// (`TCP_USER_TIMEOUT`): a peer whose host died or was cut off is noticed and redialled,
    /// instead of the link writing into a dead socket for TCP's default of about 15 minutes.
    public var unacknowledgedTimeout: Duration = .seconds(20)
    /// TCP keepalive on every peer connection (an idle one included): the first probe after
    /// `keepaliveIdle` without traffic, then one every `keepaliveInterval`, `keepaliveProbes` of
    /// them, before the kernel ends it (whole seconds).
    public var keepaliveIdle: Duration = .seconds(10)
    public var keepaliveInterval: Duration = .seconds(5)
    public var keepaliveProbes: Int = 3
    public var backoff = ReconnectBackoff()
    /// Seed of the reconnect jitter (draw it from the system generator in production).
    public var seed: UInt64 = 0
    public var wire = WireLimits()
    /// The cluster secret every member shares: with one, both ends of every peer connection
    /// prove they know it (HMAC-SHA256 challenge-response in the handshake) before any frame is
    /// delivered; a peer without it is refused (`unauthenticated`). Nil: no authentication
    /// (keep the peer port on a private network). It authenticates, it does not encrypt: TLS
    /// comes with deployment.
    public var clusterSecret: [UInt8]?
    /// Where the handshake's nonces come from (16 random bytes from the system generator;
    /// tests inject their own).
    public var nonceGenerator: @Sendable () -> [UInt8] = {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }

    public init(clusterID: String, localNode: NodeID) {
        self.clusterID = clusterID
        self.localNode = localNode
    }
}
