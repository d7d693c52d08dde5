import Hummingbird
import JSON

/// An API error: an HTTP status, a stable snake_case `code` a client can branch on, a message
/// a person can act on, and for 429 and 503 how long to wait (`Retry-After`). A route throws
/// it; the body is `{"error": {"code", "message", "retryable", "outcome_unknown"?}}`.
struct APIError: Error, HTTPResponseError, CustomStringConvertible {
    var status: HTTPResponse.Status
    var code: String
    var message: String
    /// Seconds for `Retry-After`; set, the error is retryable.
    var retryAfterSeconds: Int?
    /// A write that may or may not have been applied: retry with the same request id.
    var outcomeUnknown = false

    init(
        _ status: HTTPResponse.Status, code: String, _ message: String, retryAfterSeconds: Int? = nil,
        outcomeUnknown: Bool = false
    ) {
        self.status = status
        self.code = code
        self.message = message
        self.retryAfterSeconds = retryAfterSeconds
        self.outcomeUnknown = outcomeUnknown
    }

    var retryable: Bool { retryAfterSeconds != nil }

    var description: String { "\(status.code) \(code): \(message)" }

    var body: JSONValue {
        var fields: [String: JSONValue] = [
            "code": .string(code), "message": .string(message), "retryable": .bool(retryable),
        ]
        if outcomeUnknown { fields["outcome_unknown"] = .bool(true) }
        return .object(["error": .object(fields)])
    }

    func response(from request: Request, context: some RequestContext) throws -> Response { response }

    var response: Response { JSONAnswer(self).response }
}

extension APIError {
    static func badRequest(_ message: String, code: String = "bad_request") -> APIError {
        APIError(.badRequest, code: code, message)
    }

    static func unauthorized(_ message: String, code: String = "unauthorized") -> APIError {
        APIError(.unauthorized, code: code, message)
    }

    static func forbidden(_ message: String, code: String = "forbidden") -> APIError {
        APIError(.forbidden, code: code, message)
    }

    static func notFound(_ message: String, code: String = "not_found") -> APIError {
        APIError(.notFound, code: code, message)
    }

    static func conflict(_ message: String, code: String = "conflict") -> APIError {
        APIError(.conflict, code: code, message)
    }

    static func tooLarge(_ message: String, code: String = "too_large") -> APIError {
        APIError(.contentTooLarge, code: code, message)
    }

    static func rateLimited(retryAfter seconds: Int, _ message: String, code: String = "rate_limited") -> APIError {
        APIError(.tooManyRequests, code: code, message, retryAfterSeconds: max(1, seconds))
    }

    static func unavailable(retryAfter seconds: Int = 1, _ message: String, code: String = "unavailable") -> APIError {
        APIError(.serviceUnavailable, code: code, message, retryAfterSeconds: max(1, seconds))
    }

    static func internalError(_ message: String, code: String = "internal") -> APIError {
        APIError(.internalServerError, code: code, message, retryAfterSeconds: 1)
    }
}
