import Foundation
import JSON
import SandboxSDK
import SandboxSigning

/// A transport whose answers come from `route` (given each request), recording every request:
/// for the reporter's rules without a cluster. `bundle` signs a policy as a node would.
final class RoutedTransport: HTTPTransport, @unchecked Sendable {
    // @unchecked: `seen` is only touched under `lock`; `route` is immutable.
    private let lock = NSLock()
    private var seen: [TransportRequest] = []
    private let route: @Sendable (TransportRequest) -> TransportResponse

    init(_ route: @escaping @Sendable (TransportRequest) -> TransportResponse) { self.route = route }

    var requests: [TransportRequest] { lock.withLock { seen } }

    func send(_ request: TransportRequest, timeout: Duration) async throws -> TransportResponse {
        lock.withLock { seen.append(request) }
        return route(request)
    }

    func shutdown() async {}

    static let keys: KeyRing = {
        var random = SystemRandomNumberGenerator()
        return KeyRing(signingKey: SigningKey.generate(using: &random))
    }()

    /// A signed bundle of agent `a` denying `payments.*` and allowing `crm.read`.
    static let bundle: [UInt8] = {
        let yaml = "agent: a\ntools:\n  allow: [\"crm.read\"]\n  deny: [\"payments.*\"]\n"
        let signed = keys.sign(PolicyBundle(agentID: "a", version: 1, yaml: yaml, timestamp: 1))
        return Array(signed.jsonValue.serialized().utf8)
    }()

    /// The denials of a report's body.
    static func denials(_ request: TransportRequest) -> [JSONObject] {
        guard let body = request.body, case .object(let report)? = try? JSONValue(parsing: body),
            case .array(let items)? = report["denials"]
        else { return [] }
        return items.compactMap { if case .object(let denial) = $0 { denial } else { nil } }
    }
}
