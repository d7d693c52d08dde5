/// A schema that cannot be compiled: where (a JSON Pointer into the schema, with its resource URI
/// when it is not the root document) and why.
public struct SchemaCompileError: Error, Sendable, CustomStringConvertible {
    public var schemaLocation: String
    public var message: String

    public init(schemaLocation: String, message: String) {
        self.schemaLocation = schemaLocation
        self.message = message
    }

    /// `schema /properties/age/minimum: expected a number, got "ten"`
    public var description: String {
        "schema \(schemaLocation.isEmpty ? "/" : schemaLocation): \(message)"
    }
}
