import JSON
import JSONSchema

/// The result of a condition: true, false or unknown (with why).
public enum ConditionOutcome: Sendable, Hashable, CustomStringConvertible {
    case `true`
    case `false`
    case unknown(ConditionUnknown)

    public var description: String {
        switch self {
        case .true: return "true"
        case .false: return "false"
        case .unknown(let why): return "unknown (\(why))"
        }
    }
}
