import Foundation
import SandboxSDK

/// The real transport, except that while `replacement` is set, every answer to a policy bundle
/// request (`GET /v1/policies/...`) has its body replaced by it (status 200): a node serving a
/// forged or an old bundle. Everything else goes to the real nodes.
final class BundleSwapTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `body` is only touched under `lock`.
    private let real = AsyncHTTPTransport(connectTimeout: .seconds(1))
    private let lock = NSLock()
    private var body: [UInt8]?

    var replacement: [UInt8]? {
        get { lock.withLock { body } }
        set { lock.withLock { body = newValue } }
    }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        if request.url.path.hasPrefix("/v1/policies/"), let replacement {
            // Asked of the real node first, so the exchange is as slow as a real one.
            _ = try? await real.send(request, timeout: min(timeout, .seconds(1)))
            return TransportResponse(status: 200, headers: ["content-type": "application/json"], body: replacement)
        }
        return try await real.send(request, timeout: timeout)
    }

    func shutdown() async { await real.shutdown() }
}
