import Foundation
import ServerTestSupport
import Testing

/// Console sessions end on the server: a logout ends every session of that principal on every
/// node (a replicated session generation), a rotated bootstrap token ends the sessions logged in
/// with the old one, and a login form posted from another site is refused (login CSRF).
@Suite(.serialized, .timeLimit(.minutes(3))) struct SessionsOverHTTPTests {
    let cluster = LocalCluster(size: 1)
    let http = RawHTTP()
    let form = ["Content-Type": "application/x-www-form-urlencoded"]

    func login(token: String, headers: [String: String] = [:]) async -> RawHTTP.Answer? {
        await http.retrying(
            cluster.url(1, "/approvals/login"), "POST", body: "token=\(token)",
            headers: form.merging(headers) { $1 })
    }

    func cookie(_ answer: RawHTTP.Answer?) throws -> String {
        String(try #require(answer?.header("Set-Cookie"), "\(String(describing: answer))").prefix { $0 != ";" })
    }

    /// Whether the page answers the queue to this cookie (else it shows the login form).
    func loggedIn(_ cookie: String) async -> Bool {
        await http.retrying(cluster.url(1, "/approvals"), headers: ["Cookie": cookie])?.text.contains("Logged in as")
            == true
    }

    @Test func logoutAndTokenRotationEndSessionsAndForeignLoginFormsAreRefused() async throws {
        defer { cluster.stopAll() }
        try cluster.startAll()
        try await cluster.waitUntilReady([1])
        for headers in [["Origin": "http://evil.example"], ["Sec-Fetch-Site": "cross-site"]] {
            let forged = await login(token: cluster.adminToken, headers: headers)
            #expect(forged?.status == 403 && forged?.header("Set-Cookie") == nil, "\(headers)")
        }
        let own = await login(token: cluster.adminToken, headers: ["Origin": "http://\(cluster.httpAddress(1))"])
        #expect(own?.status == 303, "this node's own page logs in")

        let first = try cookie(await login(token: cluster.adminToken))
        let second = try cookie(await login(token: cluster.adminToken))
        #expect(await loggedIn(first))
        #expect(await loggedIn(second))
        let page = try #require(await http.retrying(cluster.url(1, "/approvals"), headers: ["Cookie": first]))
        let csrf = try #require(ApprovalsFixture.csrf(in: page.text))
        let logout = await http.retrying(
            cluster.url(1, "/approvals/logout"), "POST", body: "csrf=\(csrf)",
            headers: form.merging(["Cookie": first]) { $1 })
        #expect(logout?.status == 303)
        #expect(!(await loggedIn(first)), "the logged-out cookie, replayed, is refused")
        #expect(!(await loggedIn(second)), "a logout ends every session of the principal")
        let third = try cookie(await login(token: cluster.adminToken))
        #expect(await loggedIn(third), "a new login works")

        // The bootstrap token rotated (the node restarted with another): its sessions end.
        cluster.kill(1, signal: SIGTERM)
        cluster.extraArguments = ["--admin-token", "rotated-admin-token-0123456789"]
        try cluster.start(1)
        try await waitFor("node 1 ready") { await cluster.call(1, "GET", "/readyz")?.status == 200 }
        #expect(!(await loggedIn(third)), "a session of the old bootstrap token")
        #expect(await loggedIn(try cookie(await login(token: "rotated-admin-token-0123456789"))))
    }
}
