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
        guard let agent = try node.readState({ try $0.agent(fields.agent) }) else {
            throw APIError.notFound("no agent `\(fields.agent)`", code: "unknown_agent")
        }
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
        let page = try node.readState { try $0.approvals(status: status, after: after, limit: Int(limit)) }
        let now = nowMillis()
        let visible = page.filter { record in
            (try? requireReader(caller, agent: record.agent, tenant: record.tenant)) != nil
                && (status != .pending || record.status(at: now) == .pending)
        }
        let next: JSONValue = page.count == Int(limit) ? JSONResponses.number(page[page.count - 1].id) : .null
        return JSONResponses.json(
            .object(["approvals": .array(visible.map { $0.json(atMillis: now) }), "next_after": next]))
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
