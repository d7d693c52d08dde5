import Foundation
import ServerTestSupport
import Testing

/// The console's long lists on a real 3-node cluster: the approvals history shows the newest
/// resolutions first however many there are, with a link to older ones; the policies page shows
/// an agent's newest versions, their forms and the last change after more than 100 versions.
/// Last, a node cut off from the others cannot check a session: it says so (503), it does not
/// trust its possibly stale state.
@Suite(.serialized, .timeLimit(.minutes(6))) struct ConsolePagingOverHTTPTests {
    @Test func longHistoriesShowTheNewestFirst() async throws {
        let fixture = ApprovalsFixture()
        defer { fixture.cluster.stopAll() }
        try await fixture.start()
        let console = ConsoleClient(fixture: fixture)
        try await console.historyShowsTheNewestResolutions()
        try await console.policiesShowTheNewestVersions()
        try await console.noReadPointNoSessionCheck()
    }
}

extension ConsoleClient {
    /// 102 approvals, each denied through the API: the history's first page holds the last one
    /// (it held the oldest 100 of each status before), and its "older" link pages down.
    func historyShowsTheNewestResolutions() async throws {
        var ids: [Int] = []
        for index in 1...(ConsoleClient.historyPage + 2) {
            let asked = await fixture.emailDecision(index % 3 + 1, id: "history-\(index)")
            let id = try #require(asked?.json["approval_id"] as? Int, "\(String(describing: asked))")
            let denied = await fixture.vote(index % 3 + 1, id, "deny", as: "alice")
            #expect(denied?.json["status"] as? String == "denied", "\(String(describing: denied))")
            ids.append(id)
        }
        let alice = try await signIn(2, token: fixture.tokens["alice"] ?? "")
        let rows = try #require(await get(2, "/console/approvals/rows?tab=history", cookie: alice)).text
        #expect(rows.contains("id=\"approval-\(ids.last ?? 0)\""), "the newest resolution is on the first page")
        #expect(!rows.contains("id=\"approval-\(ids[0])\""), "the oldest is on the next page")
        let shown = rows.components(separatedBy: "<tr id=\"approval-").dropFirst().compactMap {
            Int($0.prefix { $0.isNumber })
        }
        #expect(shown == shown.sorted(by: >) && shown.count == ConsoleClient.historyPage, "\(shown)")
        let older = try #require(rows.range(of: "tab=history&amp;before=\\d+", options: .regularExpression), "\(rows)")
        let cursor = rows[older].replacingOccurrences(of: "&amp;", with: "&")
        let next = try #require(await get(2, "/console/approvals?\(cursor)", cookie: alice)).text
        #expect(next.contains("id=\"approval-\(ids[0])\""), "the oldest on the older page")
        #expect(!next.contains("id=\"approval-\(ids.last ?? 0)\""))
        #expect(next.contains("data-live=\"/console/approvals/rows?tab=history&amp;before="), "the page stays put")
    }

    static let historyPage = 100

    /// 101 more versions of `sales`'s policy in shadow mode: the page lists the newest, the
    /// enforced one (now older than all of them) keeps its row, the latest has its Enforce form,
    /// the last change links the latest two, and the older versions are one link away.
    func policiesShowTheNewestVersions() async throws {
        let admin = try await signIn(1, token: cluster.adminToken)
        var latest = 0
        for index in 1...101 {
            let published = await cluster.call(
                index % 3 + 1, "PUT", "/v1/policies/sales?mode=shadow",
                json: ApprovalsFixture.policy + "\n# revision \(index)\n",
                headers: ["Authorization": "Bearer \(cluster.adminToken)", "Content-Type": "application/x-yaml"])
            latest = published?.body["version"] as? Int ?? latest
            #expect(published?.status == 200, "\(String(describing: published))")
        }
        #expect(latest > 101)
        let page = try #require(await get(2, "/console/policies/sales", cookie: admin)).text
        #expect(page.contains("<td data-label=\"Version\">\(latest) "), "the latest version has a row")
        #expect(page.contains("<strong>enforced</strong>"), "the enforced version has a row")
        #expect(page.contains("diff?from=\(latest - 1)&amp;to=\(latest)\">the last change"), "the last change")
        #expect(
            page.contains("name=\"version\" value=\"\(latest)\">\n<button type=\"submit\" class=\"secondary\">Enforce"))
        let older = try #require(page.range(of: "\\?before=\\d+", options: .regularExpression), "a link to older")
        let next = try #require(await get(2, "/console/policies/sales\(page[older])", cookie: admin)).text
        #expect(next.contains("<td data-label=\"Version\">1 "), "version 1 on the older page")
        #expect(next.contains("<td data-label=\"Version\">\(latest) "), "the shadow version is pinned on every page")
        #expect(!next.contains("<td data-label=\"Version\">\(latest - 1) "))
    }

    /// A follower paused (SIGSTOP) during a sign-out through the leader; then the two others
    /// stop and the follower resumes alone. It has no read point, so the old cookie gets a 503
    /// page whatever its own state holds (the sign-out may still reach it from its socket
    /// buffers; before, it answered from that state: 303 or, without the entry, the page). The
    /// paused node is never the leader: a paused leader would hold the sign-out up.
    func noReadPointNoSessionCheck() async throws {
        let leader = try #require(await cluster.call(1, "GET", "/v1/cluster")?.body["leader"] as? Int)
        let paused = try #require([3, 2, 1].first { $0 != leader })
        let viewer = try await signIn(leader, token: fixture.tokens["vic"] ?? "")
        let before = await get(paused, "/console/cluster", cookie: viewer)
        #expect(before?.status == 200)
        let page = try #require(await get(leader, "/console", cookie: viewer)).text
        let csrf = try #require(ApprovalsFixture.csrf(in: page))
        cluster.signal(paused, SIGSTOP)
        let out = await post(leader, "/console/logout", "csrf=\(csrf)", cookie: viewer)
        #expect(out?.status == 303, "\(String(describing: out))")
        for node in 1...3 where node != paused { cluster.kill(node, signal: SIGKILL) }
        cluster.signal(paused, SIGCONT)
        let cut = await http.retrying(
            cluster.url(paused, "/console/cluster"), headers: ["Cookie": viewer], timeout: 15, within: .seconds(3))
        #expect(cut?.status == 503, "\(String(describing: cut?.status))")
        #expect(cut?.text.contains("Sign out") == false, "no navigation for an unchecked session")
    }
}
