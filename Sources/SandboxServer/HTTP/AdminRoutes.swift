import Hummingbird
import JSON
import SandboxState

/// The minimum of administration, under the bootstrap admin token (`Authorization: Bearer`):
/// create a tenant, create an agent with a key, publish a policy (YAML). Shaped as the full API
/// will keep them.
enum AdminRoutes {
    static let maxBodyBytes = 1 << 20

    static func add(to router: Router<BasicRequestContext>, node: SandboxNode) {
        router.post("/v1/tenants") { request, _ -> Response in
            if let refusal = authorize(request, node) { return refusal }
            guard let body = try? await json(request), let id = body.member("id")?.stringValue else {
                return JSONResponses.error(.badRequest, "expected {\"id\": ..., \"name\": ...}")
            }
            let name = body.member("name")?.stringValue ?? id
            return await DecisionRoutes.propose(.createTenant(id: id, name: name, actor: "admin"), on: node) { _ in nil
            }
        }
        router.post("/v1/agents") { request, _ -> Response in
            if let refusal = authorize(request, node) { return refusal }
            guard let body = try? await json(request), let tenant = body.member("tenant")?.stringValue,
                let agent = body.member("agent")?.stringValue, let key = body.member("key")?.stringValue,
                key.count >= 16
            else {
                return JSONResponses.error(
                    .badRequest, "expected {\"tenant\": ..., \"agent\": ..., \"key\": at least 16 characters}")
            }
            let command = Command.createAgent(
                tenant: tenant, agent: agent, keyHash: SHA256.hash(Array(key.utf8)), actor: "admin")
            return await DecisionRoutes.propose(command, on: node) { _ in nil }
        }
        router.put("/v1/agents/:agent/policy") { request, context -> Response in
            if let refusal = authorize(request, node) { return refusal }
            guard let agent = context.parameters.get("agent") else {
                return JSONResponses.error(.badRequest, "no agent in the path")
            }
            let bytes = try await request.body.collect(upTo: maxBodyBytes)
            let yaml = String(buffer: bytes)
            let command = Command.publishPolicy(agent: agent, yaml: yaml, mode: .enforce, actor: "admin")
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

    static func authorize(_ request: Request, _ node: SandboxNode) -> Response? {
        guard let token = node.config.adminToken else {
            return JSONResponses.error(.forbidden, "no admin token is configured (--admin-token)")
        }
        let given = request.headers[.authorization] ?? ""
        guard constantTimeEqual(Array(given.utf8), Array("Bearer \(token)".utf8)) else {
            return JSONResponses.error(.unauthorized, "missing or wrong Authorization: Bearer token")
        }
        return nil
    }

    private static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func json(_ request: Request) async throws -> JSONValue {
        try JSONValue(parsing: Array(try await request.body.collect(upTo: maxBodyBytes).readableBytesView))
    }
}
