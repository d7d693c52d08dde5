/// A position in a policy file: 1-based line and column (columns count Unicode scalars).
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var line: Int
    public var column: Int

    public init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    public var description: String { "\(line):\(column)" }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        (lhs.line, lhs.column) < (rhs.line, rhs.column)
    }
}

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

/// A policy that could not be loaded or compiled; `diagnostics` holds every error found (and the
/// warnings gathered before), in file order.
public struct PolicyError: Error, Sendable, CustomStringConvertible {
    public var diagnostics: [PolicyDiagnostic]

    public init(_ diagnostics: [PolicyDiagnostic]) {
        self.diagnostics = diagnostics.sorted { $0.location < $1.location }
    }

    public init(at location: SourceLocation, _ message: String) {
        self.init([PolicyDiagnostic(.error, at: location, message)])
    }

    /// Only the errors.
    public var errors: [PolicyDiagnostic] { diagnostics.filter { $0.severity == .error } }

    public var description: String { errors.map(\.description).joined(separator: "\n") }
}

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
