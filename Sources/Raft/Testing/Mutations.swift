/// Deliberately broken variants of the core (and of the simulated runtime), switched on one at
/// a time by the mutation tests and `raft-sim --mutation` to prove the simulator's checks find
/// real bugs.
///
/// Reached only through the `Testing` SPI (`@_spi(Testing) import Raft`): the public API is the
/// same in debug and release builds, and the core consults the switches in one place,
/// `MutationSeam` (see `Testing/MutationSeam.swift`).
@_spi(Testing) public struct Mutations: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Grant votes without checking that the candidate's log is at least as up to date.
    public static let voteWithoutLogCheck = Mutations(rawValue: 1 << 0)
    /// Commit an earlier term's entry by counting replicas (Raft paper figure 8).
    public static let commitEarlierTermByCounting = Mutations(rawValue: 1 << 1)
    /// A follower keeps a conflicting suffix instead of truncating it.
    public static let keepConflictingSuffix = Mutations(rawValue: 1 << 2)
    /// The leader answers ReadIndex at once, without the heartbeat round confirming it leads.
    public static let readIndexWithoutQuorum = Mutations(rawValue: 1 << 3)
    /// The core puts votes and append acknowledgements in `messages` instead of
    /// `messagesAfterPersist`: they leave before what they vouch for is durable.
    public static let sendBeforePersist = Mutations(rawValue: 1 << 4)
    /// The leader counts a quorum as half the voters (rounding down) instead of a majority.
    public static let quorumTooSmall = Mutations(rawValue: 1 << 5)
    /// A node grants its vote to every candidate of a term, not just the first.
    public static let voteTwiceInTerm = Mutations(rawValue: 1 << 6)
    /// Followers commit up to the leader's commit index even past the last entry known to match
    /// the leader's log (uncapped heartbeat commit, append commit).
    public static let commitUnverifiedEntries = Mutations(rawValue: 1 << 7)
    /// A follower accepts an append from a leader of an older term.
    public static let acceptAppendFromOlderTerm = Mutations(rawValue: 1 << 8)
    /// A leader never steps down when it has not heard from a quorum (CheckQuorum ignored).
    public static let leaderIgnoresCheckQuorum = Mutations(rawValue: 1 << 9)
    /// The simulated runtime (not the core) sends `messagesAfterPersist` before persisting.
    public static let runtimeSendsBeforePersist = Mutations(rawValue: 1 << 10)
    /// A follower's heartbeat answer states the index it acknowledged to the leader even where
    /// its log is not durable yet (uncapped by the stable index).
    public static let heartbeatVouchesUnpersisted = Mutations(rawValue: 1 << 11)
    /// The simulated runtime applies every committed entry before persisting the `Ready`, not
    /// only its `durableCommittedCount` (an entry the batch itself persists is applied first).
    public static let runtimeAppliesBeforePersist = Mutations(rawValue: 1 << 12)

    /// Every mutation with its command-line name, in a fixed order.
    public static let all: [(name: String, mutation: Mutations)] = [
        ("vote-without-log-check", .voteWithoutLogCheck),
        ("commit-earlier-term-by-counting", .commitEarlierTermByCounting),
        ("keep-conflicting-suffix", .keepConflictingSuffix),
        ("read-index-without-quorum", .readIndexWithoutQuorum),
        ("send-before-persist", .sendBeforePersist),
        ("quorum-too-small", .quorumTooSmall),
        ("vote-twice-in-term", .voteTwiceInTerm),
        ("commit-unverified-entries", .commitUnverifiedEntries),
        ("accept-append-from-older-term", .acceptAppendFromOlderTerm),
        ("leader-ignores-check-quorum", .leaderIgnoresCheckQuorum),
        ("runtime-sends-before-persist", .runtimeSendsBeforePersist),
        ("heartbeat-vouches-unpersisted", .heartbeatVouchesUnpersisted),
        ("runtime-applies-before-persist", .runtimeAppliesBeforePersist),
    ]

    /// The mutation called `name` on the command line.
    public init?(named name: String) {
        guard let found = Self.all.first(where: { $0.name == name }) else { return nil }
        self = found.mutation
    }
}
