import JSON
import JSONSchema

/// Why a condition could not be decided.
public enum ConditionUnknown: Sendable, Hashable, CustomStringConvertible {
    /// A parameter the condition reads is absent.
    case missingField(FieldPath)
    /// An operator got a value of a type it does not apply to.
    case wrongType(operation: String, found: String)
    /// A request attribute (`$cost_usd`) is absent from the request.
    case missingAttribute(String)
    /// Evaluation took more than ``Condition/maximumSteps``.
    case tooManySteps

    public var description: String {
        switch self {
        case .missingField(let path): return "parameter `\(path)` is missing"
        case .wrongType(let operation, let found): return "`\(operation)` does not apply to \(found)"
        case .missingAttribute(let name): return "the request has no `$\(name)`"
        case .tooManySteps: return "evaluation took more than \(Condition.maximumSteps) steps"
        }
    }
}
