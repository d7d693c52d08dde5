import AsyncHTTPClient
import Foundation
import JSON
import NIOCore
import NIOHTTP1

/// The operators' side of the demo (the approver voting, the auditor exporting): plain HTTP
/// calls with a timeout, a retryable answer (a refused connection, 503) asked again on the same
/// node a bounded number of times.
struct DemoHTTP: Sendable {
    struct Answer: Sendable {
        var status: Int
        var body: [UInt8]

        var json: JSONValue? { try? JSONValue(parsing: body, maxBytes: 64 << 20) }
        var text: String { String(decoding: body.prefix(2000), as: UTF8.self) }
    }

    /// One client for the process, never shut down (it lives as long as the demo). A short
    /// connect timeout: AsyncHTTPClient retries a refused connection until then instead of
    /// failing at once (async-http-client issue 743), which would make a dead node slow to skip.
    static let client = HTTPClient(
        eventLoopGroupProvider: .singleton,
        configuration: .init(timeout: .init(connect: .milliseconds(300), read: .seconds(40))))

    var timeout: TimeAmount = .seconds(10)
    var attempts = 20

    func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], json body: JSONValue? = nil
    ) async throws -> Answer {
        var last = "no answer"
        for attempt in 1...attempts {
            do {
                let answer = try await once(method, url, headers, body)
                if answer.status != 503 { return answer }
                last = "HTTP 503: \(answer.text)"
            } catch {
                last = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(100 * min(attempt, 5)))
        }
        throw DemoFailure("\(method) \(url): no definite answer after \(attempts) attempts (last: \(last))")
    }

    private func once(_ method: HTTPMethod, _ url: String, _ headers: [(String, String)], _ body: JSONValue?)
        async throws -> Answer
    {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.serialized()))
        }
        let response = try await Self.client.execute(request, timeout: timeout)
        let bytes = try await response.body.collect(upTo: 64 << 20)
        return Answer(status: Int(response.status.code), body: Array(buffer: bytes))
    }
}
