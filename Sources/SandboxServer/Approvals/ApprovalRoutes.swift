import Foundation
import Hummingbird
import JSON
import SandboxState

/// Approvals: request one (`POST /v1/approvals`, as the MVP's SDK did), the queue
/// (`GET /v1/approvals?status=pending`), one approval with a long poll until it is resolved
/// (`GET /v1/approvals/{id}?wait=30s`), and an approver's vote
/// (`POST /v1/approvals/{id}/decision`, a form `decision=approve|deny` or JSON). Every read is
/// linearizable: a vote applied on any node is seen here.
enum ApprovalRoutes {
    static let maxBodyBytes = 64 << 10
    static let maxPage = 500

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/approvals") { request, context -> Response in
            try await create(request, context, node)
        }
        router.get("/v1/approvals") { request, context -> Response in
            try await list(request, context, node)
        }
        router.get("/v1/approvals/:id") { request, context -> Response in
            try await show(request, context, node)
        }
        router.post("/v1/approvals/:id/decision") { request, context -> Response in
            try await decide(request, context, node)
        }
    }

    static func nowMillis() -> UInt64 { UInt64(Date().timeIntervalSince1970 * 1000) }

    /// The approval named in the path, read after a linearizable read point; 404 when unknown,
    /// and when it is another tenant's and the caller is confined to a tenant (the same answer,
    /// so that no tenant learns another's approval ids).
    static func approval(_ context: APIRequestContext, for caller: Caller, _ node: SandboxNode) async throws(APIError)
        -> ApprovalRecord
    {
        guard let text = context.parameters.get("id"), let id = UInt64(text) else {
            throw .badRequest("the approval id must be a non-negative integer", code: "bad_approval_id")
        }
        try await node.linearizableRead()
        guard let record = try node.readState({ try $0.approval(id) }),
            caller.tenant == nil || caller.tenant == record.tenant
        else { throw .notFound("no approval \(id)", code: "unknown_approval") }
        return record
    }

    /// Whether `caller` may see approvals of `agent` in `tenant`: viewers and above of that
    /// tenant (or the cluster), and the agent itself by its key.
    static func requireReader(_ caller: Caller, agent: String, tenant: String) throws(APIError) {
        if case .agent(let record) = caller {
            guard record.id == agent else {
                throw .forbidden("agent `\(record.id)` may read only its own approvals, not `\(agent)`'s")
            }
            return
        }
        try caller.require(.viewer, tenant: tenant)
    }

    static func show(_ request: Request, _ context: APIRequestContext, _ node: SandboxNode) async throws
        -> Response
    {
        let caller = try await node.caller(for: request, context: context)
        let wait = try LongPoll.wait(request)
        var record = try await approval(context, for: caller, node)
        try requireReader(caller, agent: record.agent, tenant: record.tenant)
        if let wait, record.status(at: nowMillis()) == .pending {
            record = try await waitForResolution(of: record, upTo: wait, for: caller, node)
        }
        return JSONResponses.json(record.json(atMillis: nowMillis()))
    }

    /// The long poll: the approval once it is no longer pending, or as it is when `wait` (or its
    /// expiry, if sooner) has passed.
    static func waitForResolution(
        of record: ApprovalRecord, upTo wait: Duration, for caller: Caller, _ node: SandboxNode
    ) async throws -> ApprovalRecord {
        let now = nowMillis()
        let untilExpiry = Duration.milliseconds(
            Int64(clamping: record.expiresMillis > now ? record.expiresMillis - now : 0))
        let id = record.id
        let resolved: ApprovalRecord?
        do {
            resolved = try await node.watchers.poll(
                .approval(id), owner: caller.pollOwner, timeout: min(wait, untilExpiry)
            ) {
                guard let current = try node.readState({ try $0.approval(id) }) else { return nil }
                return current.status(at: nowMillis()) == .pending ? nil : current
            }
        } catch let full as ApplyWatchers.Full {
            throw LongPoll.refusal(full)
        }
        return try resolved ?? node.readState({ try $0.approval(id) }) ?? record
    }
}
