import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// ``HTTPTransport`` on async-http-client: one `HTTPClient` (the shared event loop group) with a
/// short connect timeout, so that a node that is down is skipped quickly (async-http-client keeps
/// retrying a refused connection until its connect timeout), and a bound on every answer's size.
public final class AsyncHTTPTransport: HTTPTransport {
    private let client: HTTPClient
    private let maxResponseBytes: Int

    /// - Parameters:
    ///   - connectTimeout: how long to try to connect to a node before giving up on it.
    ///   - maxResponseBytes: a larger answer is a failure (a policy bundle is at most about 2 MiB).
    public init(connectTimeout: Duration = .seconds(1), maxResponseBytes: Int = 4 << 20) {
        var configuration = HTTPClient.Configuration()
        // The read timeout is a backstop only (the client bounds each whole attempt itself): a
        // node silent for longer than the longest long poll (30 s, a few seconds more) is gone.
        configuration.timeout = .init(connect: Self.amount(connectTimeout), read: .seconds(40))
        configuration.redirectConfiguration = .disallow
        // Under the nodes' 30 s idle timeout, so a pooled connection is not reused as a node closes it.
        configuration.connectionPool.idleTimeout = .seconds(20)
        configuration.decompression = .disabled
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.maxResponseBytes = maxResponseBytes
    }

    public func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        var outgoing = HTTPClientRequest(url: request.url.absoluteString)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for (name, value) in request.headers { outgoing.headers.add(name: name, value: value) }
        if let body = request.body {
            outgoing.body = .bytes(ByteBuffer(bytes: body))
            if request.headers["Content-Type"] == nil {
                outgoing.headers.add(name: "Content-Type", value: "application/json")
            }
        }
        let response = try await client.execute(outgoing, timeout: Self.amount(timeout))
        let body = try await response.body.collect(upTo: maxResponseBytes)
        var headers: [String: String] = [:]
        for field in response.headers { headers[field.name.lowercased()] = field.value }
        return TransportResponse(
            status: Int(response.status.code), headers: headers, body: Array(body.readableBytesView))
    }

    public func shutdown() async { try? await client.shutdown() }

    /// A transport dropped without ``shutdown()`` (a client never closed) still shuts its
    /// `HTTPClient` down (the task keeps it alive until then): async-http-client traps in debug
    /// builds on a client released while running. A second shutdown only throws, ignored.
    deinit {
        let client = client
        Task { try? await client.shutdown() }
    }

    static func amount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(max(0, seconds) * 1_000_000_000 + max(0, attoseconds) / 1_000_000_000)
    }
}
