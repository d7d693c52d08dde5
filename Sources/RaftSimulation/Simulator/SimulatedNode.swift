import Raft

/// One simulated server: what survives a crash (storage, state machine) and what does not.
final class SimulatedNode {
    let id: NodeID
    /// Durable: the log, hard state and membership exactly as the runtime persisted them, and
    /// the state machine with its applied index.
    let store: any NodeStore
    /// The state machine and its applied index, as applied in this life (stored with each
    /// apply; reloaded from the store after a crash).
    @exclusivity(unchecked) var machine = HashChainMachine()
    /// Volatile: nil while crashed.
    @exclusivity(unchecked) var raft: RaftNode?
    /// Bumped at every crash, so answers meant for an earlier life are recognised.
    @exclusivity(unchecked) var incarnation = 0
    /// The commit index last seen in this life.
    @exclusivity(unchecked) var lastCommit: UInt64 = 0
    /// ReadIndex answers waiting for the state machine to catch up: (read id, index).
    @exclusivity(unchecked) var waitingReads: [(id: UInt64, index: UInt64)] = []
    /// Started at least once (spare nodes start when added as learners).
    @exclusivity(unchecked) var started = false
    /// While crashed: the step at which the supervisor restarts it.
    @exclusivity(unchecked) var restartAtStep = 0
    /// Paused (a SIGSTOP'd process, a long GC pause): it takes no step, tick or Ready until
    /// `resumeAtStep`; messages that reach it meanwhile wait in `held`.
    @exclusivity(unchecked) var paused = false
    @exclusivity(unchecked) var resumeAtStep = 0
    @exclusivity(unchecked) var held: [Message] = []
    /// How fast its clock runs, in percent of the nominal rate (clock-rate skew).
    @exclusivity(unchecked) var clockRate = 100
    /// Ticks taken in this run, across restarts (the availability windows count them).
    @exclusivity(unchecked) var ticks = 0
    /// Availability (CheckQuorum observed): while it leads, when its election timer last
    /// restarted and when it last heard a response from each node, in its own ticks.
    @exclusivity(unchecked) var leaderWatch = LeaderWatch()

    struct LeaderWatch {
        /// The term these records belong to (0: none).
        var term: UInt64 = 0
        /// The tick count at which the leader's CheckQuorum reckoning last restarted: its
        /// election, a transfer's start (the core restarts its timer), a membership change it
        /// applied (the quorum is counted in the new configuration from then on).
        var restartedAt = 0
        /// The tick count at the last response (append or heartbeat) from each node in `term`.
        var heard: [NodeID: Int] = [:]
    }

    /// Starts the leader watch for `term` if it belongs to another term; `restart` also restarts
    /// the election timer's record at `ticks`.
    func watchLeadership(term: UInt64, restart: Bool = false) {
        if leaderWatch.term != term {
            leaderWatch = LeaderWatch(term: term, restartedAt: ticks)
        } else if restart {
            leaderWatch.restartedAt = ticks
        }
    }

    init(id: NodeID, store: any NodeStore) {
        self.id = id
        self.store = store
    }

    /// The log storage, as the node's `RaftNode` reads it.
    var storage: any RaftLogStorage { store.log }

    /// The hard state as stored (what a crash would keep).
    var storedHardState: HardState { (try? storage.initialState().0) ?? HardState() }

    var isUp: Bool { raft != nil }
    /// Up and not paused: it takes steps, ticks and Readies.
    var isRunning: Bool { raft != nil && !paused }
}
