import Hummingbird
import JSON
import SandboxCluster
import SandboxState

/// A JSON answer as plain values (status, text, `Retry-After`): what both the router and the
/// decision fast path (``DecisionFastPath``) write.
struct JSONAnswer {
    var status: HTTPResponse.Status
    /// The body, a JSON document and a newline.
    var text: String
    var retryAfterSeconds: Int?

    init(status: HTTPResponse.Status, text: String, retryAfterSeconds: Int? = nil) {
        self.status = status
        self.text = text
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// An error in the API's shape (``APIError``).
    init(_ error: APIError) {
        self.init(
            status: error.status, text: error.body.serialized() + "\n", retryAfterSeconds: error.retryAfterSeconds)
    }

    /// Its header fields besides the length: the content type, and `Retry-After` when set.
    var headerFields: HTTPFields {
        var fields: HTTPFields = [.contentType: "application/json"]
        if let retryAfterSeconds { fields[.retryAfter] = "\(retryAfterSeconds)" }
        return fields
    }

    var response: Response {
        Response(status: status, headers: headerFields, body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

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

    /// The decision's answer, written field by field in the order `serialized()` sorts them
    /// (the same bytes as the `JSONValue` object it was built as before, which the tests keep as
    /// the reference): the object, its dictionary and the sort cost about 2% of a node's CPU at
    /// 64 clients.
    static func decision(_ answer: DecisionAnswer) -> Response {
        Response(
            status: .ok, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: decisionText(answer))))
    }

    static func decisionText(_ answer: DecisionAnswer) -> String {
        var text = "{"
        text.reserveCapacity(256 + answer.reason.utf8.count + answer.requestID.utf8.count + answer.rule.utf8.count)
        if let approval = answer.approvalID {
            text += "\"approval_id\":"
            text += String(approval)
            text += ","
        }
        if let budget = answer.budget {
            text += "\"budget\":{"
            if let left = budget.microdollarsLeft {
                text += "\"left_usd\":"
                text += dollarsText(left)
                text += ","
            }
            if let left = budget.requestsLeft {
                text += "\"requests_left\":"
                text += String(left)
                text += ","
            }
            text += "\"requests_today\":"
            text += String(budget.requests)
            text += ",\"spent_usd\":"
            text += dollarsText(budget.microdollars)
            text += "},"
        }
        text += "\"decision\":"
        JSONValue.writeString(answer.outcome.rawValue, to: &text)
        text += ",\"decision_id\":"
        text += String(answer.decisionID)
        text += ",\"policy_version\":"
        text += String(answer.policyVersion)
        text += ",\"reason\":"
        JSONValue.writeString(answer.reason, to: &text)
        text += answer.replayed ? ",\"replayed\":true,\"request_id\":" : ",\"replayed\":false,\"request_id\":"
        JSONValue.writeString(answer.requestID, to: &text)
        text += ",\"rule\":"
        JSONValue.writeString(answer.rule, to: &text)
        text += "}\n"
        return text
    }

    static func number(_ value: UInt64) -> JSONValue { .number(JSONNumber(literal: "\(value)") ?? JSONNumber(0)) }

    /// `dollars(microdollars).serialized()`, written directly: the canonical text of
    /// microdollars / 10^6 (`3`, `0.00012`, `12.5`; never an exponent, as the value has at most
    /// six decimals and at most 14 integer digits).
    static func dollarsText(_ microdollars: UInt64) -> String {
        let whole = String(microdollars / 1_000_000)
        var fraction = microdollars % 1_000_000
        guard fraction != 0 else { return whole }
        var digits = 6
        while fraction % 10 == 0 {
            fraction /= 10
            digits -= 1
        }
        let text = String(fraction)
        return whole + "." + String(repeating: "0", count: digits - text.utf8.count) + text
    }

    static func dollars(_ microdollars: UInt64) -> JSONValue {
        let whole = microdollars / 1_000_000
        let fraction = String(microdollars % 1_000_000)
        let padded = String(repeating: "0", count: 6 - fraction.count) + fraction
        return .number(JSONNumber(literal: "\(whole).\(padded)") ?? JSONNumber(0))
    }
}
