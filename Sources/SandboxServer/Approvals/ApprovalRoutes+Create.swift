import Hummingbird
import JSON
import SandboxState

extension ApprovalRoutes {
    /// `POST /v1/approvals`: `{"agent_id", "tool", "params_hash", "payload_redacted"}` (the MVP
    /// SDK's shape; optional `group`, `required_approvals`, `ttl_seconds`) → the pending
    /// approval bound to that hash (an open one for the same binding is answered instead).
    /// By the agent's own key or an administrator of its tenant.
    static func create(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let caller = try await node.caller(for: request, context: context)
        let fields = try ApprovalRequestFields(try await request.jsonBody(upTo: maxBodyBytes))
        let agent = try await node.visibleAgent(fields.agent, for: caller)
        try caller.require(.admin, orAgent: agent)
        let command = Command.requestApproval(
            agent: agent.id, tool: fields.tool, parametersHash: fields.hash, redactedPayload: fields.payload,
            group: fields.group, requiredApprovals: fields.required, ttlSeconds: fields.ttlSeconds,
            actor: caller.actor)
        return try await proposeAndAnswer(command, node)
    }

    /// `GET /v1/approvals?status=pending&after=&limit=`: one page of approvals with that status
    /// (default `pending`), oldest first, and `next_after` for the next page (null at the end).
    /// A tenant-scoped caller sees its tenant's; an agent key its own agent's.
    static func list(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let caller = try await node.caller(for: request, context: context)
        let query = request.uri.queryParameters
        let statusName = query.get("status") ?? "pending"
        guard let status = ApprovalStatus(name: statusName) else {
            throw APIError.badRequest(
                "status=\(statusName.prefix(40)) is not one of pending, approved, denied, expired, consumed",
                code: "bad_status")
        }
        let after = try unsignedParameter(query.get("after"), "after")
        let limit = try unsignedParameter(query.get("limit"), "limit") ?? 100
        guard (1...UInt64(maxPage)).contains(limit) else {
            throw APIError.badRequest("limit must be 1...\(maxPage)", code: "bad_limit")
        }
        if case .agent = caller {} else { try caller.require(.viewer, tenant: caller.tenant) }
        try await node.linearizableRead()
        let now = nowMillis()
        let page = try visiblePage(caller, status: status, after: after, limit: Int(limit), atMillis: now, node)
        return JSONResponses.json(
            .object([
                "approvals": .array(page.records.map { $0.json(atMillis: now) }),
                "next_after": page.next.map(JSONResponses.number) ?? .null,
            ]))
    }

    /// Records read at most for one page of a caller who sees only part of its tenant's (an agent).
    static let maxScannedPerPage = 4 * maxPage

    /// Up to `limit` approvals with stored status `status` that `caller` may read, oldest first
    /// after `after`, and the cursor of the next page (nil at the end). A caller confined to a
    /// tenant reads that tenant's index, so no other tenant's approvals fill its page; an agent
    /// (its own only) reads at most ``maxScannedPerPage`` records and may get a short page with a
    /// cursor. Pending approvals past their expiry (not yet swept) are left out.
    static func visiblePage(
        _ caller: Caller, status: ApprovalStatus, after: UInt64?, limit: Int, atMillis now: UInt64,
        _ node: SandboxNode
    ) throws(APIError) -> (records: [ApprovalRecord], next: UInt64?) {
        var records: [ApprovalRecord] = []
        var cursor = after
        var scanned = 0
        while scanned < maxScannedPerPage {
            let from = cursor
            let page = try node.readState {
                try $0.approvals(status: status, tenant: caller.tenant, after: from, limit: limit)
            }
            scanned += page.count
            for record in page {
                cursor = record.id
                guard (try? requireReader(caller, agent: record.agent, tenant: record.tenant)) != nil,
                    status != .pending || record.status(at: now) == .pending
                else { continue }
                records.append(record)
                if records.count == limit { return (records, cursor) }
            }
            if page.count < limit { return (records, nil) }
        }
        return (records, cursor)
    }

    /// Proposes a command that answers an approval; the approval as applied on this node.
    static func proposeAndAnswer(_ command: Command, _ node: SandboxNode) async throws(APIError) -> Response {
        guard case .applied(.approval(let id, _)) = try await node.propose(command),
            let record = try node.readState({ try $0.approval(id) })
        else { throw APIError.internalError("the command applied but answered no approval") }
        return JSONResponses.json(record.json(atMillis: nowMillis()))
    }

    /// A non-negative integer query parameter; 400 naming it otherwise.
    static func unsignedParameter(_ text: String?, _ name: String) throws(APIError) -> UInt64? {
        guard let text else { return nil }
        guard let value = UInt64(text) else {
            throw APIError.badRequest("\(name) must be a non-negative integer", code: "bad_\(name)")
        }
        return value
    }
}
