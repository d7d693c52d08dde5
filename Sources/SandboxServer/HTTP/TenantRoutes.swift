import Hummingbird
import JSON
import SandboxState

/// Tenants and their agents, with the MVP's paths and shapes: `POST /v1/tenants`
/// (`{"name", "id"?}` → `{"id", "name"}`), `GET /v1/tenants/{tenant_id}`,
/// `POST /v1/tenants/{tenant_id}/agents` (`{"agent_id", "api_key"?}` →
/// `{"id", "agent_id", "api_key", "tenant", "key_id"}`; the key is generated when absent and shown
/// only in this answer).
enum TenantRoutes {
    static let maxNameLength = 256

    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/tenants") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            try caller.require(.admin, tenant: nil)
            let body = try IdentityInput.object(try await request.jsonBody())
            let name = try IdentityInput.string(body, "name")
            let given = try IdentityInput.string(body, "id")
            guard let display = name ?? given, !display.isEmpty, display.utf8.count <= maxNameLength else {
                throw APIError.badRequest("expected {\"name\": 1 to \(maxNameLength) bytes of UTF-8, \"id\"?: ...}")
            }
            let id = try IdentityInput.identifier(given ?? IdentityInput.slug(display), "tenant id")
            _ = try await node.propose(.createTenant(id: id, name: display, actor: caller.actor))
            return JSONResponses.json(.object(["id": .string(id), "name": .string(display)]))
        }
        router.get("/v1/tenants/:tenant_id") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let id = try IdentityInput.identifier(context.parameters.get("tenant_id"), "tenant id")
            try caller.require(.viewer, tenant: id)
            try await node.linearizableRead()
            guard let tenant = try node.queries.tenant(id) else {
                throw APIError.notFound("no tenant `\(id)`", code: "unknown_tenant")
            }
            return JSONResponses.json(
                .object([
                    "id": .string(tenant.id), "name": .string(tenant.name),
                    "created_ms": JSONResponses.number(tenant.createdMillis),
                ]))
        }
        router.post("/v1/tenants/:tenant_id/agents") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let tenant = try IdentityInput.identifier(context.parameters.get("tenant_id"), "tenant id")
            try caller.require(.admin, tenant: tenant)
            let body = try IdentityInput.object(try await request.jsonBody())
            let agent = try IdentityInput.identifier(try IdentityInput.string(body, "agent_id"), "agent_id")
            let key = try IdentityInput.secret(body.member("api_key"), "api_key")
            let hash = SHA256.hash(Array(key.utf8))
            _ = try await node.propose(.createAgent(tenant: tenant, agent: agent, keyHash: hash, actor: caller.actor))
            return JSONResponses.json(
                .object([
                    "id": .string(agent), "agent_id": .string(agent), "api_key": .string(key),
                    "tenant": .string(tenant),
                    "key_id": .string(node.keyIDs.id(hash)),
                ]))
        }
    }
}
