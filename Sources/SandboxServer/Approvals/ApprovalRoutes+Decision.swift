import Hummingbird
import JSON
import SandboxState

extension ApprovalRoutes {
    /// A vote as posted: a form (`decision=approve|deny`, `comment`, and `csrf` from the page)
    /// or JSON (`{"decision": "approve"|"deny", "comment"?}`).
    struct Vote {
        var approve: Bool
        var comment: String?
        /// The page's CSRF token (forms only).
        var csrf: String?
        var isForm: Bool
        /// Cast through a console session (set once the session is checked).
        var fromSession = false
    }

    /// `POST /v1/approvals/{id}/decision`: an approver's vote (a bearer token, `--dev` loopback,
    /// or a console session with its CSRF token), recording who decided. 409 on a resolved
    /// approval or a second vote; 403 for a non-approver.
    static func decide(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        var vote = try await parseVote(request)
        let caller = try await voter(request, context, node, vote: &vote)
        do {
            let response = try await cast(vote, by: caller, context, node)
            // A vote from the page returns to the page.
            return vote.fromSession ? ConsoleRoutes.redirect(clearing: false) : response
        } catch let error as APIError where vote.fromSession {
            return ConsoleRoutes.html(ApprovalsPage.problem(error.message), status: error.status)
        }
    }

    /// Checks the vote against the approval as it is now and proposes it.
    static func cast(_ vote: Vote, by caller: Caller, _ context: APIRequestContext, _ node: SandboxNode)
        async throws -> Response
    {
        let record = try await approval(context, for: caller, node)
        try caller.require(.approver, tenant: record.tenant)
        let status = record.status(at: nowMillis())
        guard status == .pending else {
            throw APIError.conflict("approval \(record.id) is \(status.name), not pending", code: "approval_closed")
        }
        let principal = caller.actor
        guard !record.votes.contains(where: { $0.principal == principal }) else {
            throw APIError.conflict("`\(principal)` already voted on approval \(record.id)", code: "already_voted")
        }
        let command = Command.vote(
            approval: record.id, principal: principal, approve: vote.approve, comment: vote.comment)
        return try await proposeAndAnswer(command, node)
    }

    static func parseVote(_ request: Request) async throws -> Vote {
        let bytes = try await request.bodyBytes(upTo: maxBodyBytes)
        let isForm = request.headers[.contentType]?.hasPrefix("application/x-www-form-urlencoded") ?? false
        let decision: String?
        let comment: String?
        var csrf: String? = nil
        if isForm {
            guard let fields = FormBody.parse(bytes) else {
                throw APIError.badRequest("the form body is malformed", code: "bad_form")
            }
            decision = fields["decision"]
            comment = fields["comment"].flatMap { $0.isEmpty ? nil : $0 }
            csrf = fields["csrf"]
        } else {
            let body: JSONValue
            do { body = try JSONValue(parsing: bytes, maxDepth: APILimits.maxJSONDepth) } catch {
                throw APIError.badRequest(
                    "give a form `decision=approve|deny` or JSON {\"decision\": \"approve\"|\"deny\"}: \(error)",
                    code: "bad_json")
            }
            decision = body.member("decision")?.stringValue
            comment = body.member("comment")?.stringValue
        }
        guard let decision, decision == "approve" || decision == "deny" else {
            throw APIError.badRequest("decision must be `approve` or `deny`", code: "bad_decision")
        }
        if let comment, comment.utf8.count > 1024 {
            throw APIError.badRequest("comment is over 1024 bytes", code: "bad_comment")
        }
        return Vote(approve: decision == "approve", comment: comment, csrf: csrf, isForm: isForm)
    }

    /// Who votes: a console session (its CSRF token must match, else 403 and nothing changes),
    /// or whoever the request authenticates as.
    static func voter(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode, vote: inout Vote)
        async throws -> Caller
    {
        if let session = try node.session(from: request) {
            try node.checkCSRF(vote.csrf, for: session)
            vote.fromSession = true
            // On state as new as the leader's: a logout or a token revoked through another node
            // ends the session here too (as the console's own vote route reads first).
            try await node.linearizableRead()
            return try node.sessionCaller(session)
        }
        if vote.isForm { try requireSameOrigin(request) }
        return try await node.caller(for: request, context: context)
    }

    /// A form a browser posts from another site's page carries that site's `Origin`: refused
    /// (403), so that no page can vote through `--dev`'s tokenless loopback access. Clients that
    /// send no `Origin` (curl, the MVP's scripts) are not browsers and pass.
    static func requireSameOrigin(_ request: Request) throws(APIError) {
        if let origin = DevBrowserGuard.foreignOrigin(request) {
            throw .forbidden(
                "a form from another origin (\(origin.prefix(100))) cannot vote: use the /approvals page of this node",
                code: "cross_origin")
        }
    }
}
