import Raft

/// What an accepting node checks in a `hello` before it reads anything else from the connection.
public struct HandshakePolicy: Sendable, Hashable {
    public var clusterID: String
    public var localNode: NodeID
    /// The node ids allowed to connect (the members and the peers being added).
    public var members: Set<NodeID>

    public init(clusterID: String, localNode: NodeID, members: Set<NodeID>) {
        self.clusterID = clusterID
        self.localNode = localNode
        self.members = members
    }

    /// The refusal to send back, or nil when the connection may proceed.
    public func check(_ hello: Handshake) -> HandshakeRefusal? {
        guard hello.clusterID == clusterID else {
            return HandshakeRefusal(
                .foreignCluster,
                "node \(hello.node) belongs to cluster '\(hello.clusterID)', this is cluster '\(clusterID)'; "
                    + "check its --cluster-id and --peers")
        }
        guard hello.node != localNode else {
            return HandshakeRefusal(
                .impostor, "a peer claims this node's own id \(localNode); check its --node-id")
        }
        guard hello.peer == localNode else {
            return HandshakeRefusal(
                .wrongPeer,
                "node \(hello.node) dialled node \(hello.peer) but reached node \(localNode); check its --peers")
        }
        guard members.contains(hello.node) else {
            return HandshakeRefusal(
                .unknownNode,
                "node \(hello.node) is not a member of cluster '\(clusterID)' (members: "
                    + "\(members.sorted())); add it with a membership change first")
        }
        return nil
    }
}
