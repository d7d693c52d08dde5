import SandboxWire

/// Counters a transport keeps (for metrics and tests).
public struct TransportStats: Sendable, Hashable {
    /// Handshakes this node refused as the accepting side, by reason.
    public var refusedHandshakes: [HandshakeRefusal.Reason: Int] = [:]
    /// Refusals this node received when dialling, the last one kept.
    public var lastRefusalReceived: HandshakeRefusal?
    /// Inbound connections closed for an undecodable frame or a protocol violation.
    public var badFrames = 0
    /// Frames of a kind this release does not know, skipped on a connection past its handshake.
    public var unknownFrames = 0
    /// Outbound connections welcomed by their peer.
    public var welcomes = 0
    /// Outbound connections closed because the `welcome` did not prove the cluster secret
    /// (the peer has another secret, or none).
    public var unauthenticatedWelcomes = 0
    /// Connections closed because their handshake did not finish within `handshakeTimeout`
    /// (inbound: the dialler never completed it; outbound: the welcome never came).
    public var handshakeTimeouts = 0
    /// Inbound connections closed at once because `maxPendingHandshakes` others had not
    /// finished theirs.
    public var pendingHandshakesOverLimit = 0
    /// Inbound connections closed because their peer is no longer a member (`setPeers`).
    public var removedPeerConnections = 0
    /// Frames dropped because a peer's queue was full or its connection failed.
    public var droppedFrames = 0
    /// Why the Raft loop's wake-up pipe was lost, when the loop runs on the transport's event
    /// loop and it was (`EventLoopHost`): wake-ups then go as tasks scheduled for now.
    public var lostWakePipe: String?

    public init() {}
}
