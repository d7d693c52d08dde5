/// A node's role.
public enum RaftRole: Sendable, Hashable {
    case follower
    case preCandidate
    case candidate
    case leader
}
