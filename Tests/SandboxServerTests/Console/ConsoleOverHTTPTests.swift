import Foundation
import ServerTestSupport
import Testing

/// The console on a real 3-node cluster, over HTTP as a browser uses it: sign-in gives a
/// session cookie; an approval created by a decision on node 1 shows in node 2's live queue and
/// is approved there with the page's CSRF token, and the agent's retry on node 3 is allowed; a
/// viewer sees no vote form and its vote is refused; every page carries the console's security
/// headers; the simulator shows a denied call's trace; a policy with an error is refused at its
/// line; the diff of a widened version says so.
@Suite(.serialized, .timeLimit(.minutes(4))) struct ConsoleOverHTTPTests {
    @Test func consolePagesOnThreeNodes() async throws {
        let fixture = ApprovalsFixture()
        defer { fixture.cluster.stopAll() }
        try await fixture.start()
        let console = ConsoleClient(fixture: fixture)
        try await console.signInOutAndHeaders()
        try await console.approvalFromNodeOneApprovedOnNodeTwo()
        try await console.viewerCannotVote()
        try await console.simulatorShowsTheTrace()
        try await console.policyUploadAndDiff()
    }
}

/// A browser's view of the console: cookies per signed-in operator, forms with their CSRF token.
struct ConsoleClient {
    let fixture: ApprovalsFixture
    var cluster: LocalCluster { fixture.cluster }
    var http: RawHTTP { fixture.http }
    static let form = ["Content-Type": "application/x-www-form-urlencoded"]

    func signIn(_ node: Int, token: String) async throws -> String {
        let answer = await http.retrying(
            cluster.url(node, "/console/login"), "POST", body: "token=\(token)", headers: Self.form)
        #expect(answer?.status == 303 && answer?.header("Location") == "/console", "\(String(describing: answer))")
        return String(try #require(answer?.header("Set-Cookie")).prefix { $0 != ";" })
    }

    func get(_ node: Int, _ path: String, cookie: String) async -> RawHTTP.Answer? {
        await http.retrying(cluster.url(node, path), headers: ["Cookie": cookie])
    }

    func post(_ node: Int, _ path: String, _ body: String, cookie: String) async -> RawHTTP.Answer? {
        await http.retrying(
            cluster.url(node, path), "POST", body: body, headers: Self.form.merging(["Cookie": cookie]) { $1 })
    }

    static func encoded(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
    }

    func signInOutAndHeaders() async throws {
        let anonymous = await http.retrying(cluster.url(1, "/console"))
        #expect(anonymous?.status == 303 && anonymous?.header("Location") == "/console/login")
        let wrong = await http.retrying(
            cluster.url(1, "/console/login"), "POST", body: "token=not-a-token", headers: Self.form)
        #expect(wrong?.status == 401 && wrong?.text.contains("role=\"alert\"") == true)
        let cookie = try await signIn(1, token: cluster.adminToken)
        #expect(cookie.hasPrefix("sandbox_session="))
        for path in [
            "/console", "/console/approvals", "/console/simulate", "/console/policies",
            "/console/policies/sales", "/console/audit", "/console/cluster",
        ] {
            let page = await get(1, path, cookie: cookie)
            #expect(page?.status == 200, "\(path): \(String(describing: page?.status))")
            let policy = page?.header("Content-Security-Policy") ?? ""
            #expect(policy.contains("script-src 'self'") && !policy.contains("unsafe"), "\(path): \(policy)")
            #expect(page?.header("X-Frame-Options") == "DENY", "\(path)")
            // Not `no-referrer`: Chromium then sends `Origin: null` with the page's own forms.
            #expect(page?.header("Referrer-Policy") == "same-origin", "\(path)")
            #expect(page?.text.contains("aria-current=\"page\"") == true, "\(path): the navigation marks the page")
        }
        let dashboard = await get(1, "/console", cookie: cookie)
        #expect(dashboard?.text.contains("crm.read: allow") == true, "the agent's tiles")
        #expect(dashboard?.text.contains("email.send: needs approval") == true)
        #expect(dashboard?.text.contains("<svg role=\"img\"") == true, "the activity chart")
        let cluster = await get(1, "/console/cluster", cookie: cookie)
        #expect(cluster?.text.components(separatedBy: "<td data-label=\"Role\">").count == 4, "three members answer")
        let script = await http.retrying(self.cluster.url(1, "/console/assets/console.js"))
        #expect(script?.status == 200 && script?.text.contains("data-live") == true)

        let csrf = try #require(ApprovalsFixture.csrf(in: dashboard?.text ?? ""))
        let forged = await post(1, "/console/logout", "csrf=forged", cookie: cookie)
        #expect(forged?.status == 403, "a sign-out without the CSRF token changes nothing")
        let out = await post(1, "/console/logout", "csrf=\(csrf)", cookie: cookie)
        #expect(out?.status == 303 && out?.header("Location") == "/console/login")
        let after = await get(2, "/console", cookie: cookie)
        #expect(after?.status == 303, "signed out on every node")
    }

    func approvalFromNodeOneApprovedOnNodeTwo() async throws {
        let alice = try await signIn(2, token: fixture.tokens["alice"] ?? "")
        let asked = await fixture.emailDecision(1, id: "console-mail-1")
        let id = try #require(asked?.json["approval_id"] as? Int, "\(String(describing: asked))")
        let rows = await get(2, "/console/approvals/rows", cookie: alice)
        #expect(rows?.text.contains("id=\"approval-\(id)\"") == true, "node 2 lists node 1's approval at once")
        #expect(rows?.text.contains("<code>email.send</code>") == true)
        let page = await get(2, "/console/approvals", cookie: alice)
        #expect(page?.text.contains("data-live=\"/console/approvals/rows?tab=pending\"") == true)
        let csrf = try #require(ApprovalsFixture.csrf(in: page?.text ?? ""))

        let forged = await post(2, "/console/approvals/\(id)/vote", "decision=approve", cookie: alice)
        #expect(forged?.status == 403, "a vote without the CSRF token")
        let voted = await post(
            2, "/console/approvals/\(id)/vote", "csrf=\(csrf)&decision=approve&comment=ok+then", cookie: alice)
        #expect(voted?.status == 303 && voted?.header("Location")?.hasPrefix("/console/approvals?done=") == true)
        let retried = await fixture.emailDecision(3, id: "console-mail-2")
        #expect(retried?.json["decision"] as? String == "allow", "\(String(describing: retried))")
        let history = await get(1, "/console/approvals/rows?tab=history", cookie: alice)
        #expect(history?.text.contains("alice: approved “ok then”") == true, "\(history?.text ?? "")")
    }

    func viewerCannotVote() async throws {
        let asked = await fixture.emailDecision(1, id: "console-mail-3")
        let id = try #require(asked?.json["approval_id"] as? Int)
        let vic = try await signIn(3, token: fixture.tokens["vic"] ?? "")
        let page = await get(3, "/console/approvals", cookie: vic)
        #expect(page?.text.contains("id=\"approval-\(id)\"") == true)
        #expect(page?.text.contains("/vote") == false && page?.text.contains("approvers only") == true)
        let csrf = try #require(ApprovalsFixture.csrf(in: page?.text ?? ""))
        let vote = await post(3, "/console/approvals/\(id)/vote", "csrf=\(csrf)&decision=approve", cookie: vic)
        #expect(vote?.status == 403, "\(String(describing: vote?.status))")
        let still = await fixture.get(1, "/v1/approvals/\(id)", as: "vic")
        #expect(still?.json["status"] as? String == "pending")
        let upload = await post(3, "/console/policies/sales/upload", "csrf=\(csrf)&yaml=agent%3A+sales", cookie: vic)
        #expect(upload?.status == 403, "a viewer publishes nothing")
    }

    func simulatorShowsTheTrace() async throws {
        let alice = try await signIn(1, token: fixture.tokens["alice"] ?? "")
        let page = await get(1, "/console/simulate", cookie: alice)
        let csrf = try #require(ApprovalsFixture.csrf(in: page?.text ?? ""))
        let body = "csrf=\(csrf)&agent=sales&kind=tool&tool=payments.charge&params=\(Self.encoded("{\"amount\": 5}"))"
        let result = await post(1, "/console/simulate", body, cookie: alice)
        #expect(result?.status == 200)
        #expect(result?.text.contains("id=\"decision\">deny<") == true, "\(result?.text ?? "")")
        #expect(result?.text.contains("<table id=\"trace\">") == true)
        #expect((result?.text.components(separatedBy: "<tr><td>").count ?? 0) > 2, "the trace has steps")
    }

    func policyUploadAndDiff() async throws {
        let admin = try await signIn(2, token: cluster.adminToken)
        let page = await get(2, "/console/policies/sales", cookie: admin)
        let csrf = try #require(ApprovalsFixture.csrf(in: page?.text ?? ""))
        #expect(page?.text.contains("/console/policies/sales/upload") == true, "administrators get the upload form")
        // As a browser posts a textarea: CRLF line ends.
        let broken = "agent: \"sales\"\r\ntools:\r\n  alow: [\"crm.read\"]\r\n"
        let refused = await post(
            2, "/console/policies/sales/upload", "csrf=\(csrf)&yaml=\(Self.encoded(broken))", cookie: admin)
        #expect(refused?.status == 400)
        #expect(refused?.text.contains("<li id=\"line-3\" class=\"bad\">") == true, "\(refused?.text ?? "")")
        #expect(refused?.text.contains("href=\"#line-3\">line 3</a>") == true)

        let widened = ApprovalsFixture.policy + "\nnetwork:\n  allow_domains: [\"api.partner.example\"]\n"
        let published = await post(
            2, "/console/policies/sales/upload", "csrf=\(csrf)&mode=shadow&yaml=\(Self.encoded(widened))", cookie: admin
        )
        #expect(published?.status == 303 && published?.header("Location")?.contains("done=published") == true)
        let versions = await get(3, "/console/policies/sales", cookie: admin)
        #expect(versions?.text.contains("<strong>shadow</strong>") == true, "node 3 shows the shadow version")
        let diff = await get(3, "/console/policies/sales/diff?from=2&to=3", cookie: admin)
        #expect(diff?.text.contains("id=\"widens\"") == true, "\(diff?.text ?? "")")
        #expect(diff?.text.contains("api.partner.example") == true)
        #expect(diff?.text.contains("class=\"add\"") == true, "the side-by-side view marks the added lines")
    }
}
