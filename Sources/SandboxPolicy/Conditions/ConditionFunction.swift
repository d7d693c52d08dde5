import JSON
import JSONSchema

enum ConditionFunction: String, Sendable {
    case lower, upper, len
}
