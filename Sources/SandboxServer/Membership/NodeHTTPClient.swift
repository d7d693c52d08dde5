import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// HTTP calls from one node to another's API: forwarding an admin call to the leader, asking a
/// member for its progress. Bounded by a timeout (the whole call: connect, request, answer);
/// nil when the node does not answer in time or answers more than ``maxAnswerBytes``.
///
/// On async-http-client (SwiftNIO), not URLSession: on Linux, FoundationNetworking ignored a
/// request's own timeout for a peer that accepts and never answers (a 1 s look at a paused node
/// took 60 s, `NodeHTTPClientTests`), and a call cancelled as it completed could trap inside it
/// ("Trying to access a behaviour for a task that in not in the registry", seen in a test run at
/// load 70) — a crash of the whole node over a look at a peer.
enum NodeHTTPClient {
    /// Member views and forwarded admin answers are small; a larger answer is refused.
    static let maxAnswerBytes = 8 << 20

    /// One client for the process (its connection pool is shared by every call). Never shut
    /// down: it lives as long as the node. TLS trusts the system's store, as before.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(2))
        // Under the nodes' own idle timeout, so that a pooled connection is not reused as the
        // other node closes it.
        configuration.connectionPool.idleTimeout = .seconds(20)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// Through `config`: `https` when the cluster's API serves TLS (its certificate must then be
    /// trusted by the system's store), and the host dialled through `--hosts-file`. Cancelling
    /// the calling task cancels the request at once (nil): a pod stopping mid-join must know
    /// that no add of its own is still on its way before it removes itself.
    static func call(
        _ method: String, _ address: String, _ path: String, body: [UInt8]? = nil, headers: [String: String] = [:],
        timeout: Double, via config: ServerConfig
    ) async -> (status: Int, body: Data)? {
        var request = HTTPClientRequest(url: "\(config.httpScheme)://\(config.hosts.dial(address))\(path)")
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        let limit = TimeAmount.nanoseconds(Int64(max(0, min(timeout, 3600)) * 1_000_000_000))
        do {
            let response = try await client.execute(request, timeout: limit)
            let answer = try await response.body.collect(upTo: maxAnswerBytes)
            return (Int(response.status.code), Data(answer.readableBytesView))
        } catch {
            return nil
        }
    }
}
