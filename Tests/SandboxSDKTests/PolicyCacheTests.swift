import Foundation
import JSON
import SandboxPolicy
import SandboxSDK
import SandboxSigning
import ServerTestSupport
import Testing

/// The verified policy cache against a live 3-node cluster: a version published on another node
/// is seen by long poll within a second; a forged bundle, one signed by an unknown key and an
/// older one are refused while the held one stays; what the policy denies statically is denied
/// locally and is in the audit exactly once, even when a report's answer is lost and it is sent
/// again.
@Suite(.serialized, .timeLimit(.minutes(4))) struct PolicyCacheTests {
    static let strict = """
        agent: "sales"
        tools:
          allow: ["crm.read"]
          deny: ["payments.*"]
        network:
          deny_all_others: true
          allow_domains: ["api.company.com"]
        budgets:
          max_requests_per_day: 1000
        """

    @Test func longPollForgeriesRollbacksAndLocalDenials() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 1_000)
        let swap = BundleSwapTransport()
        let client = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey], transport: swap)
        try await waitFor("the first bundle") { await client.policy()?.version == 1 }
        try await Task.sleep(for: .milliseconds(300))  // the long poll is in flight

        try await publish(Self.strict, on: cluster)
        let published = ContinuousClock.now
        try await waitFor("version 2 by long poll", within: .seconds(10)) { await client.policy()?.version == 2 }
        let seen = ContinuousClock.now - published
        #expect(seen < .seconds(1), "a published version reaches the client within a second: \(seen)")

        try await refusals(client, swap, cluster)
        try await localDenials(cluster)
        await client.close()
        try await versionFloor(cluster)
    }

    /// A client given the version the agent last ran with refuses any lower one from the start.
    func versionFloor(_ cluster: LocalCluster) async throws {
        var options = SandboxClientOptions()
        options.minimumPolicyVersion = 3
        let client = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey], options: options)
        do {
            let snapshot = try await client.refreshPolicy()
            Issue.record("accepted version \(snapshot.version) below the floor of 3")
        } catch {
            #expect("\(error)".contains("older than 3"), "\(error)")
        }
        let held = await client.policy()
        let denying = await client.deniesLocally()
        #expect(held == nil && !denying)
        await client.close()
    }

    /// Forged, unknown-key and older bundles are refused; the held version stays.
    func refusals(_ client: SandboxClient, _ swap: BundleSwapTransport, _ cluster: LocalCluster) async throws {
        let genuine = try #require(await cluster.raw(1, "GET", "/v1/policies/sales", headers: agent)?.data)
        var forged = try #require(try JSONSerialization.jsonObject(with: genuine) as? [String: Any])
        var bundle = try #require(forged["bundle"] as? [String: Any])
        let widened = Self.strict.replacingOccurrences(of: "\"crm.read\"", with: "\"crm.read\", \"payments.*\"")
        bundle["yaml"] = widened
        bundle["sha256"] = PolicyBundle.digest(of: widened)
        forged["bundle"] = bundle
        var random = SystemRandomNumberGenerator()
        let stranger = KeyRing(signingKey: SigningKey.generate(using: &random)).sign(
            PolicyBundle(agentID: "sales", version: 9, yaml: widened, timestamp: 1))
        let older = try #require(await cluster.raw(2, "GET", "/v1/policies/sales/versions/1", headers: agent)?.data)
        // The older bundle comes first: a lagging node's answer leaves local denials on; a forged
        // bundle or one under an unknown key turns them off (the held policy may be stale).
        let cases: [([UInt8], String, denyingLocally: Bool)] = [
            (Array(older), "older than 2", true),
            (Array(try JSONSerialization.data(withJSONObject: forged)), "does not verify", false),
            (Array(stranger.jsonValue.serialized().utf8), "not among the known keys", false),
            (Array(older), "older than 2", false),
        ]
        try await waitFor("local denials on") { await client.deniesLocally() }
        for (body, expected, denyingLocally) in cases {
            swap.replacement = body
            do {
                let snapshot = try await client.refreshPolicy()
                Issue.record("accepted version \(snapshot.version), expected a refusal (\(expected))")
            } catch {
                #expect("\(error)".contains(expected), "\(error)")
            }
            let held = await client.policy()
            #expect(held?.version == 2 && held?.yaml == Self.strict)
            #expect(await client.deniesLocally() == denyingLocally, "after a bundle \(expected)")
        }
        #expect(await client.toolCall("payments.charge", params: ["amount": 5]).source == .server)
        swap.replacement = nil
        #expect(await client.policyRefusals().count >= 4)
        _ = try await client.refreshPolicy()  // the held version verifies again
        #expect(await client.deniesLocally())
    }

    /// Denied locally (no round trip), reported once though the first report's answer is lost.
    func localDenials(_ cluster: LocalCluster) async throws {
        let client = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey],
            transport: LosingTransport(losing: 1, of: "/v1/audit/local-denials"))
        _ = try await client.refreshPolicy()
        let charge = await client.toolCall("payments.charge", params: ["amount": 5])
        let fetch = await client.httpRequest(method: "GET", url: "https://evil.example/steal")
        let read = await client.toolCall("crm.read", params: [:])
        #expect(charge.source == .localPolicy && charge.outcome == .deny && charge.rule == "tools.deny[0]")
        #expect(fetch.source == .localPolicy && fetch.outcome == .deny, "\(fetch)")
        #expect(read.source == .server && read.isAllowed, "what the policy allows is asked of the cluster")
        await client.close()  // flushes the queue
        let queue = await client.localDenials()
        #expect(queue.pending == 0 && queue.reported == 2, "\(queue)")
        let export = await RawHTTP().retrying(
            cluster.url(3, "/v1/audit/export"), headers: ["Authorization": "Bearer \(cluster.adminToken)"])
        let records =
            (try? JSONSerialization.jsonObject(with: Data((export?.text ?? "").utf8))) as? [[String: Any]] ?? []
        for decision in [charge, fetch] {
            let found = records.filter { $0["request_id"] as? String == decision.requestID }
            #expect(found.count == 1, "\(decision.requestID): \(found)")
            #expect(found.first?["decided_by"] as? String == "sdk" && found.first?["outcome"] as? String == "deny")
        }
        #expect(await cluster.requestsToday(on: 1) == 1, "only the server's allow is debited")
    }

    var agent: [String: String] { ["X-Agent-Key": LocalCluster.agentKey] }

    func publish(_ yaml: String, on cluster: LocalCluster) async throws {
        let answer = await cluster.raw(
            2, "PUT", "/v1/policies/sales", body: yaml,
            headers: ["Authorization": "Bearer \(cluster.adminToken)", "Content-Type": "application/x-yaml"])
        #expect(answer?.status == 200, "\(String(describing: answer?.json))")
    }
}
