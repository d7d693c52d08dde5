import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// The tests' HTTP client: async-http-client, like the nodes' own calls to each other, not
/// URLSession (FoundationNetworking trapped a whole test run at load 70 on a call cancelled as
/// it completed: "Trying to access a behaviour for a task that in not in the registry"). No
/// redirect is followed, no cookie stored, nothing decompressed: a test sees the answer as sent.
public enum TestHTTPClient {
    public struct Answer: Sendable {
        public var status: Int
        /// Header names in lower case; a repeated header's values joined with ", ".
        public var headers: [String: String]
        public var body: Data
    }

    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(3))
        configuration.connectionPool.idleTimeout = .seconds(20)
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }()

    /// One call, bounded as a whole by `timeout` seconds; nil when there is no whole answer in time.
    public static func send(
        _ url: URL, _ method: String, body: Data? = nil, headers: [String: String] = [:], timeout: Double
    ) async -> Answer? {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = HTTPMethod(rawValue: method)
        for (name, value) in headers { request.headers.replaceOrAdd(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(bytes: body)) }
        do {
            let response = try await client.execute(request, timeout: .milliseconds(Int64(timeout * 1000)))
            let bytes = try await response.body.collect(upTo: 256 << 20)
            var fields: [String: String] = [:]
            for field in response.headers {
                let name = field.name.lowercased()
                fields[name] = fields[name].map { "\($0), \(field.value)" } ?? field.value
            }
            return Answer(status: Int(response.status.code), headers: fields, body: Data(bytes.readableBytesView))
        } catch {
            return nil
        }
    }
}
