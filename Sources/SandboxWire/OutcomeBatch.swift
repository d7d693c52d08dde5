/// The leader's answer to a forwarded `ProposalBatch`.
public struct OutcomeBatch: Sendable, Hashable {
    public var id: UInt64
    public var outcomes: [ProposalOutcome]

    public init(id: UInt64, outcomes: [ProposalOutcome]) {
        self.id = id
        self.outcomes = outcomes
    }
}
