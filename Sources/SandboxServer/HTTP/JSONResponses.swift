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

    static func error(_ status: HTTPResponse.Status, _ message: String, retryable: Bool = false) -> Response {
        json(.object(["error": .string(message), "retryable": .bool(retryable)]), status: status)
    }

    /// A request the cluster could not answer: 503 with `Retry-After` when retrying helps.
    static func cluster(_ error: ClusterError) -> Response {
        var body: [String: JSONValue] = ["error": .string(error.description), "retryable": .bool(error.isRetryable)]
        if case .unknownOutcome = error { body["outcome_unknown"] = .bool(true) }
        let status: HTTPResponse.Status = error.isRetryable ? .serviceUnavailable : .badRequest
        return json(.object(body), status: status, headers: error.isRetryable ? [.retryAfter: "1"] : [:])
    }

    static func state(_ error: StateError) -> Response {
        switch error {
        case .unknownAgent, .unknownTenant, .unknownPrincipal, .unknownApproval, .unknownPolicyVersion, .unknownKey:
            return self.error(.notFound, error.description)
        case .tenantExists, .agentExists, .principalExists, .keyInUse, .tokenInUse, .alreadyVoted, .approvalClosed,
            .notLatestVersion:
            return self.error(.conflict, error.description)
        default:
            return self.error(.badRequest, error.description)
        }
    }

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
