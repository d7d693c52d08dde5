import Hummingbird
import JSON

/// `/console/audit`: the newest records with filters (agent, outcome, time window), a link to
/// export them (NDJSON through the session: `/console/audit/export`, as `/v1/audit/export`),
/// and the verification status of the chain's newest records (cluster-wide viewers: a
/// tenant-scoped export has gaps and verifies only record by record).
extension ConsoleWeb {
    static let auditShown = 100
    /// Records the page verifies (the newest); `sandboxctl audit verify` checks a whole export.
    static let auditVerified: UInt64 = 10_000
    static let windows: [(String, String, UInt64)] = [
        ("hour", "the last hour", 3_600_000), ("day", "the last day", 86_400_000),
        ("week", "the last 7 days", 7 * 86_400_000),
    ]

    static func addAudit(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/console/audit") { request, _ in try await page(request, node, auditPage) }
        router.get("/console/audit/export") { request, _ -> Response in
            guard let viewer = try await viewer(request, node) else {
                throw APIError.unauthorized("sign in to the console again", code: "bad_session")
            }
            var response = try await AuditRoutes.exportStream(request, caller: viewer.caller, node)
            response.headers[.contentDisposition] = "attachment; filename=\"audit.json\""
            return response
        }
    }

    static func auditPage(_ request: Request, _ node: SandboxNode, _ viewer: Viewer) async throws -> Page {
        let query = request.uri.queryParameters
        let agent = query.get("agent").map { String($0) } ?? ""
        let outcome = query.get("outcome").map { String($0) } ?? ""
        let window = windows.first { $0.0 == query.get("window") } ?? windows[1]
        let now = ApprovalRoutes.nowMillis()
        let scan = try await ConsoleData.recentScan(since: now &- window.2, viewer.caller, node)
        let entries = scan.entries.reversed().filter {
            (agent.isEmpty || $0.string("agent") == agent) && (outcome.isEmpty || $0.string("outcome") == outcome)
        }
        let rows = entries.prefix(auditShown).map { entry -> [String: Any] in
            var row: [String: Any] = [
                "seq": entry.sequence, "time": time(entry.timeMillis), "kind": entry.string("kind"),
                "agent": entry.string("agent"), "rule": entry.string("rule"), "reason": entry.string("reason"),
                "request": ConsoleData.requestSummary(entry.body),
                "node": entry.body["node"].flatMap(PolicyRoutes.integerText) ?? "",
            ]
            if let outcome = entry.body["outcome"]?.stringValue { row["outcome"] = outcome }
            return row
        }
        let from = (now &- window.2) / 1000
        let data: [String: Any] = [
            "rows": rows, "empty": rows.isEmpty, "more": entries.count > auditShown, "agent": agent,
            "agents": try ConsoleData.agents(viewer.caller, node).map { ["id": $0.id, "selected": $0.id == agent] },
            "outcomes": ["allow", "deny", "needs_approval"].map { ["name": $0, "selected": $0 == outcome] },
            "windows": windows.map { ["id": $0.0, "label": $0.1, "selected": $0.0 == window.0] },
            "capped": scan.capped ? scan.oldestMillis.map(time) ?? "" : "",
            "export": "/console/audit/export?from=\(from)", "since": time(from * 1000),
            "verification": try await verification(viewer, node),
        ]
        return Page(title: "Audit", tab: "audit", body: ConsoleTemplates.render("audit", data))
    }

    /// The chain's newest ``auditVerified`` records recomputed on this node (on its blocking
    /// thread, as `/v1/audit/verify`).
    static func verification(_ viewer: Viewer, _ node: SandboxNode) async throws -> [String: Any] {
        guard viewer.caller.tenant == nil else {
            return ["scoped": true]
        }
        let next = try node.readState { try $0.auditHead().nextSequence }
        let after = next > auditVerified + 1 ? next - auditVerified - 1 : 0
        let range = AuditRoutes.Range(fromSeconds: 0, toSeconds: AuditRoutes.Range.maxSeconds, tenant: nil)
        let answer = try await node.blockingWork.run {
            try node.readState { try AuditRoutes.verifyPage($0, range, after: after, limit: auditVerified) }
        }
        var result: [String: Any] = [
            "valid": answer.member("valid")?.boolValue == true,
            "checked": answer.member("checked").flatMap(PolicyRoutes.integerText) ?? "0",
            "first": answer.member("first_seq").flatMap(PolicyRoutes.integerText) ?? "-",
            "last": answer.member("last_seq").flatMap(PolicyRoutes.integerText) ?? "-",
        ]
        if let failure = answer.member("failure") {
            result["failure"] =
                "record \(failure.member("seq").flatMap(PolicyRoutes.integerText) ?? "?"): \(failure.member("reason")?.stringValue ?? "")"
        }
        return result
    }
}
