import Raft

/// Why an accepting node refused a connection, sent back to the connecting node.
public struct HandshakeRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Reason: UInt8, Sendable, Hashable, CaseIterable {
        /// The connecting node belongs to another cluster.
        case foreignCluster = 1
        /// The connecting node claims an id that is not a member of this cluster.
        case unknownNode = 2
        /// The connecting node claims this node's own id (an impostor, or a node dialling itself).
        case impostor = 3
        /// The connecting node meant to reach another node id.
        case wrongPeer = 4
        /// The first frame was not a `hello`, or a handshake frame came out of turn (a frame that
        /// does not decode closes the connection without a refusal).
        case protocolViolation = 5
        /// The connecting node did not prove it knows the cluster secret (wrong secret, none,
        /// or a proof recorded on another connection).
        case unauthenticated = 6
    }

    public var reason: Reason
    public var message: String

    public init(_ reason: Reason, _ message: String) {
        self.reason = reason
        self.message = message
    }

    public var description: String { "peer connection refused (\(reason)): \(message)" }
}
