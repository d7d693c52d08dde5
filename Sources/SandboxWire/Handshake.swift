import Raft

/// Who is on each end of a peer connection: the first frame each side sends.
public struct Handshake: Sendable, Hashable {
    /// The cluster the sender belongs to; a node of another cluster is refused.
    public var clusterID: String
    /// The sender's node id.
    public var node: NodeID
    /// The node id the sender expects on the other end (0 in a `welcome`).
    public var peer: NodeID

    public init(clusterID: String, node: NodeID, peer: NodeID) {
        self.clusterID = clusterID
        self.node = node
        self.peer = peer
    }
}
