import Foundation
import SandboxState
import ServerTestSupport
import Testing

/// Open approvals are capped per agent (256; the tenant cap of 4,096 is tested in the state
/// machine's `ApprovalLimitTests`), and a tenant's queue is not hidden by another tenant's flood:
/// its page is read from its own index before the limit, not filtered out of the cluster's oldest.
@Suite(.serialized, .timeLimit(.minutes(3))) struct ApprovalLimitsOverHTTPTests {
    let cluster = LocalCluster()
    let http = RawHTTP()

    func request(_ node: Int, agent: String, key: String, _ n: Int) async -> RawHTTP.Answer? {
        let hash = String(format: "%064x", n)
        let body = """
            {"agent_id": "\(agent)", "tool": "email.send", "params_hash": "\(hash)", "payload_redacted": {}}
            """
        return await http.retrying(
            cluster.url(node, "/v1/approvals"), "POST", body: body,
            headers: ["X-Agent-Key": key, "Content-Type": "application/json"])
    }

    /// The ids of a page of approvals.
    func all(_ page: RawHTTP.Answer?) -> [Int] {
        (page?.json["approvals"] as? [[String: Any]])?.compactMap { $0["id"] as? Int } ?? []
    }

    func created(_ answer: (status: Int, body: [String: Any])?) -> Bool { answer?.status == 200 }

    /// Asks for approvals `numbers` of an agent, 16 at a time over the three nodes; the statuses.
    func flood(agent: String, key: String, _ numbers: ClosedRange<Int>) async -> [Int] {
        var statuses: [Int] = []
        for chunk in stride(from: numbers.lowerBound, through: numbers.upperBound, by: 16) {
            let last = min(chunk + 15, numbers.upperBound)
            await withTaskGroup(of: Int.self) { group in
                for n in chunk...last {
                    group.addTask { await request(n % 3 + 1, agent: agent, key: key, n)?.status ?? 0 }
                }
                for await status in group { statuses.append(status) }
            }
        }
        return statuses
    }

    @Test func capsRefuseTheNextAndAFloodHidesNoOtherTenant() async throws {
        defer { cluster.stopAll() }
        try await cluster.startProvisioned(budget: 1000)
        #expect(created(await cluster.admin(1, "POST", "/v1/tenants", #"{"id": "globex", "name": "Globex"}"#)))
        #expect(
            created(
                await cluster.admin(
                    3, "POST", "/v1/tenants/globex/agents", #"{"agent_id": "gx", "api_key": "gx-key-0123456789"}"#)))
        let viewer = await cluster.admin(
            1, "POST", "/v1/tokens", #"{"id": "gvic", "role": "viewer", "tenant": "globex"}"#)
        let token = try #require(viewer?.body["token"] as? String)

        let cap = StateLimits().maxOpenApprovalsPerAgent
        let statuses = await flood(agent: "sales", key: "agent-key-0123456789", 1...cap)
        #expect(
            statuses.filter { $0 == 200 }.count == cap, "\(Dictionary(grouping: statuses) { $0 }.mapValues(\.count))")
        let agentCap = await request(1, agent: "sales", key: "agent-key-0123456789", cap + 1)
        #expect(agentCap?.status == 409 && agentCap?.errorCode == "too_many_open_approvals")
        #expect(agentCap?.json["error"].map { "\($0)" }?.contains("agent `sales`") == true)
        let theirs = await request(1, agent: "gx", key: "gx-key-0123456789", cap + 2)
        let id = try #require(theirs?.json["id"] as? Int, "\(String(describing: theirs))")

        // Acme's are older than globex's one: a page of two still shows globex its own.
        for (node, headers) in [(2, ["Authorization": "Bearer \(token)"]), (3, ["X-Agent-Key": "gx-key-0123456789"])] {
            let page = await http.retrying(cluster.url(node, "/v1/approvals?status=pending&limit=2"), headers: headers)
            let ids = (page?.json["approvals"] as? [[String: Any]])?.compactMap { $0["id"] as? Int }
            #expect(ids == [id], "\(String(describing: page))")
        }
        // Another tenant's approval answers as one that does not exist.
        let acme = try #require(
            (all(
                await http.retrying(
                    cluster.url(1, "/v1/approvals?status=pending&limit=1"),
                    headers: ["Authorization": "Bearer \(cluster.adminToken)"]))).first)
        for path in ["/v1/approvals/\(acme)", "/v1/approvals/999999999"] {
            let hidden = await http.retrying(cluster.url(2, path), headers: ["Authorization": "Bearer \(token)"])
            #expect(hidden?.status == 404 && hidden?.errorCode == "unknown_approval", "\(path)")
        }
        let all = await http.retrying(
            cluster.url(1, "/v1/approvals?status=pending&limit=500"),
            headers: ["Authorization": "Bearer \(cluster.adminToken)"])
        #expect((all?.json["approvals"] as? [Any])?.count == cap + 1, "\(String(describing: all))")
    }
}
