import Foundation
import JSON
import SandboxPolicy
import SandboxSDK
import SandboxSigning
import ServerTestSupport
import TestSupport
import Testing

/// The verified policy cache against a live 3-node cluster: a version published on another node
/// is seen by long poll within a second; a forged bundle and one signed by an unknown key are
/// refused and an older one ignored while the held one stays; what the policy denies statically is denied
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
        try await withClient(client) { client in
            try await waitFor("the first bundle") { await client.policy()?.version == 1 }
            try await Task.sleep(for: .milliseconds(300))  // the long poll is in flight

            try await publish(Self.strict, on: cluster)
            let published = ContinuousClock.now
            try await waitFor("version 2 by long poll", within: .seconds(10)) { await client.policy()?.version == 2 }
            let seen = ContinuousClock.now - published
            // By the long poll, not the 30 s refresh: well under it even on a loaded machine (a
            // second when idle; 3.5 s seen beside other suites at load 8).
            #expect(seen < .seconds(8), "a published version reaches the client by the long poll: \(seen)")

            try await refusals(client, swap, cluster)
            try await localDenials(cluster)
        }
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
        try await persistedFloor(cluster)
    }

    /// With `policyVersionFloorFile` the highest version verified survives the client: a new
    /// client (the agent restarted) refuses a lower one served by a node.
    func persistedFloor(_ cluster: LocalCluster) async throws {
        let directory = TemporaryDirectory("floor")
        var options = SandboxClientOptions()
        options.policyVersionFloorFile = directory.subpath("floor.json")
        let first = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey], options: options)
        let version = try await withClient(first) { client in
            let version = try await client.refreshPolicy().version
            #expect(await client.policyVersionFloor()?.version == version)
            #expect(await client.policyVersionFloor()?.writeError == nil)
            return version
        }
        let stored = try String(contentsOfFile: directory.subpath("floor.json"), encoding: .utf8)
        #expect(stored == #"{"agent_id":"sales","policy_version":\#(version)}"# + "\n", "\(stored)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["floor.json"])

        let older = try #require(await cluster.raw(2, "GET", "/v1/policies/sales/versions/1", headers: agent)?.data)
        let swap = BundleSwapTransport()
        swap.replacement = Array(older)
        let restarted = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey], options: options, transport: swap)
        try await withClient(restarted) { client in
            do {
                let snapshot = try await client.refreshPolicy()
                Issue.record("accepted version \(snapshot.version) below the persisted floor \(version)")
            } catch {
                #expect("\(error)".contains("older than \(version)"), "\(error)")
            }
            #expect(await client.policy() == nil)
        }
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
        // The older bundle (a lagging node's answer) is no refusal: refreshing returns the held
        // version and local denials stay as they were; a forged bundle or one under an unknown
        // key is refused and turns them off (the held policy may be stale).
        let cases: [([UInt8], refusal: String?, denyingLocally: Bool)] = [
            (Array(older), nil, true),
            (Array(try JSONSerialization.data(withJSONObject: forged)), "does not verify", false),
            (Array(stranger.jsonValue.serialized().utf8), "not among the known keys", false),
            (Array(older), nil, false),
        ]
        try await waitFor("local denials on") { await client.deniesLocally() }
        let (refusedBefore, staleBefore) = (await client.policyRefusals().count, await client.staleBundles())
        for (body, refusal, denyingLocally) in cases {
            swap.replacement = body
            do {
                let snapshot = try await client.refreshPolicy()
                #expect(
                    refusal == nil && snapshot.version == 2, "got version \(snapshot.version), not \(refusal ?? "")")
            } catch {
                #expect(refusal.map { "\(error)".contains($0) } ?? false, "\(error)")
            }
            let held = await client.policy()
            #expect(held?.version == 2 && held?.yaml == Self.strict)
            #expect(await client.deniesLocally() == denyingLocally, "after a bundle \(refusal ?? "older")")
        }
        #expect(await client.toolCall("payments.charge", params: ["amount": 5]).source == .server)
        swap.replacement = nil
        // Only the two refusals count; the long poll may have met the older bundle too.
        #expect(await client.policyRefusals().count - refusedBefore >= 2)
        #expect(await client.staleBundles() - staleBefore >= 2)
        #expect(await client.policyRefusals().last.map { "\($0)".contains("older") } == false)
        _ = try await client.refreshPolicy()  // the held version verifies again
        #expect(await client.deniesLocally())
    }

    /// Denied locally (no round trip), reported once though the first report's answer is lost.
    func localDenials(_ cluster: LocalCluster) async throws {
        let client = try SandboxClient(
            endpoints: cluster.endpoints, agentID: "sales", apiKey: LocalCluster.agentKey,
            policyPublicKeys: [LocalCluster.publicKey],
            transport: LosingTransport(losing: 1, of: "/v1/audit/local-denials"))
        try await withClient(client) { try await localDenials($0, cluster) }
    }

    func localDenials(_ client: SandboxClient, _ cluster: LocalCluster) async throws {
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
