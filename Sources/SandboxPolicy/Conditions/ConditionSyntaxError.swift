import JSON
import JSONSchema

/// A syntax error in a condition; `offset` counts Unicode scalars from the start of the condition.
public struct ConditionSyntaxError: Error, Sendable, Hashable, CustomStringConvertible {
    public var offset: Int
    public var message: String

    public init(offset: Int, _ message: String) {
        self.offset = offset
        self.message = message
    }

    public var description: String { "column \(offset + 1) of the condition: \(message)" }
}
