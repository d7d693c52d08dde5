import Raft

/// The accepting side of one peer connection, as a pure state machine: the first frame must be
/// a `hello` the policy accepts; after it, every Raft message must come from the node that
/// introduced itself and be addressed to this node (an established connection cannot speak for
/// another node).
///
/// With an authenticator (a cluster secret), the `welcome` carries this node's fresh nonce and
/// its proof over the dialler's nonce, and the connection is established only once a second
/// `hello` proves the dialler knows the secret too, over this connection's nonce — a proof
/// recorded on another connection is refused (`unauthenticated`).
public struct PeerSession: Sendable {
    public let policy: HandshakePolicy
    public let authenticator: (any PeerAuthenticator)?
    /// The authenticated peer, once the handshake is complete.
    public private(set) var peer: NodeID?
    /// The accepted `hello` and this node's nonce, while waiting for the dialler's proof.
    private var challenge: (hello: Handshake, nonce: [UInt8])?

    public init(policy: HandshakePolicy, authenticator: (any PeerAuthenticator)? = nil) {
        self.policy = policy
        self.authenticator = authenticator
    }

    /// Whether the `welcome` went out and the dialler's proof is awaited (`authenticate`).
    public var awaitsProof: Bool { challenge != nil }

    /// Handles the connection's first frame: the `welcome` to send back, or the refusal to send
    /// before closing.
    public mutating func accept(_ first: Frame) -> Result<Frame, HandshakeRefusal> {
        guard peer == nil, challenge == nil else {
            return .failure(HandshakeRefusal(.protocolViolation, "a second hello on an established connection"))
        }
        guard case .hello(let hello) = first else {
            return .failure(HandshakeRefusal(.protocolViolation, "the first frame must be a hello"))
        }
        if let refusal = policy.check(hello) { return .failure(refusal) }
        var welcome = Handshake(clusterID: policy.clusterID, node: policy.localNode, peer: hello.node)
        guard let authenticator else {
            peer = hello.node
            return .success(.welcome(welcome))
        }
        guard hello.nonce.count >= HandshakeTranscript.minimumNonceBytes else {
            return .failure(
                HandshakeRefusal(
                    .unauthenticated,
                    "node \(hello.node) sent no challenge: this cluster requires the cluster secret; check its --cluster-secret"
                ))
        }
        welcome.nonce = authenticator.nonce()
        welcome.proof = authenticator.code(
            for: HandshakeTranscript.welcome(
                clusterID: policy.clusterID, acceptor: policy.localNode, dialler: hello.node,
                diallerNonce: hello.nonce, acceptorNonce: welcome.nonce))
        challenge = (hello, welcome.nonce)
        return .success(.welcome(welcome))
    }

    /// Checks the dialler's proof (its second `hello`); nil when the connection is established,
    /// otherwise the refusal to send before closing.
    public mutating func authenticate(_ frame: Frame) -> HandshakeRefusal? {
        guard let authenticator, let (hello, nonce) = challenge else {
            return HandshakeRefusal(.protocolViolation, "no proof was asked for")
        }
        challenge = nil
        guard case .hello(let proof) = frame, proof.node == hello.node, proof.peer == hello.peer,
            proof.clusterID == hello.clusterID
        else {
            return HandshakeRefusal(.protocolViolation, "the frame after the welcome must be the dialler's proof")
        }
        let transcript = HandshakeTranscript.hello(
            clusterID: policy.clusterID, dialler: hello.node, acceptor: policy.localNode, acceptorNonce: nonce,
            diallerNonce: hello.nonce)
        guard authenticator.isValid(proof.proof, for: transcript) else {
            return HandshakeRefusal(
                .unauthenticated,
                "node \(hello.node) did not prove it knows the cluster secret; check its --cluster-secret")
        }
        peer = hello.node
        return nil
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
        case .proposals, .outcomes, .snapshotAbandoned:
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
