import Raft

extension SandboxNode {
    /// The Raft settings of a node. A lagging follower or a new learner is fed from the log on
    /// the driver's loop thread: each of its append answers refills its window, read from RocksDB
    /// with every entry's checksum checked, and the committed entries handed out for applying are
    /// read there too. With the core's defaults (32 MiB in flight per follower, 16 MiB per
    /// `Ready`) one such step held a debug build's loop for 3 to 30 s — past the election
    /// timeout: the others elected a new leader while the stalled one still reported itself
    /// leading, and membership calls forwarded to it waited (chaos/README.md, "Findings").
    /// Steps of at most 2 MiB (256 KiB messages) and 4 MiB keep the loop turning; on a LAN they
    /// cost no throughput (eight messages in flight per follower).
    static func raftConfig(nodeID: NodeID) -> RaftConfig {
        var raft = RaftConfig(id: nodeID)
        raft.electionTicks = 10
        raft.limits.maxMessageBytes = 256 << 10
        raft.limits.maxInflightBytes = 2 << 20
        raft.limits.maxCommittedBytesPerReady = 4 << 20
        return raft
    }
}
