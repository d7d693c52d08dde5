import Foundation
import JSON
import SandboxSigning
import ServerTestSupport
import Testing

/// The policy API on a real 3-node cluster: publish on one node, decide on another; signed
/// bundles that verify with `GET /v1/keys`; ETag and 304; long polls that wake on a new version
/// and end at their wait; validation errors with line and column; tenant scoping; versions,
/// diff, rollback, shadow mode and simulation.
@Suite(.serialized, .timeLimit(.minutes(4))) struct PolicyOverHTTPTests {
    static let agentKey = "policy-test-agent-key-0123456789"
    static let helperKey = "policy-test-helper-key-0123456789"
    static let yaml = "application/x-yaml"

    static func policy(allow: String) -> String {
        "agent: \"sales\"\ntools:\n  allow: [\"\(allow)\"]\n"
    }

    @Test func policiesAcrossTheCluster() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await cluster.waitUntilReady([1, 2, 3])
        let otherAdmin = try await provision(cluster)

        // Published on node 1 with the agent's own key, it governs the next decision on node 3.
        let first = try await publish(
            cluster, on: 1, Self.policy(allow: "crm.read"), as: ["X-Agent-Key": Self.agentKey])
        #expect(first.json["version"] as? Int == 1 && first.json["policy_id"] as? String == "sales@1")
        #expect(await decision(cluster, on: 3, tool: "crm.read", id: "d1") == ["allow", "1"])
        let second = try await publish(cluster, on: 2, Self.policy(allow: "email.draft"), as: adminAuth(cluster))
        #expect(second.json["version"] as? Int == 2)
        #expect(await decision(cluster, on: 3, tool: "crm.read", id: "d2") == ["deny", "2"])

        // Another tenant's administrator may neither publish nor read it, nor learn that it exists.
        let foreign = await cluster.raw(
            3, "PUT", "/v1/policies/sales", body: Self.policy(allow: "*"),
            headers: otherAdmin.merging(["Content-Type": Self.yaml]) { $1 })
        #expect(
            foreign?.status == 404 && foreign?.errorCode == "unknown_agent", "\(String(describing: foreign?.json))")
        #expect(await cluster.raw(1, "GET", "/v1/policies/sales", headers: otherAdmin)?.errorCode == "unknown_agent")

        let etag = try await signedBundleVerifies(cluster, version: 2, signature: second.json["signature"] as? String)
        try await conditionalAndLongPolls(cluster, etag: etag)
        try await refusals(cluster)
        try await versionsDiffRollbackAndShadow(cluster)
        try await simulation(cluster)
    }

    /// Tenant `acme` with agent `sales`, tenant `globex` with an administrator; returns the
    /// latter's credentials.
    func provision(_ cluster: LocalCluster) async throws -> [String: String] {
        try await waitFor("the tenants to be created") {
            let acme = await cluster.admin(1, "POST", "/v1/tenants", #"{"id": "acme", "name": "Acme"}"#)
            return acme?.status == 200 || acme?.status == 409
        }
        let globex = await adminRetrying(cluster, 2, "POST", "/v1/tenants", #"{"id": "globex", "name": "Globex"}"#)
        #expect(globex?.status == 200 || globex?.status == 409, "\(String(describing: globex))")
        let agent = await adminRetrying(
            cluster, 3, "POST", "/v1/tenants/acme/agents", #"{"agent_id": "sales", "api_key": "\#(Self.agentKey)"}"#)
        #expect(agent?.status == 200 || agent?.status == 409, "\(String(describing: agent))")
        let helper = await adminRetrying(
            cluster, 1, "POST", "/v1/tenants/acme/agents", #"{"agent_id": "helper", "api_key": "\#(Self.helperKey)"}"#)
        #expect(helper?.status == 200 || helper?.status == 409, "\(String(describing: helper))")
        let token = await adminRetrying(
            cluster, 1, "POST", "/v1/tokens", #"{"id": "globex-admin", "role": "admin", "tenant": "globex"}"#)
        let auth = ["Authorization": "Bearer \(try #require(token?.body["token"] as? String))"]
        // Credentials are checked against each node's applied state: wait until every node has them.
        for node in 1...3 {
            try await waitFor("credentials on node \(node)") {
                let agentAuth = await cluster.raw(
                    node, "GET", "/v1/policies/sales", headers: ["X-Agent-Key": Self.agentKey])
                let tokenAuth = await cluster.raw(node, "GET", "/v1/policies/sales", headers: auth)
                return agentAuth?.status == 404 && tokenAuth?.errorCode == "unknown_agent"
            }
        }
        return auth
    }

    /// An administrator's call, asked again (bounded) while the answer is a retryable 503 (a
    /// loaded machine); a creation retried after an unknown outcome may answer 409.
    func adminRetrying(_ cluster: LocalCluster, _ node: Int, _ method: String, _ path: String, _ body: String) async
        -> (status: Int, body: [String: Any])?
    {
        var answer = await cluster.admin(node, method, path, body)
        let deadline = ContinuousClock.now + .seconds(20)
        while answer == nil || answer?.status == 503, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(200))
            answer = await cluster.admin(node, method, path, body)
        }
        return answer
    }

    func adminAuth(_ cluster: LocalCluster) -> [String: String] { ["Authorization": "Bearer \(cluster.adminToken)"] }

    func publish(_ cluster: LocalCluster, on node: Int, _ text: String, as auth: [String: String], query: String = "")
        async throws -> LocalCluster.RawAnswer
    {
        let answer = await cluster.raw(
            node, "PUT", "/v1/policies/sales\(query)", body: text,
            headers: auth.merging(["Content-Type": Self.yaml]) { $1 })
        #expect(answer?.status == 200, "\(String(describing: answer?.json))")
        return try #require(answer)
    }

    /// The decision and the policy version that made it; a retryable 503 (a leadership change
    /// under load) is asked again with the same request id, as a client does (bounded).
    func decision(_ cluster: LocalCluster, on node: Int, tool: String, id: String) async -> [String] {
        var answer: (status: Int, body: [String: Any])?
        let deadline = ContinuousClock.now + .seconds(30)
        repeat {
            if answer != nil { try? await Task.sleep(for: .milliseconds(100)) }
            answer = await cluster.call(
                node, "POST", "/v1/decisions", json: #"{"tool": "\#(tool)", "params": {}}"#,
                headers: ["X-Agent-Key": Self.agentKey, "Idempotency-Key": id])
        } while (answer == nil || answer?.status == 503) && ContinuousClock.now < deadline
        return [answer?.body["decision"] as? String ?? "none", "\(answer?.body["policy_version"] as? Int ?? -1)"]
    }

    /// The bundle from node 3 verifies with the key `GET /v1/keys` serves on node 1, offline
    /// through `sandboxctl policy verify` too, and a tampered copy does not. Returns its ETag.
    func signedBundleVerifies(_ cluster: LocalCluster, version: Int, signature: String?) async throws -> String {
        let answer = try #require(await cluster.raw(3, "GET", "/v1/policies/sales", headers: adminAuth(cluster)))
        #expect(answer.status == 200)
        let etag = try #require(answer.headers["etag"])
        let signed = try SignedBundle(json: try JSONValue(parsing: Array(answer.data)))
        #expect(signed.bundle.version == UInt64(version) && signed.bundle.yaml == Self.policy(allow: "email.draft"))
        #expect(signed.signatureBase64 == signature, "every node signs a version alike")
        let keys = try #require(await cluster.raw(1, "GET", "/v1/keys"))
        let list = try #require(keys.json["keys"] as? [[String: Any]])
        let key = try VerificationKey(text: try #require(list.first?["public_key"] as? String))
        #expect(list.first?["active"] as? Bool == true && list.first?["key_id"] as? String == key.keyID)
        try signed.verify(with: [key])

        let directory = cluster.directory
        let bundleFile = directory.subpath("bundle.json")
        let keysFile = directory.subpath("keys.json")
        try answer.data.write(to: URL(fileURLWithPath: bundleFile))
        try keys.data.write(to: URL(fileURLWithPath: keysFile))
        #expect(try runVerify([bundleFile, "--public-key", keysFile, "--agent", "sales"]) == 0)
        #expect(try runVerify([bundleFile, "--public-key", keysFile, "--min-version", "\(version + 1)"]) == 1)
        var tampered = signed
        tampered.bundle.yaml = Self.policy(allow: "*")
        try Data(tampered.jsonValue.serialized().utf8).write(to: URL(fileURLWithPath: bundleFile))
        #expect(try runVerify([bundleFile, "--public-key", keysFile]) == 1)
        try Data("not json".utf8).write(to: URL(fileURLWithPath: bundleFile))
        #expect(try runVerify([bundleFile, "--public-key", keysFile]) == 2)
        return etag
    }

    func runVerify(_ arguments: [String]) throws -> Int32 { try PolicyVerifyCLITests.run(arguments) }
}
