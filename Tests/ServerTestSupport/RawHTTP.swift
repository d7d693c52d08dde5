import Foundation
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// HTTP for tests that look at what a browser would: no redirect followed, no cookie stored
/// or sent unless given, any body (HTML, NDJSON) as text, and a chosen timeout (long polls).
/// JSON answers are checked against `docs/openapi.yaml` (``OpenAPI/check``).
public final class RawHTTP: NSObject, URLSessionTaskDelegate, @unchecked Sendable {
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

    private lazy var session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration, delegate: self, delegateQueue: nil)
    }()

    /// One call; nil when the node does not answer in `timeout`.
    public func call(
        _ url: URL, _ method: String = "GET", body: String? = nil, headers: [String: String] = [:],
        timeout: TimeInterval = 5
    ) async -> Answer? {
        var request = URLRequest(url: url, timeoutInterval: timeout)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body { request.httpBody = Data(body.utf8) }
        guard let (data, response) = try? await session.data(for: request), let http = response as? HTTPURLResponse
        else { return nil }
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields { fields["\(name)"] = "\(value)" }
        let answer = Answer(status: http.statusCode, headers: fields, text: String(decoding: data, as: UTF8.self))
        if answer.header("Content-Type")?.hasPrefix("application/json") == true {
            OpenAPI.check(method, url.path, status: http.statusCode, body: data)
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

    public func urlSession(
        _ session: URLSession, task: URLSessionTask, willPerformHTTPRedirection response: HTTPURLResponse,
        newRequest request: URLRequest, completionHandler: @escaping (URLRequest?) -> Void
    ) {
        completionHandler(nil)
    }
}
