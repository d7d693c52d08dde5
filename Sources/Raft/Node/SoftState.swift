/// A node's role.
public enum RaftRole: Sendable, Hashable {
    case follower
    case preCandidate
    case candidate
    case leader
}

/// Volatile state a runtime may want to report (not persisted).
public struct SoftState: Sendable, Hashable {
    public var leader: NodeID
    public var role: RaftRole
}
