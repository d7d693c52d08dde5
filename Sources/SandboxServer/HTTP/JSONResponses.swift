import Hummingbird
import JSON
import SandboxCluster
import SandboxState

/// JSON bodies for the API's answers and errors.
enum JSONResponses {
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(
            status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.serialized() + "\n")))
    }

    /// An error in the API's shape (``APIError``); a retryable one carries `Retry-After: 1`.
    static func error(_ status: HTTPResponse.Status, _ message: String, retryable: Bool = false) -> Response {
        APIError(status, code: APIError.code(for: status), message, retryAfterSeconds: retryable ? 1 : nil).response
    }

    /// A request the cluster could not answer: 503 with `Retry-After` when retrying helps.
    static func cluster(_ error: ClusterError) -> Response { APIError(error).response }

    static func state(_ error: StateError) -> Response { APIError(error).response }

    static func decision(_ answer: DecisionAnswer) -> Response {
        var body: [String: JSONValue] = [
            "decision": .string(answer.outcome.rawValue), "reason": .string(answer.reason),
            "rule": .string(answer.rule), "decision_id": number(answer.decisionID),
            "request_id": .string(answer.requestID), "policy_version": number(UInt64(answer.policyVersion)),
            "replayed": .bool(answer.replayed),
        ]
        if let approval = answer.approvalID { body["approval_id"] = number(approval) }
        if let budget = answer.budget {
            var fields: [String: JSONValue] = [
                "requests_today": number(budget.requests), "spent_usd": dollars(budget.microdollars),
            ]
            if let left = budget.requestsLeft { fields["requests_left"] = number(left) }
            if let left = budget.microdollarsLeft { fields["left_usd"] = dollars(left) }
            body["budget"] = .object(fields)
        }
        return json(.object(body))
    }

    static func number(_ value: UInt64) -> JSONValue { .number(JSONNumber(literal: "\(value)") ?? JSONNumber(0)) }

    static func dollars(_ microdollars: UInt64) -> JSONValue {
        let whole = microdollars / 1_000_000
        let fraction = String(microdollars % 1_000_000)
        let padded = String(repeating: "0", count: 6 - fraction.count) + fraction
        return .number(JSONNumber(literal: "\(whole).\(padded)") ?? JSONNumber(0))
    }
}
