import Foundation

/// What `cluster/seed` wrote (cluster/.local/seed.json): the cluster's endpoints, the demo
/// agents' ids and keys, the approver's and the viewer's tokens, the signing keys.
struct DemoSeed: Decodable, Sendable {
    struct Agent: Decodable, Sendable {
        var agentId: String
        var apiKey: String
        var policy: String
        var policyVersion: Int
    }

    struct Principal: Decodable, Sendable {
        var id: String
        var token: String
        var groups: [String]?
    }

    struct SigningKey: Decodable, Sendable {
        var keyId: String
        var publicKey: String
        var active: Bool
    }

    var tenant: String
    var endpoints: [String]
    var agents: [Agent]
    var approver: Principal
    var viewer: Principal
    var keys: [SigningKey]
    var approvalsUrl: String

    static func load(_ path: String) throws -> DemoSeed {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DemoFailure("cannot read \(path): run cluster/seed against a running cluster first")
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            return try decoder.decode(DemoSeed.self, from: data)
        } catch {
            throw DemoFailure("\(path) is not what cluster/seed writes (\(error)): run cluster/seed again")
        }
    }

    func agent(_ id: String) throws -> Agent {
        guard let agent = agents.first(where: { $0.agentId == id }) else {
            throw DemoFailure("the seed has no agent `\(id)`: run cluster/seed again")
        }
        return agent
    }

    /// The active signing key (base64 of the raw Ed25519 public key).
    var activeKey: SigningKey? { keys.first(where: \.active) }
}
