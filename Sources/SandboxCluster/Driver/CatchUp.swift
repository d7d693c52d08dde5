import Raft

/// What this node knows of how far the leader is, beyond its own commit index: a follower's
/// commit index is capped at what its log holds (a heartbeat confirms only that), so a follower
/// waiting for a snapshot, or still receiving a backlog of entries, sees its commit index
/// "applied" while it is far behind. Loop-thread state; `ClusterStatus.isCaughtUp` reads it.
struct CatchUp {
    /// The highest commit index an `.append` carried to this node (0: none yet). It is the
    /// sending leader's, and only committed entries count there, so it is never beyond what this
    /// node will apply (a heartbeat's is capped at this node's match and adds nothing).
    private(set) var leaderCommit: UInt64 = 0
    /// A leader said this node needs a snapshot to catch up (`SnapshotNeededMark`): it is
    /// behind until it has applied this index, the leader's compaction point (0: never said).
    /// Kept until then, not only while the marks come: the heartbeat between a failed transfer
    /// and Raft's next request goes unmarked.
    private(set) var snapshotIndex: UInt64 = 0

    /// Notes what `message` says of the leader; whether it raised the snapshot index (news).
    mutating func heard(_ message: Message) -> Bool {
        if message.kind == .append, message.commit > leaderCommit { leaderCommit = message.commit }
        guard let index = SnapshotNeededMark.index(in: message), index > snapshotIndex else { return false }
        snapshotIndex = index
        return true
    }

    /// Whether a node that applied up to `applied` still waits for the snapshot a leader said it
    /// needs (the compaction point only moves forward, so a later snapshot reaches it too).
    func awaitsSnapshot(applied: UInt64) -> Bool { applied < snapshotIndex }
}
