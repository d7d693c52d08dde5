import Foundation
import SandboxSDK

/// The real transport, except that the answers to the first `count` requests whose path starts
/// with `prefix` are lost after the node received them (the request is sent, and the caller
/// sees a timeout): what a client meets when a node dies after applying a request.
final class LosingTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `remaining` is only touched under `lock`.
    private let real = AsyncHTTPTransport(connectTimeout: .seconds(1))
    private let prefix: String
    private let lock = NSLock()
    private var remaining: Int

    init(losing count: Int, of prefix: String) {
        self.prefix = prefix
        remaining = count
    }

    struct Lost: Error {}

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let answer = try await real.send(request, timeout: timeout)
        let lose =
            request.url.path.hasPrefix(prefix)
            && lock.withLock {
                guard remaining > 0 else { return false }
                remaining -= 1
                return true
            }
        if lose { throw Lost() }
        return answer
    }

    func shutdown() async { await real.shutdown() }
}
