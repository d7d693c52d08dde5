/// Limits on everything the core queues or sends (TigerStyle: a bound on every size).
public struct RaftLimits: Sendable, Hashable {
    /// Largest payload of one entry.
    public var maxEntryBytes: Int = 1 << 20
    /// Most entries one `propose(batch:)` call may carry.
    public var maxEntriesPerProposal: Int = 4096
    /// Most entry bytes in one append message (at least one entry is always sent).
    public var maxMessageBytes: Int = 1 << 20
    /// Most append messages in flight to one follower in the replicate state.
    public var maxInflightMessages: Int = 256
    /// Most entry bytes in flight to one follower in the replicate state.
    public var maxInflightBytes: Int = 32 << 20
    /// Most bytes of uncommitted entries a leader accepts before refusing proposals.
    public var maxUncommittedBytes: Int = 64 << 20
    /// Most bytes of committed entries handed out in one `Ready` (at least one entry).
    public var maxCommittedBytesPerReady: Int = 16 << 20
    /// Most bytes of committed entries handed out for applying and not yet acknowledged as
    /// applied (`RaftNode.acknowledgeApplied`): beyond it no more are handed out until the
    /// runtime catches up (a runtime that applies on its own thread queues at most this much,
    /// plus one `Ready`'s worth).
    public var maxUnappliedBytes: Int = 64 << 20
    /// Most ReadIndex requests waiting at a leader.
    public var maxPendingReads: Int = 4096
    /// A learner is promoted to voter only when it is at most this many entries behind the
    /// leader's commit index (so the new voter does not stall commits while it catches up).
    public var maxPromotionLag: Int = 256

    public init() {}
}
