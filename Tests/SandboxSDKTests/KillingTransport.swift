import Foundation
import SandboxSDK

/// The real transport, except that the first `count` requests whose path starts with `prefix`
/// have their node killed while they are in flight: the request is sent, and `delay` later (the
/// node may or may not have decided it by then) `kill` is called with the node's URL; the
/// exchange then ends however it ends (an answer that made it out, or a dropped connection).
final class KillingTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `remaining` and `killed` are only touched under `lock`.
    private let real = AsyncHTTPTransport(connectTimeout: .seconds(1))
    private let prefix: String
    private let delay: Duration
    private let kill: @Sendable (URL) -> Void
    private let lock = NSLock()
    private var remaining: Int
    private var victims: [URL] = []
    private var seen: [TransportRequest] = []

    init(killing count: Int, during prefix: String, after delay: Duration, kill: @escaping @Sendable (URL) -> Void) {
        self.prefix = prefix
        self.delay = delay
        self.kill = kill
        remaining = count
    }

    /// The nodes killed, in order.
    var killed: [URL] { lock.withLock { victims } }
    /// Every request to `prefix` sent, in order.
    var requests: [TransportRequest] { lock.withLock { seen } }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        let armed =
            request.url.path.hasPrefix(prefix)
            && lock.withLock {
                seen.append(request)
                guard remaining > 0 else { return false }
                remaining -= 1
                victims.append(request.url)
                return true
            }
        guard armed else { return try await real.send(request, timeout: timeout) }
        let (real, kill, delay) = (real, kill, delay)
        async let answer = real.send(request, timeout: timeout)
        try? await Task.sleep(for: delay)
        kill(request.url)
        return try await answer
    }

    func shutdown() async { await real.shutdown() }
}
