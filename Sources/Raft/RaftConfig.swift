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
    /// Most ReadIndex requests waiting at a leader.
    public var maxPendingReads: Int = 4096
    /// A learner is promoted to voter only when it is at most this many entries behind the
    /// leader's commit index (so the new voter does not stall commits while it catches up).
    public var maxPromotionLag: Int = 256

    public init() {}
}

#if DEBUG
    /// Deliberately broken variants of the core, switched on one at a time by the mutation tests
    /// to prove the simulator's checker finds real bugs. Compiled only into debug builds.
    public struct Mutations: OptionSet, Sendable, Hashable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }

        /// Grant votes without checking that the candidate's log is at least as up to date.
        public static let voteWithoutLogCheck = Mutations(rawValue: 1 << 0)
        /// Commit an earlier term's entry by counting replicas (Raft paper figure 8).
        public static let commitEarlierTermByCounting = Mutations(rawValue: 1 << 1)
        /// A follower keeps a conflicting suffix instead of truncating it.
        public static let keepConflictingSuffix = Mutations(rawValue: 1 << 2)
        /// The leader answers ReadIndex at once, without confirming it is still leader.
        public static let readIndexWithoutQuorum = Mutations(rawValue: 1 << 3)
        /// Responses are sent before the entries and votes they vouch for are persisted.
        public static let sendBeforePersist = Mutations(rawValue: 1 << 4)
        /// The leader counts a quorum as half the voters (rounding down) instead of a majority.
        public static let quorumTooSmall = Mutations(rawValue: 1 << 5)
        /// A node grants its vote to every candidate of a term, not just the first.
        public static let voteTwiceInTerm = Mutations(rawValue: 1 << 6)
        /// Followers commit up to the leader's commit index even past the entries they were
        /// verified to share with the leader (uncapped heartbeat commit, append commit).
        public static let commitUnverifiedEntries = Mutations(rawValue: 1 << 7)

        public static let all: [(name: String, mutation: Mutations)] = [
            ("vote-without-log-check", .voteWithoutLogCheck),
            ("commit-earlier-term-by-counting", .commitEarlierTermByCounting),
            ("keep-conflicting-suffix", .keepConflictingSuffix),
            ("read-index-without-quorum", .readIndexWithoutQuorum),
            ("send-before-persist", .sendBeforePersist),
            ("quorum-too-small", .quorumTooSmall),
            ("vote-twice-in-term", .voteTwiceInTerm),
            ("commit-unverified-entries", .commitUnverifiedEntries),
        ]
    }
#endif

/// How one Raft node behaves. Times are in ticks; the runtime decides how long a tick is.
public struct RaftConfig: Sendable {
    /// This node's id (never 0).
    public var id: NodeID
    /// A follower that hears nothing from a leader for a randomized timeout in
    /// `[electionTicks, 2 * electionTicks)` starts an election.
    public var electionTicks: Int = 10
    /// A leader sends heartbeats every `heartbeatTicks` (must be less than `electionTicks`).
    public var heartbeatTicks: Int = 1
    /// The last index the runtime's state machine has applied (on restart).
    public var applied: UInt64 = 0
    /// Run a PreVote round before incrementing the term (a returning partitioned node does not
    /// disrupt the cluster).
    public var preVote: Bool = true
    /// A leader steps down when it has not heard from a quorum within an election timeout, and
    /// voters ignore vote requests while they hear from a leader (the leader lease).
    public var checkQuorum: Bool = true
    public var limits = RaftLimits()
    #if DEBUG
        public var mutations: Mutations = []
    #endif

    public init(id: NodeID) {
        self.id = id
    }

    /// Checks the settings; the core refuses to start with a bad configuration.
    public func validate() throws(RaftConfigError) {
        guard id != 0 else { throw .invalid("id must not be 0 (0 means no node)") }
        guard heartbeatTicks > 0 else { throw .invalid("heartbeatTicks must be positive") }
        guard electionTicks > heartbeatTicks else {
            throw .invalid("electionTicks (\(electionTicks)) must exceed heartbeatTicks (\(heartbeatTicks))")
        }
        guard limits.maxInflightMessages > 0, limits.maxInflightBytes > 0, limits.maxMessageBytes > 0 else {
            throw .invalid("flow-control limits must be positive")
        }
        guard limits.maxEntryBytes > 0, limits.maxEntriesPerProposal > 0, limits.maxPendingReads > 0,
            limits.maxPromotionLag >= 0
        else {
            throw .invalid("proposal and read limits must be positive")
        }
    }
}

/// A `RaftConfig` the core cannot run with.
public enum RaftConfigError: Error, Sendable, Hashable {
    case invalid(String)
}
