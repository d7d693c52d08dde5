import Raft

/// What one simulated run does.
public struct SimulationOptions: Sendable {
    /// Initial voters (3, 5 or 7 in practice).
    public var nodes: Int = 3
    /// Extra node ids that membership changes may add as learners and promote.
    public var spareNodes: Int = 2
    /// Random events in the faulty phase; a liveness phase follows.
    public var steps: Int = 3000
    /// Ticks the healed cluster gets to elect a leader and commit a proposal everywhere.
    public var livenessTicks: Int = 400
    public var electionTicks: Int = 6
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
    #if DEBUG
        /// Deliberately broken variants of the core to run (mutation testing).
        public var mutations: Mutations = []
    #endif

    public init() {}
}
