/// What one seed's run found.
public struct SimulationReport: Sendable {
    public struct Statistics: Sendable, Hashable {
        public var leadersElected = 0
        public var highestTerm: UInt64 = 0
        public var highestCommitted: UInt64 = 0
        public var writesAcknowledged = 0
        public var readsServed = 0
        public var crashes = 0
        public var partitions = 0
        public var snapshotsInstalled = 0
        public var membershipChangesApplied = 0
        public var transfersStarted = 0
        public var messagesDelivered = 0
        public var livenessTicks = 0
        public var pauses = 0
        public var messagesDelayed = 0
    }

    public var seed: UInt64
    public var violation: Violation?
    public var steps: Int
    public var statistics: Statistics

    public var passed: Bool { violation == nil }
}
