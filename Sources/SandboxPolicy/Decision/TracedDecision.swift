/// A decision together with every check made to reach it, in order, as
/// ``CompiledPolicy/trace(_:)`` returns them: both come from one run of the evaluator.
public struct TracedDecision: Sendable, Hashable {
    public var decision: Decision
    public var steps: [TraceStep]

    public init(decision: Decision, steps: [TraceStep]) {
        self.decision = decision
        self.steps = steps
    }
}
