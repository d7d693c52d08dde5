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
