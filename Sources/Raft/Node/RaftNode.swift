/// One Raft node: a pure state machine in the style of etcd's raft library.
///
/// Drive it with `tick()` (time), `step(_:)` (messages from peers), `propose`, `readIndex`,
/// `proposeConfChange` and `transferLeadership(to:)`. Whenever `hasReady` is true, take a
/// `ready()`, carry it out in the documented order (see `Ready`), then call `advance(_:)`.
/// It does no I/O, reads no clock and draws randomness only from the generator it is given.
///
/// The stored properties are `@exclusivity(unchecked)`: a node is used from one thread at a time and
/// no method holds overlapping accesses to one of them; the dynamic checks cost about a third of
/// the core's CPU time at batch 1 (`bench/raft`). The same holds for `RaftLog`, `Progress` and
/// `MemoryLogStorage`.
public final class RaftNode {
    public let id: NodeID
    let config: RaftConfig
    let log: RaftLog
    let invariants: InvariantMonitor
    /// Test-only switches (mutations, recording invariant violations): `.production` unless the
    /// node was built through the `Testing` SPI.
    let seam: MutationSeam
    @exclusivity(unchecked) var random: any RandomNumberGenerator

    @exclusivity(unchecked) public internal(set) var term: UInt64 = 0
    /// The node voted for in `term` (0: none).
    @exclusivity(unchecked) public internal(set) var vote: NodeID = 0
    /// The leader this node follows (0: unknown).
    @exclusivity(unchecked) public internal(set) var leader: NodeID = 0
    @exclusivity(unchecked) public internal(set) var role: RaftRole = .follower

    @exclusivity(unchecked) var voters: [NodeID] = []
    /// The voters as a quorum: every majority count goes through it (`updateMajority()` after
    /// `voters` changes).
    @exclusivity(unchecked) var majority = MajorityConfig([])
    @exclusivity(unchecked) var learners: [NodeID] = []
    @exclusivity(unchecked) var progress: ProgressMap = [:]
    /// Every member except this node, in id order (messages go out in a deterministic order).
    @exclusivity(unchecked) var peers: [NodeID] = []
    @exclusivity(unchecked) var votes: [NodeID: Bool] = [:]

    @exclusivity(unchecked) var electionElapsed = 0
    @exclusivity(unchecked) var heartbeatElapsed = 0
    @exclusivity(unchecked) var randomizedElectionTimeout = 0

    /// The node leadership is being transferred to (0: none).
    @exclusivity(unchecked) public internal(set) var transferTarget: NodeID = 0
    /// The index of the latest membership change proposed; a new one waits until it is applied.
    @exclusivity(unchecked) var pendingConfIndex: UInt64 = 0
    @exclusivity(unchecked) var uncommittedBytes = 0
    /// Set by proposals: the next `ready()` sends the new entries in one append per follower.
    @exclusivity(unchecked) var needsBroadcast = false
    /// As a follower: the highest index this node acknowledged to `leader` in `term` (an append
    /// it accepted). Its log matches that leader's up to there for the rest of the term, so an
    /// empty append ending there goes unanswered and heartbeat answers carry it (docs/raft.md,
    /// "Answers that carry nothing").
    @exclusivity(unchecked) var acknowledgedAppend = AcknowledgedAppend()

    @exclusivity(unchecked) var outbox: [Message] = []
    @exclusivity(unchecked) var outboxAfterPersist: [Message] = []
    @exclusivity(unchecked) var readStates: [ReadState] = []
    @exclusivity(unchecked) var reads = ReadQueue()

    @exclusivity(unchecked) var previousHardState: HardState
    /// Whether a `Ready` has carried `failure` to the runtime.
    @exclusivity(unchecked) var failureReported = false
    @exclusivity(unchecked) var previousSoftState: SoftState

    /// Creates a node from what `storage` holds (empty for a new node). `random` supplies the
    /// election timeout jitter; pass a seeded generator for reproducible runs.
    public convenience init(config: RaftConfig, storage: any RaftLogStorage, random: some RandomNumberGenerator)
        throws(RaftConfigError)
    {
        try self.init(config: config, storage: storage, random: random, seam: .production)
    }

    /// Creates a node whose election jitter comes from a generator seeded with `seed`.
    public convenience init(config: RaftConfig, storage: any RaftLogStorage, seed: UInt64) throws(RaftConfigError) {
        try self.init(config: config, storage: storage, random: SplitMix64(seed: seed), seam: .production)
    }

    /// A node wired to a test seam: mutations switched on, invariant violations recorded
    /// instead of stopping the process (the simulator and the tests; see `MutationSeam`).
    @_spi(Testing) public convenience init(
        config: RaftConfig, storage: any RaftLogStorage, seed: UInt64, seam: MutationSeam
    ) throws(RaftConfigError) {
        try self.init(config: config, storage: storage, random: SplitMix64(seed: seed), seam: seam)
    }

    init(config: RaftConfig, storage: any RaftLogStorage, random: some RandomNumberGenerator, seam: MutationSeam)
        throws(RaftConfigError)
    {
        try config.validate()
        id = config.id
        self.config = config
        self.seam = seam
        invariants = InvariantMonitor(recordsInsteadOfStopping: seam.recordsViolations)
        self.random = random
        do {
            log = try RaftLog(storage: storage, invariants: invariants, seam: seam)
        } catch {
            throw .invalid("cannot read the log's first and last index from storage: \(error)")
        }
        let (hardState, confState): (HardState, ConfState)
        do {
            (hardState, confState) = try storage.initialState()
        } catch {
            throw .invalid("cannot read the initial state from storage: \(error)")
        }
        previousHardState = hardState
        previousSoftState = SoftState(leader: 0, role: .follower)
        if hardState != .empty {
            // A commit index below the snapshot is fine (the snapshot is committed by
            // definition); one beyond the stored log is not.
            guard hardState.commit <= log.lastIndex() else {
                throw .invalid(
                    "stored commit index \(hardState.commit) is beyond the stored log's last index \(log.lastIndex())")
            }
            log.commitTo(hardState.commit)
            term = hardState.term
            vote = hardState.vote
        }
        if config.applied > log.applied {
            guard config.applied <= log.committed else {
                throw .invalid("applied index \(config.applied) is beyond the commit index \(log.committed)")
            }
            log.recoverApplied(config.applied)
        }
        setConfiguration(confState)
        becomeFollower(term: term, leader: 0)
        previousSoftState = softState
    }

    // MARK: - Read-only views

    public var softState: SoftState { SoftState(leader: leader, role: role) }
    public var hardState: HardState { HardState(term: term, vote: vote, commit: log.committed) }
    public var commitIndex: UInt64 { log.committed }
    public var appliedIndex: UInt64 { log.applied }
    /// The last index handed out for applying (`Ready.committedEntries`), applied or not yet.
    public var applyingIndex: UInt64 { log.applying }
    public var lastIndex: UInt64 { log.lastIndex() }
    public var firstIndex: UInt64 { log.firstIndex() }
    /// The term of the entry at `index` in this node's log (nil when compacted or absent).
    public func term(at index: UInt64) -> UInt64? { log.term(at: index) }
    /// Entries `[low, high)` of this node's log, or nil when compacted.
    public func entries(from low: UInt64, to high: UInt64) -> [Entry]? {
        guard low <= high, high <= log.lastIndex() + 1 else { return nil }
        if case .success(let entries) = log.entries(from: low, to: high, maxBytes: .max) { return entries }
        return nil
    }
    public var confState: ConfState { ConfState(voters: voters, learners: learners) }
    /// The replication state the leader keeps for `node` (nil when not leader or unknown).
    public func replicationState(of node: NodeID) -> (state: ReplicationState, match: UInt64, next: UInt64)? {
        guard role == .leader, let pr = progress[node] else { return nil }
        return (pr.state, pr.match, pr.next)
    }
    /// The first broken invariant, recorded when the node was built through the `Testing` SPI
    /// with `MutationSeam.recordsViolations` (a production node stops the process instead).
    public var invariantViolation: String? { invariants.violation }

    /// Set when the storage failed a read other than a compacted or unavailable position (a
    /// broken disk, a closed store). The node has then stopped: it ignores ticks and messages,
    /// refuses requests with this error, and its next `Ready` carries only the failure — what
    /// it had not handed out yet is dropped, as in a crash. Report it, then stop the node.
    public var failure: RaftError? { invariants.storageFailure.map { .storageFailed($0) } }

    /// Throws `failure`, if any: every request checks it first.
    func checkRunning() throws(RaftError) {
        if let failure { throw failure }
    }

    var isPromotable: Bool { voters.contains(id) }

    /// Rebuilds `majority` after `voters` changed.
    func updateMajority() {
        majority = seam.majority(of: voters)
    }

}
