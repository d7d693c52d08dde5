import JSON

/// The API's error body, `{"error": {"code", "message", "retryable", "outcome_unknown"?}}`.
struct WireError: Sendable, Hashable {
    var code: String
    var message: String

    init?(_ body: [UInt8]) {
        guard let json = try? JSONValue(parsing: body, maxDepth: 8, maxBytes: 64 << 10),
            case .object(let members) = json, case .object(let error)? = members["error"]
        else { return nil }
        guard case .string(let code)? = error["code"] else { return nil }
        self.code = code
        if case .string(let message)? = error["message"] { self.message = message } else { message = "" }
    }

    /// "HTTP 401 invalid_credentials: no agent has this key" (or the status alone).
    static func describe(_ answer: TransportResponse) -> String {
        guard let error = WireError(answer.body) else { return "HTTP \(answer.status)" }
        return "HTTP \(answer.status) \(error.code): \(error.message)"
    }
}
