import Hummingbird
import JSON
import SandboxPolicy
import SandboxState

/// `POST /v1/policy/simulate`: a request decided against an agent's enforced policy (or one of
/// its versions), or against a YAML text sent with it; the decision and its full trace.
/// Nothing changes: no budget is spent, no approval created, nothing audited; the budget
/// limits are checked only as far as the policy alone decides them (per request, chain depth).
///
/// Body: `{"request": {"tool", "params", ...} | {"http": {...}}, "agent_id"?, "version"?,
/// "policy"?: YAML}` — `agent_id` (with an optional `version`) or `policy`, not both.
enum SimulationRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/policy/simulate") { request, context -> Response in
            let caller = try await node.caller(for: request, context: context)
            let body = try await request.jsonBody()
            guard case .object(let members) = body else {
                throw APIError.badRequest("the body must be a JSON object", code: "bad_request")
            }
            let known = ["request", "agent_id", "version", "policy"]
            if let extra = members.keys.sorted().first(where: { !known.contains($0) }) {
                throw APIError.badRequest("unknown member `\(extra)` (known: \(known.joined(separator: ", ")))")
            }
            let simulated = try parseRequest(members["request"])
            let (policy, source) = try await self.policy(members, caller, node)
            let traced = policy.trace(simulated)
            guard case .object(var answer) = traced.jsonValue else { return JSONResponses.json(traced.jsonValue) }
            answer["policy"] = source
            return JSONResponses.json(.object(answer))
        }
    }

    private static func parseRequest(_ value: JSONValue?) throws(APIError) -> PolicyRequest {
        guard let value else {
            throw .badRequest(
                "give `request`: {\"tool\": ..., \"params\": {...}} or {\"http\": {\"method\", \"url\"}}",
                code: "bad_request")
        }
        do { return try PolicyRequest(json: value) } catch {
            throw .badRequest("bad request: \(error)", code: "bad_request")
        }
    }

    /// The policy to decide with, and how it is described in the answer (`source`: `text` or
    /// `agent`, with the agent, version and digest).
    static func policy(_ members: JSONObject, _ caller: Caller, _ node: SandboxNode)
        async throws(APIError) -> (CompiledPolicy, JSONValue)
    {
        if let text = members["policy"] {
            guard members["agent_id"] == nil, members["version"] == nil else {
                throw .badRequest("give either `policy` (YAML text) or `agent_id`, not both")
            }
            guard case .string(let yaml) = text else { throw .badRequest("`policy` must be YAML text (a string)") }
            let compiled = try PolicyRoutes.validate(yaml, agent: "policy")
            let digest = SHA256.hash(Array(yaml.utf8)).hexString
            return (compiled, .object(["source": .string("text"), "sha256": .string(digest)]))
        }
        guard case .string(let id)? = members["agent_id"] else {
            throw .badRequest("give `agent_id` (its enforced policy) or `policy` (a YAML text)")
        }
        let agent = try await node.visibleAgent(id, for: caller)
        try caller.require(.viewer, orAgent: agent)
        let record: PolicyVersionRecord
        if let value = members["version"] {
            record = try PolicyRoutes.storedVersion(
                id, try PolicyRoutes.version(PolicyRoutes.integerText(value), "version"), node)
        } else {
            guard let enforced = try node.readState({ try $0.enforcedPolicy(id) }) else {
                throw .notFound("agent `\(id)` has no enforced policy", code: "no_policy")
            }
            record = enforced
        }
        let compiled: CompiledPolicy
        do { compiled = try CompiledPolicy(yaml: record.yaml) } catch {
            throw .conflict("version \(record.version) of `\(id)` no longer compiles: \(error)", code: "invalid_policy")
        }
        return (
            compiled,
            .object([
                "source": .string("agent"), "agent_id": .string(id),
                "version": JSONResponses.number(UInt64(record.version)), "sha256": .string(record.sha256.hexString),
            ])
        )
    }
}
