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
    }

    struct Refused: Error {}

    private let lock = NSLock()
    private var steps: [Step]
    private var seen: [TransportRequest] = []

    init(_ steps: [Step]) { self.steps = steps }

    var requests: [TransportRequest] { lock.withLock { seen } }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let step = lock.withLock {
            seen.append(request)
            return steps.count > 1 ? steps.removeFirst() : steps[0]
        }
        switch step {
        case .refused: throw Refused()
        case .status(200):
            let body =
                #"{"decision": "allow", "reason": "ok", "rule": "tools.allow[0]", "decision_id": 7,"#
                + #" "request_id": "x", "policy_version": 1, "replayed": false}"#
            return TransportResponse(status: 200, body: Array(body.utf8))
        case .status(let status):
            let body = #"{"error": {"code": "scripted", "message": "scripted \#(status)", "retryable": false}}"#
            return TransportResponse(status: status, body: Array(body.utf8))
        }
    }

    func shutdown() async {}
}
