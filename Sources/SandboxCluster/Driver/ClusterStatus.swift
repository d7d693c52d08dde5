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
}
