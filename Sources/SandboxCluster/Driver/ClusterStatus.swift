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
    /// The highest commit index a leader's append carried to this node (0: none yet): ahead of
    /// `commitIndex` while entries are still on their way (a follower commits only what it holds).
    public var leaderCommitIndex: UInt64 = 0
    /// This node waits for a snapshot: a leader said it needs one (until it has applied the
    /// leader's compaction point), or one is being received.
    public var awaitsSnapshot = false
    /// Writes, syncs and snapshot transfers since the driver started.
    public var counters = DriverCounters()
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

    /// Whether this node is caught up with the leader and serving: a leader is known, nothing
    /// stopped, no snapshot awaited, and it has applied the commit index it knows of (its own,
    /// or the one a leader's append carried), but for at most `lag` entries. Without the
    /// snapshot and the leader's commit, a follower waiting for a snapshot looked caught up: its
    /// commit index is the stale match the leader's heartbeats confirm (issue 11).
    public func isCaughtUp(within lag: UInt64) -> Bool {
        let known = max(commitIndex, leaderCommitIndex)
        return stopped == nil && leader != 0 && !awaitsSnapshot && known &- min(known, appliedIndex) <= lag
    }
}
