/// One reason an instance is invalid.
public struct ValidationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// JSON Pointer to the offending part of the instance, `""` for the whole instance.
    public var instanceLocation: String
    /// JSON Pointer to the failing keyword in the schema, e.g. `/properties/recipient/maxLength`;
    /// prefixed with the resource URI when the keyword lives in another registered schema.
    public var schemaLocation: String
    /// What was expected and what was found: `expected string of at most 254 characters, got 301`.
    public var message: String

    public init(instanceLocation: String, schemaLocation: String, message: String) {
        self.instanceLocation = instanceLocation
        self.schemaLocation = schemaLocation
        self.message = message
    }

    /// `/recipient: expected string of at most 254 characters, got 301` (`/` for the root).
    public var description: String {
        "\(instanceLocation.isEmpty ? "/" : instanceLocation): \(message)"
    }
}
