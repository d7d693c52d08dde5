/// Why the core refused a proposal, a read or a transfer. Nothing is dropped silently: a caller
/// either gets one of these or its request is in the log / read queue.
public enum RaftError: Error, Sendable, Hashable {
    /// This node is not the leader; `leader` is the leader it knows of (send the request there).
    case notLeader(leader: NodeID)
    /// No leader is known (an election is under way); retry after a short wait.
    case noLeader
    /// A leadership transfer to `target` is under way; retry once it completes or times out.
    case transferInProgress(target: NodeID)
    /// An entry's payload exceeds `RaftLimits.maxEntryBytes`.
    case entryTooLarge(size: Int, limit: Int)
    /// More entries in one proposal than `RaftLimits.maxEntriesPerProposal`.
    case batchTooLarge(count: Int, limit: Int)
    /// The leader holds `RaftLimits.maxUncommittedBytes` of uncommitted entries; back off.
    case tooManyUncommitted(limit: Int)
    /// A membership change at `index` is not applied yet; only one may be in flight.
    case configChangePending(index: UInt64)
    /// The membership change does not fit the current configuration.
    case invalidConfChange(String)
    /// The learner to promote lags more than `RaftLimits.maxPromotionLag` entries behind the
    /// leader's commit index; retry once it has caught up.
    case learnerNotCaughtUp(node: NodeID, match: UInt64, commit: UInt64)
    /// More than `RaftLimits.maxPendingReads` reads are waiting; back off.
    case tooManyPendingReads(limit: Int)
    /// The target of a leadership transfer is not a voter of the current configuration.
    case notAVoter(NodeID)
    /// The node's storage failed a read (what failed, and the storage's error) other than a
    /// compacted or unavailable position. The node has stopped (see `RaftNode.failure`): report
    /// it, repair or replace the storage, and restart the node.
    case storageFailed(String)
}
