/// Where a poll of the voters stands: an election, a pre-vote, or "has a quorum been active".
enum VoteResult: Sendable, Hashable {
    /// Not decided: enough voters have not answered to go either way.
    case pending
    /// A quorum can no longer say yes.
    case lost
    /// A quorum said yes.
    case won
}
