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
