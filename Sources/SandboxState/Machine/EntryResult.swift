/// The outcome of applying one log entry.
public struct EntryResult: Sendable, Hashable {
    public var index: UInt64
    public var outcome: Outcome

    public enum Outcome: Sendable, Hashable {
        /// A no-op or a membership change: nothing for the state.
        case noop
        case decided(DecisionAnswer)
        case applied(CommandAnswer)
        /// Refused (undecodable or against the rules); nothing changed.
        case rejected(StateError)
    }

    public init(index: UInt64, outcome: Outcome) {
        self.index = index
        self.outcome = outcome
    }

    /// The decision, for a `decide` entry.
    public var decision: DecisionAnswer? {
        if case .decided(let answer) = outcome { return answer }
        return nil
    }

    /// The refusal, if any.
    public var error: StateError? {
        if case .rejected(let error) = outcome { return error }
        return nil
    }
}

/// What an administrative command or a vote produced.
public enum CommandAnswer: Sendable, Hashable {
    case done
    /// A published or activated policy version, or one whose mode changed.
    case policy(agent: String, version: UInt32, sha256: [UInt8], mode: PolicyMode)
    /// An approval after a vote, or a newly requested one.
    case approval(id: UInt64, status: ApprovalStatus)
    /// A report of local denials: how many were recorded, how many were already known by
    /// their request id (a decision's, or an earlier report's).
    case localDenials(recorded: Int, duplicates: Int)
}
