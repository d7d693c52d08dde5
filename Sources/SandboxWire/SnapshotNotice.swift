/// Which snapshot stream a `snapshotAbandoned` frame (follower to leader) is about: the term of
/// the leader that streamed it and the snapshot's index. The follower dropped that stream (a chunk
/// dropped by its full inbox): the leader stops waiting for its install and streams again after
/// its retry wait.
public struct SnapshotNotice: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64

    public init(term: UInt64, index: UInt64) {
        self.term = term
        self.index = index
    }
}
