import Hummingbird
import JSON
import SandboxState

/// An agent and its keys: `GET /v1/agents/{agent_id}`, key rotation
/// (`POST /v1/agents/{agent_id}/keys` adds a key, valid beside the old one until that is revoked
/// with `DELETE /v1/agents/{agent_id}/keys/{key_id}`), `POST /v1/agents/{agent_id}/disable` and
/// `/enable`. An administrator of the agent's tenant; reading, also a viewer or the agent itself.
enum AgentRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.get("/v1/agents/:agent_id") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let agent = try await self.agent(context, caller, node)
            try caller.require(.viewer, orAgent: agent)
            return JSONResponses.json(describe(agent, node))
        }
        router.post("/v1/agents/:agent_id/keys") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let agent = try await self.agent(context, caller, node)
            try caller.require(.admin, tenant: agent.tenant)
            let body = try IdentityInput.object(try await request.jsonBody())
            let key = try IdentityInput.secret(body.member("api_key"), "api_key")
            let hash = SHA256.hash(Array(key.utf8))
            _ = try await node.propose(.addAgentKey(agent: agent.id, keyHash: hash, actor: caller.actor))
            return JSONResponses.json(
                .object([
                    "agent_id": .string(agent.id), "api_key": .string(key),
                    "key_id": .string(node.keyIDs.id(hash)),
                ]))
        }
        router.delete("/v1/agents/:agent_id/keys/:key_id") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let agent = try await self.agent(context, caller, node)
            try caller.require(.admin, tenant: agent.tenant)
            let keyID = context.parameters.get("key_id") ?? ""
            guard let hash = agent.keyHashes.first(where: { node.keyIDs.id($0) == keyID }) else {
                throw APIError.notFound("agent `\(agent.id)` has no key `\(keyID)`", code: "unknown_key")
            }
            _ = try await node.propose(.revokeAgentKey(agent: agent.id, keyHash: hash, actor: caller.actor))
            return JSONResponses.json(.object(["agent_id": .string(agent.id), "revoked": .string(keyID)]))
        }
        for (path, enabled) in [("/v1/agents/:agent_id/disable", false), ("/v1/agents/:agent_id/enable", true)] {
            router.post(RouterPath(path)) { request, context -> Response in
                let caller = try await node.caller(for: request, context: context)
                let agent = try await self.agent(context, caller, node)
                try caller.require(.admin, tenant: agent.tenant)
                _ = try await node.propose(.setAgentEnabled(agent: agent.id, enabled: enabled, actor: caller.actor))
                return JSONResponses.json(.object(["agent_id": .string(agent.id), "enabled": .bool(enabled)]))
            }
        }
    }

    /// The agent named by the path, as of now, as the caller may know of it
    /// (``SandboxNode/visibleAgent(_:for:)``: 404 when unknown or another tenant's).
    static func agent(_ context: APIRequestContext, _ caller: Caller, _ node: SandboxNode) async throws(APIError)
        -> AgentRecord
    {
        let id = try IdentityInput.identifier(context.parameters.get("agent_id"), "agent id")
        return try await node.visibleAgent(id, for: caller)
    }

    static func describe(_ agent: AgentRecord, _ node: SandboxNode) -> JSONValue {
        .object([
            "id": .string(agent.id), "agent_id": .string(agent.id), "tenant": .string(agent.tenant),
            "enabled": .bool(agent.enabled),
            "key_ids": .array(agent.keyHashes.map { .string(node.keyIDs.id($0)) }),
            "created_ms": JSONResponses.number(agent.createdMillis),
        ])
    }
}
