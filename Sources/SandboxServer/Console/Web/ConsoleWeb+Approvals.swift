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
                let rows = try await approvalRows(history: history, node, viewer)
                var data: [String: Any] = [
                    "history": history, "rows": rows,
                    "live": "/console/approvals/rows?tab=\(history ? "history" : "pending")",
                ]
                if let done = request.uri.queryParameters.get("done") { data["done"] = String(done.prefix(40)) }
                return Page(title: "Approvals", tab: "approvals", body: ConsoleTemplates.render("approvals", data))
            }
        }
        router.get("/console/approvals/rows") { request, _ -> Response in
            guard let viewer = await viewer(request, node) else {
                throw APIError.unauthorized("sign in again", code: "bad_session")
            }
            let history = request.uri.queryParameters.get("tab") == "history"
            return html(try await approvalRows(history: history, node, viewer))
        }
        router.post("/console/approvals/:id/vote") { request, context in
            try await form(request, node) { _, node, viewer, fields in
                guard let decision = fields["decision"], ["approve", "deny"].contains(decision) else {
                    throw APIError.badRequest("decision must be `approve` or `deny`", code: "bad_decision")
                }
                let comment = fields["comment"].flatMap { $0.isEmpty ? nil : $0 }
                if let comment, comment.utf8.count > 1024 {
                    throw APIError.badRequest("comment is over 1024 bytes", code: "bad_comment")
                }
                let vote = ApprovalRoutes.Vote(approve: decision == "approve", comment: comment, isForm: true)
                _ = try await ApprovalRoutes.cast(vote, by: viewer.caller, context, node)
                let id = context.parameters.get("id") ?? ""
                return redirect(to: "/console/approvals?done=\(decision == "approve" ? "approved" : "denied")+\(id)")
            }
        }
    }

    /// The rows of a tab as HTML (the live region's content).
    static func approvalRows(history: Bool, _ node: SandboxNode, _ viewer: Viewer) async throws -> String {
        try await node.linearizableRead()
        let now = ApprovalRoutes.nowMillis()
        var records: [ApprovalRecord]
        if history {
            records = try [ApprovalStatus.approved, .denied, .expired, .consumed].flatMap { status throws(APIError) in
                try ApprovalRoutes.visiblePage(
                    viewer.caller, status: status, after: nil, limit: approvalsShown, atMillis: now, node
                ).records
            }
            records.sort { ($0.resolvedMillis, $0.id) > ($1.resolvedMillis, $1.id) }
        } else {
            records = try ApprovalRoutes.visiblePage(
                viewer.caller, status: .pending, after: nil, limit: approvalsShown, atMillis: now, node
            ).records
        }
        let rows = records.prefix(approvalsShown).map { approvalRow($0, now: now, viewer) }
        return ConsoleTemplates.render(
            "approvalRows",
            ["rows": rows, "empty": rows.isEmpty, "history": history, "canVote": viewer.canVote, "csrf": viewer.csrf])
    }

    static func approvalRow(_ record: ApprovalRecord, now: UInt64, _ viewer: Viewer) -> [String: Any] {
        let approvals = record.votes.filter(\.approve).count
        return [
            "id": record.id, "agent": record.agent, "tool": record.tool, "params": record.redactedParameters,
            "rule": record.rule, "reason": record.reason, "group": record.group,
            "age": ApprovalsPage.age(now > record.createdMillis ? now - record.createdMillis : 0),
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
