/// A broken property found by the simulator.
public struct Violation: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Property: String, Sendable, Hashable {
        case electionSafety = "election safety"
        case logMatching = "log matching"
        case leaderCompleteness = "leader completeness"
        case stateMachineSafety = "state machine safety"
        case monotonicity = "monotonic commit/applied"
        case linearizableReads = "linearizable reads"
        case durability = "durability at send time"
        case committedEntryKept = "committed entry kept"
        case ownTermEntryKept = "own-term entry kept"
        case entryOrigin = "entry origin"
        case availability = "availability"
        case liveness = "liveness"
        case coreInvariant = "core invariant"
        case runtime = "runtime contract"
    }

    public var property: Property
    public var step: Int
    public var detail: String

    public var description: String { "step \(step): \(property.rawValue): \(detail)" }
}
