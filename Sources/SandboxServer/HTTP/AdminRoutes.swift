import Hummingbird
import JSON
import SandboxState

/// The minimum of administration, under an admin token (`Authorization: Bearer`): create a
/// tenant, create an agent with a key, publish a policy (YAML; also with the agent's own key).
enum AdminRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/tenants") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            try caller.require(.admin, tenant: nil)
            let body = try await request.jsonBody()
            guard let id = body.member("id")?.stringValue else {
                return JSONResponses.error(.badRequest, "expected {\"id\": ..., \"name\": ...}")
            }
            let name = body.member("name")?.stringValue ?? id
            return await DecisionRoutes.propose(.createTenant(id: id, name: name, actor: caller.actor), on: node) {
                _ in nil
            }
        }
        router.post("/v1/agents") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let body = try await request.jsonBody()
            guard let tenant = body.member("tenant")?.stringValue,
                let agent = body.member("agent")?.stringValue, let key = body.member("key")?.stringValue,
                key.count >= 16
            else {
                return JSONResponses.error(
                    .badRequest, "expected {\"tenant\": ..., \"agent\": ..., \"key\": at least 16 characters}")
            }
            try caller.require(.admin, tenant: tenant)
            let command = Command.createAgent(
                tenant: tenant, agent: agent, keyHash: SHA256.hash(Array(key.utf8)), actor: caller.actor)
            return await DecisionRoutes.propose(command, on: node) { _ in nil }
        }
        router.put("/v1/agents/:agent/policy") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            guard let agent = context.parameters.get("agent") else {
                return JSONResponses.error(.badRequest, "no agent in the path")
            }
            guard let record = try node.queries.agent(agent) else {
                throw APIError.notFound("no agent `\(agent)`", code: "unknown_agent")
            }
            try caller.require(.admin, orAgent: record)
            let yaml = String(decoding: try await request.bodyBytes(), as: UTF8.self)
            let command = Command.publishPolicy(agent: agent, yaml: yaml, mode: .enforce, actor: caller.actor)
            return await DecisionRoutes.propose(command, on: node) { outcome in
                guard case .applied(.policy(let agent, let version, _, let mode)) = outcome else { return nil }
                return JSONResponses.json(
                    .object([
                        "agent": .string(agent), "version": JSONResponses.number(UInt64(version)),
                        "mode": .string(mode.name),
                    ]))
            }
        }
    }
}
