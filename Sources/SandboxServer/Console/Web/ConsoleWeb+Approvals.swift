import Hummingbird
import SandboxState

/// `/console/approvals`: the pending queue (agent, tool, redacted parameters, rule and reason,
/// age and expiry, N-of-M progress and who voted; approve / deny with a comment) and the
/// history tab. The queue region reloads itself from `/console/approvals/rows` every 2 s
/// (``ConsoleAssets/script``), each read linearizable, so an approval created or resolved
/// through any node shows on every node.
extension ConsoleWeb {
    /// Most approvals a tab shows.
    static let approvalsShown = 100

    static func addApprovals(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/console/approvals") { request, _ in
            try await page(request, node) { request, node, viewer in
                let history = request.uri.queryParameters.get("tab") == "history"
                let cursor = try approvalCursor(request, history: history)
                let rows = try await approvalRows(history: history, cursor: cursor, node, viewer)
                var live = "/console/approvals/rows?tab=\(history ? "history" : "pending")"
                if let cursor { live += history ? "&before=\(cursor)" : "&after=\(cursor)" }
                var data: [String: Any] = ["history": history, "rows": rows, "live": live, "paged": cursor != nil]
                if let done = doneMessage(request, limit: 40) { data["done"] = done }
                return Page(title: "Approvals", tab: "approvals", body: ConsoleTemplates.render("approvals", data))
            }
        }
        router.get("/console/approvals/rows") { request, _ -> Response in
            guard let viewer = try await viewer(request, node) else {
                throw APIError.unauthorized("sign in again", code: "bad_session")
            }
            let history = request.uri.queryParameters.get("tab") == "history"
            let cursor = try approvalCursor(request, history: history)
            return html(try await approvalRows(history: history, cursor: cursor, node, viewer))
        }
        router.post("/console/approvals/:id/vote") { request, context in
            try await form(request, node) { _, node, viewer, fields in
                guard let decision = fields["decision"], ["approve", "deny"].contains(decision) else {
                    throw APIError.badRequest("decision must be `approve` or `deny`", code: "bad_decision")
                }
                let comment = fields["comment"].flatMap { $0.isEmpty ? nil : $0 }
                if let comment, comment.utf8.count > 1024 {
                    throw APIError.badRequest("the comment is over 1,024 bytes (UTF-8)", code: "bad_comment")
                }
                let vote = ApprovalRoutes.Vote(approve: decision == "approve", comment: comment, isForm: true)
                _ = try await ApprovalRoutes.cast(vote, by: viewer.caller, context, node)
                let id = context.parameters.get("id") ?? ""
                return redirect(to: "/console/approvals?done=\(decision == "approve" ? "approved" : "denied")+\(id)")
            }
        }
    }

    /// The page cursor of a tab: `before` (history) or `after` (pending), an approval id.
    static func approvalCursor(_ request: Request, history: Bool) throws(APIError) -> UInt64? {
        let name = history ? "before" : "after"
        return try ApprovalRoutes.unsignedParameter(request.uri.queryParameters.get(name).map { String($0) }, name)
    }

    /// The rows of a tab as HTML (the live region's content): the pending queue oldest first
    /// (after the id `after`), the history newest first (below the id `before`), each with a
    /// link to the next page when there is more.
    static func approvalRows(history: Bool, cursor: UInt64? = nil, _ node: SandboxNode, _ viewer: Viewer)
        async throws -> String
    {
        let now = ApprovalRoutes.nowMillis()
        let records: [ApprovalRecord]
        var next: UInt64?
        if history {
            (records, next) = try newestResolved(viewer.caller, before: cursor, node)
        } else {
            (records, next) = try ApprovalRoutes.visiblePage(
                viewer.caller, status: .pending, after: cursor, limit: approvalsShown, atMillis: now, node)
        }
        let rows = records.map { approvalRow($0, now: now, viewer) }
        var data: [String: Any] = [
            "rows": rows, "empty": rows.isEmpty, "history": history, "canVote": viewer.canVote, "csrf": viewer.csrf,
            "signature": signature(records, now: now), "now": now,
            "summary":
                "\(records.count)\(records.count == approvalsShown ? "+" : "") \(history ? "resolved" : "pending")",
        ]
        if let next, !records.isEmpty {
            data["more"] =
                history ? "/console/approvals?tab=history&before=\(next)" : "/console/approvals?after=\(next)"
        }
        return ConsoleTemplates.render("approvalRows", data)
    }

    /// The newest ``approvalsShown`` resolved approvals (approved, denied, expired, consumed)
    /// the caller may read, with ids below `before`, newest first; and the cursor of the next
    /// (older) page when there may be more. Each status index is read newest first, so a page
    /// costs the same however long the history is.
    static func newestResolved(_ caller: Caller, before: UInt64?, _ node: SandboxNode) throws(APIError)
        -> (records: [ApprovalRecord], next: UInt64?)
    {
        var merged: [ApprovalRecord] = []
        var more = false
        for status in [ApprovalStatus.approved, .denied, .expired, .consumed] {
            var cursor = before
            var scanned = 0
            var kept = 0
            while kept < approvalsShown, scanned < ApprovalRoutes.maxScannedPerPage {
                let from = cursor
                let page = try node.readState {
                    try $0.newestApprovals(status: status, tenant: caller.tenant, before: from, limit: approvalsShown)
                }
                scanned += page.count
                for record in page where kept < approvalsShown {
                    cursor = record.id
                    guard (try? ApprovalRoutes.requireReader(caller, agent: record.agent, tenant: record.tenant)) != nil
                    else { continue }
                    merged.append(record)
                    kept += 1
                }
                if page.count < approvalsShown { break }
            }
            if kept == approvalsShown || scanned >= ApprovalRoutes.maxScannedPerPage { more = true }
        }
        merged.sort { $0.id > $1.id }
        more = more || merged.count > approvalsShown
        let shown = Array(merged.prefix(approvalsShown))
        return (shown, more ? shown.last?.id : nil)
    }

    /// What the live region's script compares to decide whether to swap the rows: each
    /// approval's id, status and votes (ages are drawn by the script itself, from `data-since`
    /// and `data-until`, so time passing alone redraws nothing).
    static func signature(_ records: [ApprovalRecord], now: UInt64) -> String {
        records.map { record in
            "\(record.id).\(record.status(at: now).name).\(record.votes.map { "\($0.principal)=\($0.approve)" }.joined(separator: "+"))"
        }.joined(separator: ",")
    }

    static func approvalRow(_ record: ApprovalRecord, now: UInt64, _ viewer: Viewer) -> [String: Any] {
        let approvals = record.votes.filter(\.approve).count
        return [
            "id": record.id, "agent": record.agent, "tool": record.tool, "params": record.redactedParameters,
            "rule": record.rule, "reason": record.reason, "group": record.group,
            "age": ApprovalsPage.age(now > record.createdMillis ? now - record.createdMillis : 0),
            "created": record.createdMillis, "expiresAt": record.expiresMillis,
            "expires": ApprovalsPage.age(record.expiresMillis > now ? record.expiresMillis - now : 0),
            "progress": "\(approvals) of \(record.requiredApprovals)", "status": record.status(at: now).name,
            "resolved": record.resolvedMillis > 0 ? time(record.resolvedMillis) : "",
            "votes": record.votes.map { vote in
                var row: [String: Any] = [
                    "principal": vote.principal, "decision": vote.approve ? "approved" : "denied",
                ]
                if let comment = vote.comment { row["comment"] = comment }
                return row
            },
            "voted": record.votes.contains { $0.principal == viewer.caller.actor },
        ]
    }
}
