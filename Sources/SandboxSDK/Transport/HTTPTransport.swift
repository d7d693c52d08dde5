import Foundation

/// How the client talks HTTP: one request, one complete answer, within a time limit. The
/// default is ``AsyncHTTPTransport`` (async-http-client); a test may wrap it to change what a
/// node answers. Implementations must be safe to call concurrently.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the whole answer, or throws when none came within `timeout`
    /// (or the connection failed). An HTTP error status is an answer, not a throw.
    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse
    /// Releases connections and threads; no call is made afterwards.
    func shutdown() async
}

/// An HTTP request as the client builds it.
public struct TransportRequest: Sendable, Hashable {
    public var method: String
    public var url: URL
    /// Header names as sent; values as given.
    public var headers: [String: String]
    public var body: [UInt8]?

    public init(method: String, url: URL, headers: [String: String] = [:], body: [UInt8]? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// An HTTP answer: the status, the headers (names in lower case) and the body's bytes.
public struct TransportResponse: Sendable, Hashable {
    public var status: Int
    public var headers: [String: String]
    public var body: [UInt8]

    public init(status: Int, headers: [String: String] = [:], body: [UInt8] = []) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
