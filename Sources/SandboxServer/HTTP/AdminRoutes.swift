import Hummingbird
import JSON
import SandboxState

/// The first runtime's policy publishing, `PUT /v1/agents/{agent_id}/policy` (YAML), by an
/// administrator of the agent's tenant or the agent's own key; kept until
/// `PUT /v1/policies/{agent_id}` replaces it.
enum AdminRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.put("/v1/agents/:agent_id/policy") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let record = try await AgentRoutes.agent(context, caller, node)
            let agent = record.id
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
