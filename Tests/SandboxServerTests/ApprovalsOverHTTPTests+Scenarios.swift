import Foundation
import JSON
import SandboxState
import ServerTestSupport
import Testing

extension ApprovalsFixture {
    func requestApproval(_ node: Int, tool: String, required: Int) async -> RawHTTP.Answer? {
        let hash = String(repeating: "ab", count: 32)
        let body = """
            {"agent_id": "sales", "tool": "\(tool)", "params_hash": "\(hash)", \
            "payload_redacted": {"to": "<b>x</b>"}, "required_approvals": \(required)}
            """
        return await http.retrying(
            cluster.url(node, "/v1/approvals"), "POST", body: body,
            headers: ["X-Agent-Key": Self.agentKey, "Content-Type": "application/json"])
    }

    /// `POST /v1/approvals` (the MVP SDK's shape), a form vote, a second vote (409), a wait that
    /// times out, and bad input.
    func requestedApprovalsTakeVotesAndWaitsTimeOut() async throws {
        let created = await requestApproval(1, tool: "payments.refund", required: 2)
        #expect(
            created?.status == 200 && created?.json["status"] as? String == "pending", "\(String(describing: created))")
        let id = try #require(created?.json["id"] as? Int)
        let form = await http.retrying(
            cluster.url(2, "/v1/approvals/\(id)/decision"), "POST", body: "decision=approve&comment=ok+by+me",
            headers: bearer("alice").merging(["Content-Type": "application/x-www-form-urlencoded"]) { $1 })
        #expect(form?.status == 200 && form?.json["status"] as? String == "pending", "\(String(describing: form))")
        let twice = await vote(3, id, "approve", as: "alice")
        #expect(twice?.status == 409 && twice?.errorCode == "already_voted", "\(String(describing: twice))")

        let started = ContinuousClock.now
        let waited = await get(3, "/v1/approvals/\(id)?wait=1s", as: "vic", timeout: 20)
        #expect(waited?.status == 200 && waited?.json["status"] as? String == "pending")
        let took = ContinuousClock.now - started
        #expect(took >= .milliseconds(900) && took < .seconds(15), "\(took)")

        let badWait = await get(1, "/v1/approvals/\(id)?wait=soon", as: "vic")
        #expect(badWait?.status == 400 && badWait?.errorCode == "bad_wait")
        let crossSite = await http.retrying(
            cluster.url(2, "/v1/approvals/\(id)/decision"), "POST", body: "decision=approve",
            headers: bearer("bob").merging([
                "Content-Type": "application/x-www-form-urlencoded", "Origin": "http://evil.example",
            ]) { $1 })
        #expect(crossSite?.status == 403 && crossSite?.errorCode == "cross_origin", "\(String(describing: crossSite))")
        let badDecision = await vote(1, id, "maybe", as: "bob")
        #expect(badDecision?.status == 400 && badDecision?.errorCode == "bad_decision")
        let unknown = await get(1, "/v1/approvals/999999999", as: "vic")
        #expect(unknown?.status == 404 && unknown?.errorCode == "unknown_approval")
        let anonymous = await http.retrying(cluster.url(1, "/v1/approvals?status=pending"))
        #expect(anonymous?.status == 401)
        let badHash = await http.retrying(
            cluster.url(1, "/v1/approvals"), "POST", body: #"{"agent_id": "sales", "tool": "t", "params_hash": "xyz"}"#,
            headers: ["X-Agent-Key": Self.agentKey])
        #expect(badHash?.status == 400 && badHash?.errorCode == "bad_approval_request")
        let after = await get(2, "/v1/approvals/\(id)", as: "vic")
        #expect((after?.json["votes"] as? [Any])?.count == 1, "refusals changed nothing")
    }

    /// Logs in on node 1 and returns the session cookie (`name=value`).
    func login(as who: String) async throws -> String {
        let answer = await http.retrying(
            cluster.url(1, "/approvals/login"), "POST", body: "token=\(tokens[who] ?? "")",
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(answer?.status == 303 && answer?.header("Location") == "/approvals", "\(String(describing: answer))")
        let setCookie = try #require(answer?.header("Set-Cookie"))
        #expect(
            setCookie.contains("HttpOnly") && setCookie.contains("SameSite=Strict") && !setCookie.contains("Secure"))
        return String(setCookie.prefix { $0 != ";" })
    }

    /// The page shows the queue (escaped) to a session, and a vote from it needs that session's
    /// CSRF token: missing or another session's → 403, nothing changed.
    func theConsolePageVotesWithItsCSRFTokenOnly() async throws {
        let hostile = await requestApproval(2, tool: "<script>alert(1)</script>", required: 1)
        let id = try #require(hostile?.json["id"] as? Int)
        let loginPage = await http.retrying(cluster.url(3, "/approvals"))
        #expect(loginPage?.status == 200 && loginPage?.text.contains("name=\"token\"") == true)
        let badLogin = await http.retrying(
            cluster.url(1, "/approvals/login"), "POST", body: "token=wrong",
            headers: ["Content-Type": "application/x-www-form-urlencoded"])
        #expect(badLogin?.status == 401 && badLogin?.header("Set-Cookie") == nil)

        let cookie = try await login(as: "alice")
        let other = try await login(as: "alice")
        let page = try #require(await http.retrying(cluster.url(2, "/approvals"), headers: ["Cookie": cookie]))
        #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(!page.text.contains("<script>alert"), "the tool name is escaped")
        #expect(page.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(page.text.contains("/v1/approvals/\(id)/decision"))
        let csrf = try #require(Self.csrf(in: page.text))
        let otherPage = await http.retrying(cluster.url(3, "/approvals"), headers: ["Cookie": other])
        let otherCSRF = try #require(Self.csrf(in: otherPage?.text ?? ""))
        #expect(csrf != otherCSRF)

        let form = ["Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"]
        let url = cluster.url(3, "/v1/approvals/\(id)/decision")
        let missing = await http.retrying(url, "POST", body: "decision=approve", headers: form)
        #expect(missing?.status == 403 && missing?.errorCode == "bad_csrf", "\(String(describing: missing))")
        let replayed = await http.retrying(url, "POST", body: "decision=approve&csrf=\(otherCSRF)", headers: form)
        #expect(replayed?.status == 403 && replayed?.errorCode == "bad_csrf")
        let forged = await http.retrying(
            url, "POST", body: "decision=approve&csrf=x",
            headers: ["Cookie": "sandbox_session=AAAA.BBBB", "Content-Type": "application/x-www-form-urlencoded"])
        #expect(forged?.status == 401)
        let unchanged = await get(1, "/v1/approvals/\(id)", as: "vic")
        #expect(
            unchanged?.json["status"] as? String == "pending" && (unchanged?.json["votes"] as? [Any])?.isEmpty == true)

        let voted = await http.retrying(url, "POST", body: "decision=approve&csrf=\(csrf)", headers: form)
        #expect(voted?.status == 303 && voted?.header("Location") == "/approvals", "\(String(describing: voted))")
        let approved = await get(1, "/v1/approvals/\(id)", as: "vic")
        #expect(approved?.json["status"] as? String == "approved")
        let again = await http.retrying(url, "POST", body: "decision=deny&csrf=\(csrf)", headers: form)
        #expect(again?.status == 409 && again?.header("Content-Type")?.hasPrefix("text/html") == true)
        #expect(again?.text.contains("Back to the approvals") == true, "a refusal on the page is a page")
        #expect((approved?.json["votes"] as? [[String: Any]])?.first?["principal"] as? String == "alice")

        let logout = await http.retrying(
            cluster.url(1, "/approvals/logout"), "POST", body: "csrf=\(csrf)", headers: form)
        #expect(logout?.status == 303 && logout?.header("Set-Cookie")?.contains("Max-Age=0") == true)
    }

    static func csrf(in page: String) -> String? {
        guard let start = page.range(of: #"name="csrf" value=""#) else { return nil }
        return String(page[start.upperBound...].prefix { $0 != "\"" })
    }

    /// The same export from every node (JSON array and NDJSON, whole and by cursor), verified
    /// by the node and offline.
    func auditExportedFromAnyNodeIsTheSameAndVerifies() async throws {
        var exports: [String] = []
        for node in 1...3 {
            let answer = await get(node, "/v1/audit/export?from=0&to=9999999999", as: "admin-cluster", timeout: 20)
            #expect(answer?.status == 200, "\(String(describing: answer))")
            exports.append(answer?.text ?? "")
        }
        #expect(Set(exports).count == 1, "every node exports the same records")
        let records = try #require(try JSONValue(parsing: Array(exports[0].utf8)).arrayValue)
        #expect(records.count >= 6)
        #expect(AuditVerifier.verify(exported: records).isValid)

        let ndjson = await http.retrying(
            cluster.url(2, "/v1/audit/export?from=0&to=9999999999"),
            headers: bearer("admin-cluster").merging(["Accept": "application/x-ndjson"]) { $1 })
        let lines = ndjson?.text.split(separator: "\n").compactMap { try? JSONValue(parsing: Array($0.utf8)) } ?? []
        #expect(lines == records)
        let firstPage = await get(3, "/v1/audit/export?limit=3", as: "admin-cluster")
        let page = (try? JSONValue(parsing: Array((firstPage?.text ?? "").utf8)))?.arrayValue ?? []
        #expect(page == Array(records.prefix(3)))
        let nextPage = await get(1, "/v1/audit/export?limit=3&after=3", as: "admin-cluster")
        #expect((try? JSONValue(parsing: Array((nextPage?.text ?? "").utf8)))?.arrayValue == Array(records[3..<6]))

        let verified = await get(2, "/v1/audit/verify?from=0&to=9999999999", as: "admin-cluster")
        #expect(verified?.json["valid"] as? Bool == true && verified?.json["checked"] as? Int == records.count)
        #expect(verified?.json["next_after"] is NSNull, "one call verified the whole chain")
        // Page by page: each call checks at most `limit`, anchored on the record before it.
        var after = 0
        var checked = 0
        for _ in 0...records.count {
            let page = await get(3, "/v1/audit/verify?limit=4&after=\(after)", as: "admin-cluster")
            #expect(page?.json["valid"] as? Bool == true, "\(String(describing: page))")
            let count = page?.json["checked"] as? Int ?? 0
            #expect(count <= 4 && count > 0, "\(String(describing: page))")
            checked += count
            guard let next = page?.json["next_after"] as? Int else { break }
            #expect(next == after + 4)
            after = next
        }
        #expect(checked == records.count && records.count > 4)
        let badLimit = await get(3, "/v1/audit/verify?limit=0", as: "admin-cluster")
        #expect(badLimit?.status == 400 && badLimit?.errorCode == "bad_limit")
        let scoped = await get(1, "/v1/audit/export", as: "vic")
        let scopedRecords = (try? JSONValue(parsing: Array((scoped?.text ?? "").utf8)))?.arrayValue ?? []
        #expect(scoped?.status == 200 && !scopedRecords.isEmpty && scopedRecords.count < records.count)
        // A scoped page's limit counts the records it sends: it fills up past other tenants'.
        let scopedPage = await get(1, "/v1/audit/export?limit=\(scopedRecords.count)", as: "vic")
        #expect((try? JSONValue(parsing: Array((scopedPage?.text ?? "").utf8)))?.arrayValue == scopedRecords)
        let byAgent = await http.retrying(cluster.url(1, "/v1/audit/export"), headers: ["X-Agent-Key": Self.agentKey])
        #expect(byAgent?.status == 403)
        let badRange = await get(1, "/v1/audit/export?from=10&to=5", as: "vic")
        #expect(badRange?.status == 400 && badRange?.errorCode == "bad_range")
        // Numbers at the edge of 64 bits are refused or answered, never an arithmetic trap.
        for path in ["/v1/audit/export?to=18446744073709551615", "/v1/audit/verify?from=18446744073709552"] {
            let huge = await get(2, path, as: "admin-cluster")
            #expect(huge?.status == 400 && huge?.errorCode == "bad_range", "\(path)")
        }
        let pastTheEnd = await get(2, "/v1/audit/export?after=18446744073709551615", as: "admin-cluster")
        #expect(pastTheEnd?.status == 200)
        #expect((try? JSONValue(parsing: Array((pastTheEnd?.text ?? "").utf8)))?.arrayValue == [])
        try sandboxctlExportsPageByPageAndVerifiesOffline(expected: records.count)
    }

    /// `sandboxctl audit export` (by the cursor, 4 records a request) then `audit verify` on the
    /// file, offline; a changed record fails verification.
    func sandboxctlExportsPageByPageAndVerifiesOffline(expected: Int) throws {
        let file = cluster.directory.subpath("audit.ndjson")
        let exported = try sandboxctl([
            "audit", "export", "--url", "http://\(cluster.httpAddress(3))", "--token", cluster.adminToken,
            "--page-size", "4", "--output", file,
        ])
        #expect(exported.status == 0, "\(exported.output)")
        let text = try String(contentsOfFile: file, encoding: .utf8)
        #expect(text.split(separator: "\n").count >= expected)
        let verified = try sandboxctl(["audit", "verify", file])
        #expect(verified.status == 0 && verified.output.hasPrefix("ok: "), "\(verified.output)")
        let tampered = text.replacingOccurrences(of: #""outcome":"allow""#, with: #""outcome":"deny""#)
        #expect(tampered != text)
        try tampered.write(toFile: file, atomically: true, encoding: .utf8)
        let refused = try sandboxctl(["audit", "verify", file])
        #expect(refused.status == 1 && refused.output.contains("FAILED"), "\(refused.output)")
    }

    func sandboxctl(_ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LocalCluster.executable("sandboxctl"))
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }

    func budgetsAreReadOnAnyNode() async throws {
        for node in 1...3 {
            let budget = await http.retrying(
                cluster.url(node, "/v1/budgets/sales"), headers: ["X-Agent-Key": Self.agentKey])
            #expect(budget?.status == 200, "\(String(describing: budget))")
            #expect((budget?.json["requests_today"] as? Int ?? 0) >= 1)
            #expect(budget?.json["max_requests_per_day"] as? Int == 1000)
        }
        let viewer = await get(2, "/v1/budgets/sales", as: "vic")
        #expect(viewer?.status == 200)
        let unknown = await get(2, "/v1/budgets/nobody", as: "vic")
        #expect(unknown?.status == 404)
    }
}

extension JSONValue {
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
