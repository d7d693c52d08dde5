import Foundation
import JSON
import SandboxSDK
import SandboxSigning
import ServerTestSupport

/// A provisioned live cluster (`LocalCluster.startProvisioned`: agent `sales`, key
/// `agent-key-0123456789`, a policy allowing `crm.read`) and clients of it.
extension LocalCluster {
    static let agentKey = "agent-key-0123456789"

    /// The cluster's policy-signing public key (base64), as `GET /v1/keys` serves it.
    static var publicKey: String {
        (try? SigningKey(text: signingKey).verificationKey.base64) ?? ""
    }

    var endpoints: [URL] { (1...size).map { URL(string: "http://\(httpAddress($0))")! } }

    /// A client of every node; with `caching`, it verifies and caches the policy.
    func client(caching: Bool = false, _ configure: (inout SandboxClientOptions) -> Void = { _ in }) throws
        -> SandboxClient
    {
        var options = SandboxClientOptions()
        options.deadline = .seconds(30)  // elections on a loaded 2-core machine
        configure(&options)
        return try SandboxClient(
            endpoints: endpoints, agentID: "sales", apiKey: Self.agentKey,
            policyPublicKeys: caching ? [Self.publicKey] : [], options: options)
    }

    /// Today's request count of agent `sales`, read (linearizably) from `node`.
    func requestsToday(on node: Int) async -> Int? {
        let answer = await raw(node, "GET", "/v1/budgets/sales", headers: ["X-Agent-Key": Self.agentKey])
        return answer?.json["requests_today"] as? Int
    }
}
