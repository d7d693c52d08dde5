import Raft

/// The accepting side of one peer connection, as a pure state machine: the first frame must be
/// a `hello` the policy accepts; after it, every Raft message must come from the node that
/// introduced itself and be addressed to this node (an established connection cannot speak for
/// another node).
public struct PeerSession: Sendable {
    public let policy: HandshakePolicy
    /// The authenticated peer, once the `hello` was accepted.
    public private(set) var peer: NodeID?

    public init(policy: HandshakePolicy) {
        self.policy = policy
    }

    /// Handles the connection's first frame: the `welcome` to send back, or the refusal to send
    /// before closing.
    public mutating func accept(_ first: Frame) -> Result<Frame, HandshakeRefusal> {
        guard peer == nil else {
            return .failure(HandshakeRefusal(.protocolViolation, "a second hello on an established connection"))
        }
        guard case .hello(let hello) = first else {
            return .failure(HandshakeRefusal(.protocolViolation, "the first frame must be a hello"))
        }
        if let refusal = policy.check(hello) { return .failure(refusal) }
        peer = hello.node
        return .success(.welcome(Handshake(clusterID: policy.clusterID, node: policy.localNode, peer: hello.node)))
    }

    /// Checks a frame received after the handshake; throws what to log before closing.
    public func check(_ frame: Frame) throws(HandshakeRefusal) {
        guard let peer else { throw HandshakeRefusal(.protocolViolation, "a frame before the hello") }
        switch frame {
        case .hello, .welcome, .refusal:
            throw HandshakeRefusal(.protocolViolation, "a handshake frame on an established connection")
        case .messages(let messages):
            for message in messages { try check(message, from: peer) }
        case .snapshotChunk(let chunk):
            try check(chunk.message, from: peer)
        case .proposals, .outcomes:
            break
        }
    }

    private func check(_ message: Message, from peer: NodeID) throws(HandshakeRefusal) {
        guard message.from == peer else {
            throw HandshakeRefusal(.impostor, "node \(peer) sent a message claiming to be from node \(message.from)")
        }
        guard message.to == policy.localNode else {
            throw HandshakeRefusal(
                .wrongPeer, "node \(peer) sent a message for node \(message.to) to node \(policy.localNode)")
        }
    }
}
