import Raft

/// What became of one forwarded proposal at the leader.
public enum ProposalOutcome: Sendable, Hashable {
    /// Appended to the leader's log at `index` in `term`. The forwarding node answers its client
    /// once it has applied `index` itself and the entry there has `term` (otherwise the entry was
    /// replaced by a later leader: the outcome is unknown to the client, which retries).
    case accepted(index: UInt64, term: UInt64)
    /// Refused by the leader; nothing was appended.
    case refused(ProposalRefusal)
}

/// Why a leader refused a forwarded proposal.
public struct ProposalRefusal: Sendable, Hashable {
    public enum Code: UInt8, Sendable, Hashable, CaseIterable {
        /// The receiver is not the leader (any more); `leader` is the one it knows of, or 0.
        case notLeader = 1
        /// A leadership transfer is under way.
        case transferInProgress = 2
        /// The leader is overloaded (too many uncommitted bytes, a full queue); back off.
        case overloaded = 3
        /// The proposal itself is unacceptable (too large, too many at once).
        case invalid = 4
        /// The leader's node has stopped (a storage failure).
        case stopped = 5
    }

    public var code: Code
    public var leader: NodeID
    public var message: String

    public init(_ code: Code, leader: NodeID = 0, message: String) {
        self.code = code
        self.leader = leader
        self.message = message
    }
}
