import Raft

/// A node's view of the cluster, published by the driver after each loop iteration.
public struct ClusterStatus: Sendable, Hashable {
    public var node: NodeID
    public var role: RaftRole
    public var leader: NodeID
    public var term: UInt64
    public var commitIndex: UInt64
    public var appliedIndex: UInt64
    public var firstIndex: UInt64
    public var lastIndex: UInt64
    public var membership: ConfState
    /// Log writes (entries and hard state, one write each) and the entries they carried: with
    /// group commit, far fewer writes than entries under concurrent load.
    public var logWrites: UInt64 = 0
    /// Those of `logWrites` that waited for the disk (fdatasync): every write with entries or a
    /// new term or vote; a hard state that only moves the commit index is written unsynced.
    public var syncedLogWrites: UInt64 = 0
    public var entriesWritten: UInt64 = 0
    /// Set once the node stopped (shut down or failed), with why.
    public var stopped: String?

    public init(node: NodeID) {
        self.node = node
        role = .follower
        leader = 0
        term = 0
        commitIndex = 0
        appliedIndex = 0
        firstIndex = 0
        lastIndex = 0
        membership = ConfState()
    }
}
