import Foundation
import Testing

extension LocalCluster {
    /// What ``raw(_:_:_:body:headers:timeout:)`` answers: the status, the headers (names in
    /// lower case) and the body's bytes.
    public struct RawAnswer: Sendable {
        public var status: Int
        public var headers: [String: String]
        public var data: Data

        public var json: [String: Any] { (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:] }
        public var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
        public var errorMessage: String { (json["error"] as? [String: Any])?["message"] as? String ?? "" }
    }

    /// One HTTP call with its headers kept (`ETag`, 304 answers); nil when the node does not
    /// answer. A retryable 503 that says nothing was applied (a ReadIndex or a proposal not
    /// confirmed in time on a loaded machine) is asked again, for up to 15 s; one whose outcome
    /// is unknown is returned. A JSON answer of a documented route is checked against
    /// `docs/openapi.yaml`.
    public func raw(
        _ node: Int, _ method: String, _ path: String, body: String? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 5
    ) async -> RawAnswer? {
        let deadline = ContinuousClock.now + .seconds(15)
        while true {
            let answer = await rawOnce(node, method, path, body: body, headers: headers, timeout: timeout)
            let error = answer?.json["error"] as? [String: Any]
            guard answer?.status == 503, error?["outcome_unknown"] == nil, ContinuousClock.now < deadline else {
                return answer
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }

    private func rawOnce(
        _ node: Int, _ method: String, _ path: String, body: String?, headers: [String: String], timeout: TimeInterval
    ) async -> RawAnswer? {
        guard
            let answer = await TestHTTPClient.send(
                url(node, path), method, body: body.map { Data($0.utf8) }, headers: headers, timeout: timeout)
        else { return nil }
        if answer.status != 304 { OpenAPI.check(method, path, status: answer.status, body: answer.body) }
        return RawAnswer(status: answer.status, headers: answer.headers, data: answer.body)
    }
}
