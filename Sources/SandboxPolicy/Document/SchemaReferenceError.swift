/// A schema file reference (`tools.schemas`) that could not be resolved.
public struct SchemaReferenceError: Error, Sendable, CustomStringConvertible {
    public var reference: String
    public var message: String

    public init(reference: String, message: String) {
        self.reference = reference
        self.message = message
    }

    public var description: String { "`\(reference)`: \(message)" }
}
