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
