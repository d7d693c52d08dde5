/// Proposals a follower forwards to the leader in one frame. The leader answers with an
/// `OutcomeBatch` carrying the same `id`, one outcome per proposal, in order.
public struct ProposalBatch: Sendable, Hashable {
    /// Chosen by the forwarding node to match the answer to the batch.
    public var id: UInt64
    /// The commands, opaque to Raft and to the codec.
    public var proposals: [[UInt8]]

    public init(id: UInt64, proposals: [[UInt8]]) {
        self.id = id
        self.proposals = proposals
    }
}
