import Raft

/// Who is on each end of a peer connection: the first frame each side sends. With a cluster
/// secret (`PeerAuthenticator`), the handshake also proves both ends know it: the dialler's
/// `hello` carries a fresh nonce, the `welcome` the acceptor's nonce and its proof, and the
/// dialler's second `hello` its own proof (see `PeerSession` and `HandshakeTranscript`).
public struct Handshake: Sendable, Hashable {
    /// Most bytes of a nonce or a proof on the wire.
    public static let maxAuthenticationBytes = 64

    /// The cluster the sender belongs to; a node of another cluster is refused.
    public var clusterID: String
    /// The sender's node id.
    public var node: NodeID
    /// The node id the sender expects on the other end (0 in a `welcome`).
    public var peer: NodeID
    /// The sender's fresh challenge (empty without authentication).
    public var nonce: [UInt8]
    /// The sender's answer to the other end's challenge (empty without authentication, and in
    /// the dialler's first `hello`).
    public var proof: [UInt8]

    public init(clusterID: String, node: NodeID, peer: NodeID, nonce: [UInt8] = [], proof: [UInt8] = []) {
        self.clusterID = clusterID
        self.node = node
        self.peer = peer
        self.nonce = nonce
        self.proof = proof
    }
}
