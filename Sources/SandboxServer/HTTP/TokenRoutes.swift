import Foundation
import Hummingbird
import JSON
import SandboxState

/// Operators' bearer tokens and approver groups: `POST /v1/tokens` (`{"id", "role", "tenant"?,
/// "expires_in_s"?}` → the token, shown only in this answer), `GET /v1/tokens` (no secrets),
/// `DELETE /v1/tokens/{id}` (revoke), `PUT` / `DELETE /v1/groups/{group}/members/{principal_id}`.
/// An administrator of the token's tenant (a cluster-wide token needs a cluster-wide one).
enum TokenRoutes {
    static let maxExpirySeconds: UInt64 = 10 * 365 * 86_400
    static let pageSize = 100

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/tokens") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let body = try IdentityInput.object(try await request.jsonBody())
            let id = try IdentityInput.identifier(try IdentityInput.string(body, "id"), "id")
            let roleName = try IdentityInput.string(body, "role") ?? ""
            guard let role = Role.allCases.first(where: { $0.name == roleName }) else {
                throw APIError.badRequest("role must be admin, approver or viewer", code: "bad_role")
            }
            let tenant = try IdentityInput.string(body, "tenant").map { (text) throws(APIError) in
                try IdentityInput.identifier(text, "tenant")
            }
            try caller.require(.admin, tenant: tenant)
            let expires = try expiry(body)
            let token = BootstrapIdentities.randomToken()
            _ = try await node.propose(
                .createPrincipal(
                    id: id, tokenHash: SHA256.hash(Array(token.utf8)), role: role, tenant: tenant,
                    expiresAtMillis: expires, actor: caller.actor))
            var answer = describe(
                PrincipalRecord(
                    id: id, tokenHash: [], role: role, tenant: tenant, expiresAtMillis: expires, revoked: false,
                    createdMillis: 0))
            answer["token"] = .string(token)
            answer["created_ms"] = nil
            return JSONResponses.json(.object(answer))
        }
        router.get("/v1/tokens") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            try caller.require(.admin, tenant: caller.tenant)
            let (visible, more) = try page(after: request.uri.queryParameters.get("after"), for: caller, node)
            var answer: [String: JSONValue] = ["tokens": .array(visible.map { .object(describe($0)) })]
            if more, let last = visible.last { answer["next"] = .string(last.id) }
            return JSONResponses.json(.object(answer))
        }
        router.delete("/v1/tokens/:id") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let principal = try await self.principal(context.parameters.get("id"), node)
            try caller.require(.admin, tenant: principal.tenant)
            _ = try await node.propose(.revokePrincipal(id: principal.id, actor: caller.actor))
            return JSONResponses.json(.object(["id": .string(principal.id), "revoked": .bool(true)]))
        }
        for (method, member) in [(HTTPRequest.Method.put, true), (.delete, false)] {
            router.on("/v1/groups/:group/members/:principal_id", method: method) { request, context -> Response in
                let caller = try await node.caller(for: request, context: context)
                let group = try IdentityInput.identifier(context.parameters.get("group"), "group")
                let principal = try await self.principal(context.parameters.get("principal_id"), node)
                try caller.require(.admin, tenant: principal.tenant)
                _ = try await node.propose(
                    .setGroupMember(group: group, principal: principal.id, member: member, actor: caller.actor))
                return JSONResponses.json(
                    .object(["group": .string(group), "principal": .string(principal.id), "member": .bool(member)]))
            }
        }
    }

    /// Most principals one `GET /v1/tokens` of a tenant admin reads past (other tenants').
    static let maxScannedPrincipals = 100_000

    /// Up to ``pageSize`` principals the caller may see, after `after`, and whether more may
    /// follow. The cursor is always the last principal of the page, one the caller may see: a
    /// tenant admin's page reads past other tenants' principals until it is full (at most
    /// ``maxScannedPrincipals``) and never names one of them.
    private static func page(after: String?, for caller: Caller, _ node: SandboxNode) throws
        -> (visible: [PrincipalRecord], more: Bool)
    {
        var visible: [PrincipalRecord] = []
        var cursor = after
        var scanned = 0
        while scanned < maxScannedPrincipals {
            let batch = try node.queries.principals(after: cursor, limit: pageSize)
            scanned += batch.count
            for principal in batch where caller.tenant == nil || principal.tenant == caller.tenant {
                visible.append(principal)
                if visible.count == pageSize { return (visible, true) }
            }
            guard batch.count == pageSize, let last = batch.last else { return (visible, false) }
            cursor = last.id
        }
        return (visible, !visible.isEmpty)
    }

    /// `expires_in_s` (absent or 0: never) as milliseconds since the epoch.
    private static func expiry(_ body: JSONValue) throws(APIError) -> UInt64 {
        guard let member = body.member("expires_in_s"), member != .null else { return 0 }
        guard let seconds = body.uint64("expires_in_s"), seconds <= maxExpirySeconds else {
            throw .badRequest("expires_in_s must be 0 to \(maxExpirySeconds) seconds", code: "bad_expiry")
        }
        if seconds == 0 { return 0 }
        return UInt64(Date().timeIntervalSince1970 * 1000) + seconds * 1000
    }

    private static func principal(_ id: String?, _ node: SandboxNode) async throws(APIError) -> PrincipalRecord {
        let id = try IdentityInput.identifier(id, "principal id")
        try await node.linearizableRead()
        let found: PrincipalRecord?
        do { found = try node.queries.principal(id) } catch { throw .internalError("cannot read the state: \(error)") }
        guard let found else { throw .notFound("no principal `\(id)`", code: "unknown_principal") }
        return found
    }

    static func describe(_ principal: PrincipalRecord) -> [String: JSONValue] {
        [
            "id": .string(principal.id), "role": .string(principal.role.name),
            "tenant": principal.tenant.map(JSONValue.string) ?? .null,
            "expires_at_ms": JSONResponses.number(principal.expiresAtMillis), "revoked": .bool(principal.revoked),
            "created_ms": JSONResponses.number(principal.createdMillis),
        ]
    }
}
