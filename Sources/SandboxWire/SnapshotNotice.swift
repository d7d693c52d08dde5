/// Which snapshot stream a `snapshotAbandoned` frame (follower to leader) is about: the term of
/// the leader that streamed it, the snapshot's index and, from a leader that numbers its streams,
/// the stream's number. The follower dropped or refused that stream (a chunk dropped by its full
/// inbox, a chunk it cannot install, a snapshot it does not take, the size cap): the leader stops
/// waiting for its install and streams again after its retry wait.
///
/// Term and index alone name a snapshot, not a stream: a late notice about one stream would
/// also match the leader's next stream of the same snapshot. `stream` tells them apart. It is nil
/// for a stream from a leader of an earlier release (its chunks carry no number) and in a notice
/// from a follower of an earlier release; the frame's kind says which (docs/cluster.md, "Wire
/// format": kind 8 without a stream, kind 9 with one).
public struct SnapshotNotice: Sendable, Hashable {
    public var term: UInt64
    public var index: UInt64
    /// The leader's number for the stream (nil: not numbered).
    public var stream: UInt64?

    public init(term: UInt64, index: UInt64, stream: UInt64? = nil) {
        self.term = term
        self.index = index
        self.stream = stream
    }
}
