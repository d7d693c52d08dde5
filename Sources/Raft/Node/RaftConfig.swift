/// How one Raft node behaves. Times are in ticks; the runtime decides how long a tick is.
public struct RaftConfig: Sendable {
    /// This node's id (never 0).
    public var id: NodeID
    /// A follower that hears nothing from a leader for a randomized timeout in
    /// `[electionTicks, 2 * electionTicks)` starts an election.
    public var electionTicks: Int = 10
    /// A leader sends heartbeats every `heartbeatTicks` (must be less than `electionTicks`).
    public var heartbeatTicks: Int = 1
    /// How long a leader waits, with no word from the runtime (`reportSnapshot`) or the follower
    /// (its answer once installed), before it takes a snapshot it sent as lost and probes the
    /// follower again; nil: `electionTicks`. A runtime that streams a large snapshot for seconds
    /// sets it above the stream's and the install's duration: until then the follower has no
    /// use for entries, and each probe makes the leader read a message's worth of them.
    public var snapshotTimeoutTicks: Int?
    /// The last index the runtime's state machine has applied (on restart).
    public var applied: UInt64 = 0
    /// Run a PreVote round before incrementing the term (a returning partitioned node does not
    /// disrupt the cluster).
    public var preVote: Bool = true
    /// A leader steps down when it has not heard from a quorum within an election timeout, and
    /// voters ignore vote requests while they hear from a leader (the leader lease).
    public var checkQuorum: Bool = true
    public var limits = RaftLimits()

    public init(id: NodeID) {
        self.id = id
    }

    /// Checks the settings; the core refuses to start with a bad configuration.
    public func validate() throws(RaftConfigError) {
        guard id != 0 else { throw .invalid("id must not be 0 (0 means no node)") }
        guard heartbeatTicks > 0 else { throw .invalid("heartbeatTicks must be positive") }
        if let ticks = snapshotTimeoutTicks, ticks <= 0 {
            throw .invalid("snapshotTimeoutTicks (\(ticks)) must be positive")
        }
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
