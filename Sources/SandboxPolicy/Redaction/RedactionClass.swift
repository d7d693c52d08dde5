import JSON
import JSONSchema

/// The kinds of sensitive text the audit log redacts (`logging.redact`).
public enum RedactionClass: String, Sendable, Hashable, CaseIterable {
    case email = "EMAIL"
    case phone = "PHONE"
    case creditCard = "CREDIT_CARD"
    case apiKey = "API_KEY"

    /// What replaces a redacted span.
    public var placeholder: String { "[REDACTED:\(rawValue)]" }
}
