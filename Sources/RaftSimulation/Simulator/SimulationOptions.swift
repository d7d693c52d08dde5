@_spi(Testing) import Raft

/// What one simulated run does.
public struct SimulationOptions: Sendable {
    /// Initial voters (3, 5 or 7 in practice).
    public var nodes: Int = 3
    /// Extra node ids that membership changes may add as learners and promote (the membership
    /// may shrink below the initial voters and grow back from these).
    public var spareNodes: Int = 3
    /// Random events in the faulty phase; a liveness phase follows.
    public var steps: Int = 3000
    /// Ticks the healed cluster gets to elect a leader and commit a proposal everywhere.
    public var livenessTicks: Int = 400
    public var electionTicks: Int = 6
    public var preVote = true
    public var checkQuorum = true
    /// Membership changes remove voters down to this many (nil: the initial voter count).
    public var minimumVoters: Int?
    /// Draw PreVote, CheckQuorum, `electionTicks` and `minimumVoters` from the seed (each option
    /// on and off, timeouts of 6, 8, 12 or 16 ticks, shrinking to 1 or 2 voters or not at all).
    public var varyConfigurationWithSeed = true
    /// A paused node (a fault event: no steps, ticks or Readies; messages to it held) resumes
    /// after this many steps — many election timeouts.
    public var pauseSteps: ClosedRange<Int> = 300...2000
    /// Messages held back, in per mille of deliveries: half of them for `shortDelaySteps` (they
    /// arrive after newer messages of a newer leader), half for `delaySteps` (across elections).
    public var delayPerMille: Int = 30
    public var shortDelaySteps: ClosedRange<Int> = 10...150
    public var delaySteps: ClosedRange<Int> = 200...3000
    /// In per mille of deliveries: the network delivers instead a copy of an append a leader
    /// of an older term sent earlier (to a node that has not committed past it).
    public var replayPerMille: Int = 20
    /// Each node's clock rate, in percent of the nominal rate, drawn from this range. The design
    /// assumes an election timeout well above a heartbeat round trip on every clock; rates up to
    /// 2x apart with timeouts of at least 6 ticks keep to that in this network (4 ticks at 126%
    /// made a leader lose CheckQuorum before its first round trip, over and over).
    public var clockRatePercent: ClosedRange<Int> = 70...140
    /// Asymmetric (one-way) partitions that last this many steps in `longPartitionPercent` of
    /// cases: no heal or new partition before they end.
    public var longPartitionPercent: Int = 30
    public var longPartitionSteps: ClosedRange<Int> = 1000...3000
    /// Availability: a leader that has not heard from a quorum (CheckQuorum on) must step down
    /// within two election timeouts of its own ticks, and a connected quorum must commit within
    /// `commitWindowTicks` ticks of its slowest member.
    public var checksAvailability = true
    /// Message faults, in percent of deliveries.
    public var dropPercent: Int = 5
    public var duplicatePercent: Int = 3
    /// Crash a node at a random point of handling a `Ready`, in per mille.
    public var crashDuringReadyPerMille: Int = 25
    /// A crashed node is restarted after this many steps (unless a restart fault comes first).
    public var restartDelay: ClosedRange<Int> = 20...400
    /// Turn off partitions, crashes, membership changes and transfers.
    public var faults: Bool = true
    /// Where the nodes persist: a new factory for every run (Raft's `MemoryLogStorage` by
    /// default; `RaftSimulationRocksDB` runs on the RocksDB store in a temporary directory).
    public var nodeStores: @Sendable () throws -> any NodeStoreFactory = { MemoryNodeStoreFactory() }
    /// Compact a node's log once it has applied this many entries past its snapshot.
    public var compactionThreshold: UInt64 = 24
    /// Smaller limits than production so that flow control and batching are exercised.
    public var limits: RaftLimits = {
        var limits = RaftLimits()
        limits.maxMessageBytes = 16
        limits.maxInflightMessages = 4
        limits.maxInflightBytes = 2048
        limits.maxEntriesPerProposal = 16
        limits.maxPendingReads = 64
        limits.maxPromotionLag = 4
        return limits
    }()
    /// Vary the flow-control limits with the seed (one entry per message and one message in
    /// flight for some seeds, larger batches for others).
    public var varyLimitsWithSeed = true
    /// Deliberately broken variants of the core (or of this runtime) to run: mutation testing.
    @_spi(Testing) public var mutations: Mutations = []

    public init() {}
}
