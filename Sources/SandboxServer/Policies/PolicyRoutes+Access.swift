import Hummingbird
import SandboxState

extension PolicyRoutes {
    /// The caller and the agent named in the path (`agent_id`), once the caller may act on it:
    /// the agent itself (its key), or a principal holding `role` in the agent's tenant. The
    /// state is read after a ReadIndex (an agent created on another node a moment ago is seen).
    static func authorizedAgent(
        _ request: Request, _ context: APIRequestContext, _ node: SandboxNode, _ role: Role
    ) async throws(APIError) -> (Caller, AgentRecord) {
        let caller = try await node.caller(for: request, context: context)
        guard let id = context.parameters.get("agent_id"), !id.isEmpty else {
            throw .badRequest("the path names no agent", code: "bad_path")
        }
        let agent = try await node.visibleAgent(id, for: caller)
        try caller.require(role, orAgent: agent)
        return (caller, agent)
    }

    /// `enforce` or `shadow`.
    static func mode(_ text: String?, default fallback: PolicyMode) throws(APIError) -> PolicyMode {
        guard let text else { return fallback }
        guard let mode = PolicyMode.allCases.first(where: { $0.name == text }) else {
            throw .badRequest("mode must be `enforce` or `shadow`, not `\(text)`", code: "bad_mode")
        }
        return mode
    }

    /// A version number from the path or the query (1 or more).
    static func version(_ text: String?, _ name: String) throws(APIError) -> UInt32 {
        guard let text, let version = UInt32(text), version > 0 else {
            throw .badRequest("`\(name)` must be a policy version (1 or more)", code: "bad_version")
        }
        return version
    }
}
