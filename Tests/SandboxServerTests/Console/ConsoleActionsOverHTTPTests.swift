import Foundation
import ServerTestSupport
import Testing

/// What administrators do from the console, on a real 3-node cluster: an agent id with `:`
/// keeps its page after a publish and its line marks after a refusal; warnings are shown; a
/// shadow version's replay on audited requests shows what it would decide otherwise, it is
/// enforced, an older one rolled back to, a version put in shadow mode, and an approver is
/// refused each of them; the simulator changes nothing; the audit page filters,
/// verifies and links an export.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ConsoleActionsOverHTTPTests {
    @Test func administratorsActionsThroughTheConsole() async throws {
        let fixture = ApprovalsFixture()
        defer { fixture.cluster.stopAll() }
        try await fixture.start()
        let console = ConsoleClient(fixture: fixture)
        try await console.anAgentIdWithAColonKeepsItsPage()
        try await console.enforceRollBackAndShadowFromThePage()
        try await console.theSimulatorChangesNothing()
        try await console.theAuditPageFiltersVerifiesAndExports()
        try await console.theClusterPageListsLeaderChanges()
    }
}

extension ConsoleClient {
    func formToken(_ node: Int, _ path: String, cookie: String) async throws -> String {
        try #require(ApprovalsFixture.csrf(in: await get(node, path, cookie: cookie)?.text ?? ""))
    }

    /// Review M4 and L1: `ops:mail` is redirected to its own page (it was 404), a refused upload
    /// marks its line, and an upload with warnings says them (L5).
    func anAgentIdWithAColonKeepsItsPage() async throws {
        let created = await cluster.admin(1, "POST", "/v1/tenants/acme/agents", #"{"agent_id": "ops:mail"}"#)
        #expect(created?.status == 200, "\(String(describing: created))")
        let admin = try await signIn(2, token: cluster.adminToken)
        let csrf = try await formToken(2, "/console/policies/ops:mail", cookie: admin)
        let policy = "agent: \"ops:mail\"\ntools:\n  allow: [\"crm.read\"]\n"
        let published = await post(
            2, "/console/policies/ops:mail/upload", "csrf=\(csrf)&yaml=\(Self.encoded(policy))", cookie: admin)
        let location = try #require(published?.header("Location"), "\(String(describing: published))")
        #expect(location.hasPrefix("/console/policies/ops:mail?done=published"))
        let followed = await get(2, location, cookie: admin)
        #expect(followed?.status == 200 && followed?.text.contains("Done: published version") == true)
        let broken = "agent: \"ops:mail\"\ntools:\n  alow: [\"crm.read\"]\n"
        let refused = await post(
            2, "/console/policies/ops:mail/upload", "csrf=\(csrf)&yaml=\(Self.encoded(broken))", cookie: admin)
        #expect(refused?.text.contains("<li id=\"line-3\" class=\"bad\">") == true, "\(refused?.text ?? "")")
        let everything = "agent: \"ops:mail\"\ntools:\n  allow: [\"*\"]\n"
        let warned = await post(
            2, "/console/policies/ops:mail/upload", "csrf=\(csrf)&yaml=\(Self.encoded(everything))", cookie: admin)
        #expect(warned?.status == 200 && warned?.text.contains("Published with warnings") == true)
        #expect(warned?.text.contains("line 3: `*` in tools.allow allows every tool not denied") == true)
    }

    func policyHead(_ node: Int) async -> (enforced: Int, shadow: Int, latest: Int) {
        let answer = await fixture.get(node, "/v1/policies/sales/versions", as: "vic")
        let number = { (name: String) in answer?.json[name] as? Int ?? -1 }
        return (number("enforced"), number("shadow"), number("latest"))
    }

    /// A shadow upload, Enforce, a roll back and Shadow mode through the page's forms; an
    /// approver's posts of the same forms are refused (403) and change nothing.
    func enforceRollBackAndShadowFromThePage() async throws {
        let admin = try await signIn(1, token: cluster.adminToken)
        let alice = try await signIn(1, token: fixture.tokens["alice"] ?? "")
        let csrf = try await formToken(1, "/console/policies/sales", cookie: admin)
        let aliceCSRF = try await formToken(1, "/console/policies/sales", cookie: alice)
        let asked = await fixture.emailDecision(2, id: "replayed-1")
        #expect(asked?.json["decision"] as? String == "needs_approval", "\(String(describing: asked))")
        let start = await policyHead(3)
        // The candidate drops email.send: the replay of the audited request says it would deny.
        let next = "agent: \"sales\"\ntools:\n  allow: [\"crm.read\"]\nbudgets:\n  max_requests_per_day: 1000\n"
        let shadowed = await post(
            1, "/console/policies/sales/upload", "csrf=\(csrf)&mode=shadow&yaml=\(Self.encoded(next))", cookie: admin)
        #expect(shadowed?.status == 303)
        let candidate = start.latest + 1
        #expect(await policyHead(2) == (start.enforced, candidate, candidate))
        for action in ["activate", "shadow"] {
            let refused = await post(
                1, "/console/policies/sales/\(action)", "csrf=\(aliceCSRF)&version=\(candidate)", cookie: alice)
            #expect(refused?.status == 403, "an approver may not \(action)")
        }
        let again = await post(1, "/console/policies/sales/shadow", "csrf=\(csrf)&version=\(candidate)", cookie: admin)
        #expect(again?.header("Location")?.contains("in+shadow+mode") == true, "\(String(describing: again))")
        #expect(await policyHead(3) == (start.enforced, candidate, candidate), "nothing changed by the refusals")
        let page = try #require(await get(1, "/console/policies/sales", cookie: admin)).text
        #expect(page.contains("value=\"\(candidate)\">\n<button type=\"submit\" class=\"secondary\">Enforce"))
        // Right after the switch no decision was made in shadow yet; the replay answers at once.
        #expect(page.contains("Of 0 decisions"))
        let replay = try #require(page.range(of: "id=\"replay-differing\"")).upperBound
        let differing = page[replay...].prefix(1500)
        #expect(differing.contains("badge needs_approval\">needs_approval") && differing.contains("badge deny\">deny"))
        let enforced = await post(
            1, "/console/policies/sales/activate", "csrf=\(csrf)&version=\(candidate)", cookie: admin)
        #expect(enforced?.header("Location")?.contains("done=version+\(candidate)+enforced") == true)
        #expect(await policyHead(2) == (candidate, 0, candidate))
        let rolledBack = await post(
            1, "/console/policies/sales/activate", "csrf=\(csrf)&version=\(start.enforced)", cookie: admin)
        #expect(rolledBack?.header("Location")?.contains("done=version+\(candidate + 1)+enforced") == true)
        #expect(await policyHead(3) == (candidate + 1, 0, candidate + 1), "a roll back is a new version")
        let versions = try #require(await get(2, "/console/policies/sales", cookie: admin)).text
        #expect(versions.contains("\(candidate + 1) from \(start.enforced)"), "the copy says what it copied")
    }

    /// A call that needs an approval and one that is allowed, simulated: the audit, the budget
    /// and the approvals are as they were.
    func theSimulatorChangesNothing() async throws {
        let alice = try await signIn(3, token: fixture.tokens["alice"] ?? "")
        let csrf = try await formToken(3, "/console/simulate", cookie: alice)
        func snapshot() async -> [String] {
            let audit = await http.retrying(
                cluster.url(1, "/v1/audit/verify"), headers: ["Authorization": "Bearer \(cluster.adminToken)"])
            let budget = await fixture.get(1, "/v1/budgets/sales", as: "vic")
            let pending = await fixture.get(1, "/v1/approvals?status=pending", as: "vic")
            return [
                "\(audit?.json["last_seq"] ?? "-")", "\(budget?.json["requests_today"] ?? "-")",
                "\((pending?.json["approvals"] as? [Any])?.count ?? -1)",
            ]
        }
        let before = await snapshot()
        let outside = Self.encoded(#"{"recipient": "eve@outside.example", "body": "hi"}"#)
        for body in [
            "csrf=\(csrf)&agent=sales&kind=tool&tool=email.send&params=\(outside)",
            "csrf=\(csrf)&agent=sales&kind=tool&tool=crm.read&params=%7B%7D",
        ] {
            let result = await post(3, "/console/simulate", body, cookie: alice)
            #expect(result?.status == 200 && result?.text.contains("id=\"decision\">") == true)
        }
        #expect(await snapshot() == before, "simulating spends, asks and audits nothing")
        // Review L7: an agent and a pasted policy together are refused, not the paste ignored.
        let both = await post(
            3, "/console/simulate", "csrf=\(csrf)&agent=sales&policy=agent%3A+x&tool=crm.read", cookie: alice)
        #expect(both?.text.contains("choose an agent or paste a policy, not both") == true)
    }

    /// Filters keep only matching records; the chain verifies; the export link is a JSON array
    /// of the records since the window's start.
    func theAuditPageFiltersVerifiesAndExports() async throws {
        _ = await fixture.emailDecision(2, id: "audit-needs-1")
        let admin = try await signIn(2, token: cluster.adminToken)
        let page = try #require(
            await get(2, "/console/audit?agent=sales&outcome=needs_approval&window=hour", cookie: admin))
        let rows = page.text.components(separatedBy: "<td data-label=\"Outcome\">").dropFirst()
        #expect(!rows.isEmpty && rows.allSatisfy { $0.hasPrefix("<span class=\"badge needs_approval\">") })
        #expect(page.text.contains("id=\"chain-status\">Verified:"), "the chain verifies")
        let none = await get(2, "/console/audit?agent=ops:mail&outcome=deny", cookie: admin)
        #expect(none?.text.contains("No record matches.") == true)
        let link = try #require(page.text.range(of: "/console/audit/export\\?from=\\d+", options: .regularExpression))
        let export = await get(2, String(page.text[link]), cookie: admin)
        #expect(export?.status == 200 && export?.header("Content-Disposition")?.contains("attachment") == true)
        let records = try JSONSerialization.jsonObject(with: Data((export?.text ?? "").utf8)) as? [Any]
        #expect((records?.count ?? 0) >= rows.count)
    }

    /// Each node lists the leader changes it has seen: at least the first leader, on every node.
    func theClusterPageListsLeaderChanges() async throws {
        let admin = try await signIn(1, token: cluster.adminToken)
        for node in 1...3 {
            let page = try #require(await get(node, "/console/cluster", cookie: admin)).text
            let table = try #require(page.range(of: "id=\"leader-changes\"")).upperBound
            #expect(page[table...].contains("<td data-label=\"Leader\">node "), "node \(node)")
        }
    }
}
