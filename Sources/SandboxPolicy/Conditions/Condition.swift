import JSON
import JSONSchema

/// A compiled condition on a tool call's parameters, such as
/// `recipient not endswith('@company.com')` or `amount > 100 and currency in ['USD', 'EUR']`.
///
/// Evaluation is three-valued: a condition is true, false, or *unknown* when a field it reads is
/// missing or has the wrong type. The policy decides what unknown means per action, failing
/// closed (see ``CompiledPolicy``). Evaluation is bounded by ``maximumSteps``.
public struct Condition: Sendable, CustomStringConvertible {
    /// The most evaluation steps (nodes visited plus list elements compared) one evaluation may
    /// take; past it the condition is unknown.
    public static let maximumSteps = 10_000

    /// The condition as written.
    public let source: String
    let expression: ConditionExpression

    /// Parses and compiles `source`.
    public init(_ source: String) throws(ConditionSyntaxError) {
        self.source = source
        self.expression = try ConditionParser.parse(source)
    }

    public var description: String { source }

    /// Evaluates the condition for a tool call.
    public func evaluate(_ context: ConditionContext) -> ConditionOutcome {
        var evaluator = ConditionEvaluator(context: context, steps: Condition.maximumSteps)
        return evaluator.truth(of: expression)
    }
}
