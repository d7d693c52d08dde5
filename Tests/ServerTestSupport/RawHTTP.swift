import Foundation
import Testing

/// HTTP for tests that look at what a browser would: no redirect followed, no cookie stored
/// or sent unless given, any body (HTML, NDJSON) as text, and a chosen timeout (long polls).
/// JSON answers are checked against `docs/openapi.yaml` (``OpenAPI/check``).
public final class RawHTTP: Sendable {
    public struct Answer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var text: String

        public var json: [String: Any] {
            (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
        }
        public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        public func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    public init() {}

    /// One call; nil when the node does not answer in `timeout`.
    public func call(
        _ url: URL, _ method: String = "GET", body: String? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 5
    ) async -> Answer? {
        guard
            let sent = await TestHTTPClient.send(
                url, method, body: body.map { Data($0.utf8) }, headers: headers, timeout: timeout)
        else { return nil }
        let answer = Answer(
            status: sent.status, headers: sent.headers, text: String(decoding: sent.body, as: UTF8.self))
        if answer.header("Content-Type")?.hasPrefix("application/json") == true {
            OpenAPI.check(method, url.path, status: sent.status, body: sent.body)
        }
        return answer
    }

    /// The same call asked again (bounded) while the node does not answer or answers a
    /// retryable 503 that applied nothing, as a client does on a loaded machine (a leadership
    /// change, a ReadIndex not confirmed in time). A write whose outcome is unknown is not
    /// repeated here (its answer is returned) unless it is `idempotent` (a decision with its
    /// `Idempotency-Key`: the retry gets the single, true answer, as the SDKs' does).
    public func retrying(
        _ url: URL, _ method: String = "GET", body: String? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 5, within limit: Duration = .seconds(30), idempotent: Bool = false
    ) async -> Answer? {
        let deadline = ContinuousClock.now + limit
        while true {
            let answer = await call(url, method, body: body, headers: headers, timeout: timeout)
            let again =
                answer == nil || (answer?.status == 503 && (idempotent || answer?.errorCode != "outcome_unknown"))
            guard again, ContinuousClock.now < deadline else { return answer }
            try? await Task.sleep(for: .milliseconds(200))
        }
    }
}
