import JSON
import SandboxState

/// The body of `POST /v1/approvals`, checked: what is wrong is named in the 400.
struct ApprovalRequestFields {
    static let defaultGroup = "human"
    static let defaultTTLSeconds: UInt32 = 3600
    static let maxTTLSeconds: UInt32 = 7 * 86_400
    static let maxRequired = 16
    static let maxPayloadBytes = 32 << 10

    var agent: String
    var tool: String
    /// SHA-256 of the canonical parameters (64 hex digits, optionally `sha256:`-prefixed).
    var hash: [UInt8]
    /// The redacted parameters as JSON text.
    var payload: String
    var group: String
    var required: UInt8
    var ttlSeconds: UInt32

    init(_ body: JSONValue) throws(APIError) {
        guard case .object = body else { throw Self.bad("the body must be a JSON object") }
        agent = try Self.identifier(body, "agent_id")
        tool = try Self.name(body, "tool")
        guard var hashText = body.member("params_hash")?.stringValue else {
            throw Self.bad("params_hash (64 hex digits: SHA-256 of the canonical parameters) is required")
        }
        if hashText.hasPrefix("sha256:") { hashText.removeFirst(7) }
        guard hashText.utf8.count == 64, let hash = [UInt8](hexString: hashText.lowercased()) else {
            throw Self.bad("params_hash must be 64 hex digits (SHA-256 of the canonical parameters)")
        }
        self.hash = hash
        payload = (body.member("payload_redacted") ?? .object([:])).serialized()
        guard payload.utf8.count <= Self.maxPayloadBytes else {
            throw Self.bad("payload_redacted is over \(Self.maxPayloadBytes) bytes")
        }
        group = body.member("group") == nil ? Self.defaultGroup : try Self.identifier(body, "group")
        required = UInt8(try Self.integer(body, "required_approvals", in: 1...UInt32(Self.maxRequired)) ?? 1)
        ttlSeconds = try Self.integer(body, "ttl_seconds", in: 1...Self.maxTTLSeconds) ?? Self.defaultTTLSeconds
    }

    /// An optional integer member within `range`; 400 naming it otherwise.
    private static func integer(_ body: JSONValue, _ field: String, in range: ClosedRange<UInt32>) throws(APIError)
        -> UInt32?
    {
        guard body.member(field) != nil else { return nil }
        guard let value = body.uint32(field), range.contains(value) else {
            throw bad("\(field) must be an integer \(range.lowerBound)...\(range.upperBound)")
        }
        return value
    }

    private static func name(_ body: JSONValue, _ field: String) throws(APIError) -> String {
        guard let text = body.member(field)?.stringValue, !text.isEmpty, text.utf8.count <= 256 else {
            throw bad("\(field) must be a non-empty string of at most 256 bytes")
        }
        return text
    }

    /// An identifier as the state machine stores one: 1 to 128 bytes without control characters.
    private static func identifier(_ body: JSONValue, _ field: String) throws(APIError) -> String {
        guard let text = body.member(field)?.stringValue, IdentityInput.isStoredIdentifier(text) else {
            let limit = DecisionRoutes.limits.maxIdentifierBytes
            throw bad("\(field) must be a non-empty string of at most \(limit) bytes without control characters")
        }
        return text
    }

    private static func bad(_ message: String) -> APIError {
        APIError.badRequest(message, code: "bad_approval_request")
    }
}
