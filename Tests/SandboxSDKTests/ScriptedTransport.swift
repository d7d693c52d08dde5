import Foundation
import SandboxSDK

/// A transport that answers from a script, one step per request, and records every request: a
/// status (with the API's error body for an error status), or a failure to connect. Past the
/// script's end it repeats the last step.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `steps` and `seen` are only touched under `lock`.
    enum Step: Sendable {
        case status(Int)
        case refused
        /// A decision (200) for a request id other than the one sent.
        case otherRequest
        /// No whole answer for a minute, whatever the timeout given (a node dripping its body);
        /// stops when cancelled.
        case drip
        /// An error status with a `Retry-After` header.
        case retryAfter(Int, String)
    }

    struct Refused: Error {}

    private let lock = NSLock()
    private var steps: [Step]
    private var seen: [TransportRequest] = []
    private var limits: [Duration] = []

    init(_ steps: [Step]) { self.steps = steps }

    var requests: [TransportRequest] { lock.withLock { seen } }
    /// The time limit given with each request.
    var timeouts: [Duration] { lock.withLock { limits } }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let step = lock.withLock {
            seen.append(request)
            limits.append(timeout)
            return steps.count > 1 ? steps.removeFirst() : steps[0]
        }
        switch step {
        case .refused: throw Refused()
        case .status(200): return Self.allow(request.headers["Idempotency-Key"] ?? "")
        case .otherRequest: return Self.allow("someone-else")
        case .drip:
            try await Task.sleep(for: .seconds(60))
            return Self.allow(request.headers["Idempotency-Key"] ?? "")
        case .status(let status): return Self.error(status)
        case .retryAfter(let status, let value):
            var answer = Self.error(status)
            answer.headers["retry-after"] = value
            return answer
        }
    }

    static func error(_ status: Int) -> TransportResponse {
        let body = #"{"error": {"code": "scripted", "message": "scripted \#(status)", "retryable": false}}"#
        return TransportResponse(status: status, body: Array(body.utf8))
    }

    static func allow(_ requestID: String) -> TransportResponse {
        let body =
            #"{"decision": "allow", "reason": "ok", "rule": "tools.allow[0]", "decision_id": 7,"#
            + #" "request_id": "\#(requestID)", "policy_version": 1, "replayed": false}"#
        return TransportResponse(status: 200, body: Array(body.utf8))
    }

    func shutdown() async {}
}
