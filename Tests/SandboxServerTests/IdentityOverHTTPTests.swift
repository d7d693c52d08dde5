import Foundation
import SandboxState
import ServerTestSupport
import Testing

/// The identity API on a real 3-node cluster, each call on a different node than the last:
/// tenants and agents with the MVP's shapes, key rotation, disable, scoped tokens, expiry,
/// revocation and groups.
@Suite(.serialized, .timeLimit(.minutes(4))) struct IdentityOverHTTPTests {
    typealias Answer = (status: Int, body: [String: Any])

    static func code(_ answer: Answer?) -> String? {
        (answer?.body["error"] as? [String: Any])?["code"] as? String
    }

    /// A call that waits (bounded) for `node` to have applied what another node just wrote.
    static func eventually(
        _ cluster: LocalCluster, _ node: Int, _ method: String, _ path: String, json: String? = nil,
        headers: [String: String], status: Int
    ) async throws -> Answer? {
        var answer: Answer?
        try await waitFor("\(method) \(path) on node \(node) to answer \(status)", within: .seconds(30)) {
            answer = await cluster.call(node, method, path, json: json, headers: headers)
            // The failed-authentication limiter (burst 20, then 1 a second per address) answers
            // 429 once the earlier waits for a 401 used the burst: polling every 100 ms would
            // keep it empty, so wait for its refill as Retry-After says.
            if answer?.status == 429, status != 429 { try? await Task.sleep(for: .seconds(1)) }
            return answer?.status == status
        }
        return answer
    }

    @Test func tenantsAgentsAndKeysWithTheMVPShapes() async throws {
        let cluster = LocalCluster()
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await cluster.waitUntilReady([1, 2, 3])
        let tenant = await cluster.admin(1, "POST", "/v1/tenants", #"{"name": "Acme Corp"}"#)
        #expect(tenant?.status == 200 && tenant?.body["id"] as? String == "acme_corp", "\(String(describing: tenant))")
        #expect(tenant?.body["name"] as? String == "Acme Corp")
        let again = await cluster.admin(2, "POST", "/v1/tenants", #"{"name": "Acme Corp"}"#)
        #expect(again?.status == 409 && Self.code(again) == "tenant_exists")

        let agent = await cluster.admin(
            2, "POST", "/v1/tenants/acme_corp/agents",
            #"{"agent_id": "sales_assistant", "api_key": "DEV-AGENT-KEY-123"}"#)
        #expect(agent?.status == 200, "\(String(describing: agent))")
        #expect(
            agent?.body["id"] as? String == "sales_assistant"
                && agent?.body["api_key"] as? String == "DEV-AGENT-KEY-123")
        // The key id is no prefix of the key's SHA-256 (a viewer could test guesses of a weak key
        // against it offline), and every node names the key alike.
        let keyID = try #require(agent?.body["key_id"] as? String)
        let hashPrefix = SHA256.hash(Array("DEV-AGENT-KEY-123".utf8)).prefix(8).map { String(format: "%02x", $0) }
        #expect(keyID.count == 16 && keyID != hashPrefix.joined(), "\(keyID)")
        for node in [3, 1, 2] {
            let shown = try await Self.eventually(
                cluster, node, "GET", "/v1/agents/sales_assistant", headers: ["X-Agent-Key": "DEV-AGENT-KEY-123"],
                status: 200)
            #expect(shown?.body["key_ids"] as? [String] == [keyID], "node \(node)")
        }
        let generated = await cluster.admin(3, "POST", "/v1/tenants/acme_corp/agents", #"{"agent_id": "helper"}"#)
        let helperKey = try #require(generated?.body["api_key"] as? String)
        #expect(helperKey.count >= 32)
        let unknownTenant = await cluster.admin(1, "POST", "/v1/tenants/nope/agents", #"{"agent_id": "x"}"#)
        #expect(unknownTenant?.status == 404 && Self.code(unknownTenant) == "unknown_tenant")
        let badID = await cluster.admin(1, "POST", "/v1/tenants/acme_corp/agents", #"{"agent_id": "a b"}"#)
        #expect(badID?.status == 400 && Self.code(badID) == "bad_identifier")

        // Rotation: a second key works beside the first until the first is revoked.
        let oldKey = ["X-Agent-Key": helperKey]
        let rotated = await cluster.admin(1, "POST", "/v1/agents/helper/keys", "{}")
        let newKey = ["X-Agent-Key": try #require(rotated?.body["api_key"] as? String)]
        let view = try await Self.eventually(cluster, 3, "GET", "/v1/agents/helper", headers: newKey, status: 200)
        #expect((view?.body["key_ids"] as? [String])?.count == 2)
        #expect(await cluster.call(3, "GET", "/v1/agents/helper", headers: oldKey)?.status == 200)
        let oldID = try #require((view?.body["key_ids"] as? [String])?.first)
        // Node 2 has the old key in its agent key cache; the revoke answered by node 2 is
        // applied there, and the very next request with the key is refused (no eventually).
        _ = try await Self.eventually(cluster, 2, "GET", "/v1/agents/helper", headers: oldKey, status: 200)
        let revoked = await cluster.admin(2, "DELETE", "/v1/agents/helper/keys/\(oldID)", "")
        #expect(revoked?.status == 200, "\(String(describing: revoked))")
        #expect(await cluster.call(2, "GET", "/v1/agents/helper", headers: oldKey)?.status == 401)
        _ = try await Self.eventually(cluster, 1, "GET", "/v1/agents/helper", headers: oldKey, status: 401)
        #expect(await cluster.call(1, "GET", "/v1/agents/helper", headers: newKey)?.status == 200)
        #expect(await cluster.call(1, "GET", "/v1/agents/sales_assistant", headers: newKey)?.status == 403)

        // Disabled: the key is refused (403) until enabled again; at once on the node that
        // answered the disable (its cache held the agent: node 3 served the new key above).
        #expect(await cluster.admin(3, "POST", "/v1/agents/helper/disable", "")?.status == 200)
        #expect(await cluster.call(3, "GET", "/v1/agents/helper", headers: newKey)?.status == 403)
        let disabled = try await Self.eventually(
            cluster, 2, "GET", "/v1/agents/helper", headers: newKey, status: 403)
        #expect(Self.code(disabled) == "agent_disabled")
        #expect(await cluster.admin(1, "POST", "/v1/agents/helper/enable", "")?.status == 200)
        _ = try await Self.eventually(cluster, 2, "GET", "/v1/agents/helper", headers: newKey, status: 200)

        try await tokensAndGroups(cluster)
    }

    func tokensAndGroups(_ cluster: LocalCluster) async throws {
        #expect(await cluster.admin(1, "POST", "/v1/tenants", #"{"id": "globex", "name": "Globex"}"#)?.status == 200)
        // A name is up to 256 bytes, as the state machine stores it: 100 three-byte characters are over.
        let wide = String(repeating: "日", count: 100)
        let tooWide = await cluster.admin(1, "POST", "/v1/tenants", #"{"id": "wide", "name": "\#(wide)"}"#)
        #expect(tooWide?.status == 400 && Self.code(tooWide) == "bad_request", "\(String(describing: tooWide))")
        let created = await cluster.admin(
            2, "POST", "/v1/tokens", #"{"id": "acme-admin", "role": "admin", "tenant": "acme_corp"}"#)
        #expect(created?.status == 200, "\(String(describing: created))")
        let acmeAdmin = ["Authorization": "Bearer \(try #require(created?.body["token"] as? String))"]
        let own = try await Self.eventually(
            cluster, 3, "POST", "/v1/tenants/acme_corp/agents", json: #"{"agent_id": "acme-bot"}"#,
            headers: acmeAdmin, status: 200)
        #expect(own?.body["agent_id"] as? String == "acme-bot")
        let other = await cluster.call(
            3, "POST", "/v1/tenants/globex/agents", json: #"{"agent_id": "globex-bot"}"#, headers: acmeAdmin)
        #expect(other?.status == 403, "another tenant's agent")
        // Another tenant's agent answers as an id that does not exist: no tenant learns which
        // ids exist elsewhere.
        #expect(
            await cluster.admin(2, "POST", "/v1/tenants/globex/agents", #"{"agent_id": "globex-bot"}"#)?.status == 200)
        for path in ["/v1/agents/", "/v1/policies/", "/v1/budgets/"] {
            let foreign = try await Self.eventually(
                cluster, 1, "GET", path + "globex-bot", headers: acmeAdmin, status: 404)
            let ghost = await cluster.call(1, "GET", path + "no-such-bot", headers: acmeAdmin)
            #expect(Self.code(foreign) == "unknown_agent" && Self.code(ghost) == "unknown_agent", "\(path)")
            #expect(ghost?.status == 404)
        }
        let simulate = await cluster.call(
            3, "POST", "/v1/policy/simulate", json: #"{"agent_id": "globex-bot", "request": {"tool": "x"}}"#,
            headers: acmeAdmin)
        #expect(simulate?.status == 404 && Self.code(simulate) == "unknown_agent")
        #expect(
            await cluster.call(1, "POST", "/v1/tenants", json: #"{"name": "x"}"#, headers: acmeAdmin)?.status == 403)

        let viewer = await cluster.call(
            1, "POST", "/v1/tokens", json: #"{"id": "acme-viewer", "role": "viewer", "tenant": "acme_corp"}"#,
            headers: acmeAdmin)
        let viewerAuth = ["Authorization": "Bearer \(try #require(viewer?.body["token"] as? String))"]
        _ = try await Self.eventually(cluster, 2, "GET", "/v1/agents/helper", headers: viewerAuth, status: 200)
        let viewerWrites = await cluster.call(2, "POST", "/v1/agents/helper/disable", headers: viewerAuth)
        #expect(viewerWrites?.status == 403 && Self.code(viewerWrites) == "forbidden")
        let escalate = await cluster.call(
            2, "POST", "/v1/tokens", json: #"{"id": "root2", "role": "admin"}"#, headers: acmeAdmin)
        #expect(escalate?.status == 403, "a tenant admin cannot mint a cluster-wide token")

        let list = await cluster.call(3, "GET", "/v1/tokens", headers: acmeAdmin)
        let rows = try #require(list?.body["tokens"] as? [[String: Any]])
        #expect(Set(rows.compactMap { $0["id"] as? String }) == ["acme-admin", "acme-viewer"])
        #expect(rows.allSatisfy { $0["token"] == nil }, "no secrets in the list")
        // Another tenant's principals fill the first 100 in id order: the tenant admin's page
        // reads past them, and its cursor never names one (it once was the 100th, `g-097`).
        for index in 0..<105 {
            let id = "g-" + String(repeating: "0", count: 3 - String(index).count) + String(index)
            let made = await cluster.admin(
                1, "POST", "/v1/tokens", #"{"id": "\#(id)", "role": "viewer", "tenant": "globex"}"#)
            #expect(made?.status == 200, "\(id)")
        }
        let paged = await cluster.call(1, "GET", "/v1/tokens", headers: acmeAdmin)
        let pagedIDs = try #require(paged?.body["tokens"] as? [[String: Any]]).compactMap { $0["id"] as? String }
        #expect(
            pagedIDs == ["acme-admin", "acme-viewer"] && paged?.body["next"] == nil, "\(String(describing: paged))")
        let all = await cluster.admin(1, "GET", "/v1/tokens", "")
        let allRows = try #require(all?.body["tokens"] as? [[String: Any]])
        #expect(allRows.count == 100 && all?.body["next"] as? String == allRows.last?["id"] as? String)

        #expect(await cluster.call(1, "DELETE", "/v1/tokens/acme-viewer", headers: acmeAdmin)?.status == 200)
        let gone = try await Self.eventually(cluster, 3, "GET", "/v1/agents/helper", headers: viewerAuth, status: 401)
        #expect(Self.code(gone) == "invalid_credentials")

        let short = await cluster.admin(
            2, "POST", "/v1/tokens", #"{"id": "brief", "role": "viewer", "expires_in_s": 1}"#)
        let shortAuth = ["Authorization": "Bearer \(try #require(short?.body["token"] as? String))"]
        let expired = try await Self.eventually(
            cluster, 2, "GET", "/v1/tenants/acme_corp", headers: shortAuth, status: 401)
        #expect(Self.code(expired) == "token_expired")

        let approver = await cluster.admin(1, "POST", "/v1/tokens", #"{"id": "ann", "role": "approver"}"#)
        #expect(approver?.status == 200)
        #expect(await cluster.admin(1, "PUT", "/v1/groups/finance/members/ann", "")?.status == 200)
        let nobody = await cluster.admin(1, "PUT", "/v1/groups/finance/members/nobody", "")
        #expect(nobody?.status == 404 && Self.code(nobody) == "unknown_principal")
        #expect(await cluster.admin(3, "DELETE", "/v1/groups/finance/members/ann", "")?.status == 200)
    }
}
