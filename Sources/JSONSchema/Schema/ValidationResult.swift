/// The outcome of validating one instance.
public struct ValidationResult: Sendable {
    public var isValid: Bool
    public var errors: [ValidationError]

    public init(isValid: Bool, errors: [ValidationError]) {
        self.isValid = isValid
        self.errors = errors
    }
}
