/// Volatile state a runtime may want to report (not persisted).
public struct SoftState: Sendable, Hashable {
    public var leader: NodeID
    public var role: RaftRole
}
