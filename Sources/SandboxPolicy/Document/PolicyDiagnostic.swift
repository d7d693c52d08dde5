/// One finding about a policy file: an error (the policy is rejected) or a warning (the policy
/// loads, but something in it deserves attention).
public struct PolicyDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable {
        case error
        case warning
    }

    public var severity: Severity
    public var location: SourceLocation
    public var message: String

    public init(_ severity: Severity, at location: SourceLocation, _ message: String) {
        self.severity = severity
        self.location = location
        self.message = message
    }

    /// `line:col: severity: message`, the form compilers use (prefix it with the file name).
    public var description: String { "\(location): \(severity.rawValue): \(message)" }
}
