import Hummingbird
import JSON
import SandboxPolicy
import SandboxSigning
import SandboxState

/// Agents' policies: publish (`PUT /v1/policies/{agent_id}`, YAML), the signed bundle of the
/// enforced version (`GET`, with `ETag`, `If-None-Match` and `?wait=` long polls), and the
/// version routes (PolicyRoutes+Versions.swift). Reads are linearizable; writes are proposed
/// (a follower forwards them) and answered once applied on this node.
enum PolicyRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode, keys: KeyRing) {
        router.put("/v1/policies/:agent_id") { request, context -> Response in
            try await publish(request, context, node, keys)
        }
        router.get("/v1/policies/:agent_id") { request, context -> Response in
            try await enforcedBundle(request, context, node, keys)
        }
        addVersionRoutes(to: router, node: node, keys: keys)
    }

    /// Media types a policy upload may declare (or none): YAML's, plain text, JSON (a JSON
    /// document is YAML), and what clients send for raw bytes by default (curl's `--data-binary`
    /// says form-urlencoded). Others (multipart forms) wrap the text: 415.
    static let yamlTypes = [
        "application/x-yaml", "application/yaml", "text/yaml", "text/x-yaml", "text/plain", "application/json",
        "application/octet-stream", "application/x-www-form-urlencoded",
    ]

    private static func publish(
        _ request: Request, _ context: APIRequestContext, _ node: SandboxNode, _ keys: KeyRing
    ) async throws(APIError) -> Response {
        let (caller, agent) = try await authorizedAgent(request, context, node, .admin)
        if let type = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces),
            !yamlTypes.contains(type.lowercased())
        {
            throw APIError(
                .unsupportedMediaType, code: "unsupported_media_type",
                "a policy is YAML: send Content-Type: application/x-yaml (got \(type))")
        }
        let mode = try self.mode(request.uri.queryParameters.get("mode"), default: .enforce)
        let bytes = try await request.bodyBytes()
        guard let yaml = String(validating: bytes, as: UTF8.self) else {
            throw .badRequest("the policy is not UTF-8 text", code: "invalid_policy")
        }
        let compiled = try validate(yaml, agent: agent.id)
        let command = Command.publishPolicy(agent: agent.id, yaml: yaml, mode: mode, actor: caller.actor)
        return try await apply(command, node, keys, warnings: compiled.warnings)
    }

    /// Compiles `yaml` as the state machine will; errors as `agent.yaml:line:col: message`.
    /// Schema files cannot be read by the server: such a policy is refused with what to do.
    static func validate(_ yaml: String, agent: String) throws(APIError) -> CompiledPolicy {
        let refuseFiles = { (reference: String) throws -> JSONValue in
            throw SchemaReferenceError(
                reference: reference,
                message: "the server reads no schema files: inline the schema (tools.schemas.TOOL: {...JSON Schema...})"
            )
        }
        do {
            return try CompiledPolicy(yaml: yaml, resolveSchema: refuseFiles)
        } catch {
            let lines = error.errors.map { "\(agent).yaml:\($0.location): \($0.message)" }
            throw .badRequest(lines.joined(separator: "\n"), code: "invalid_policy")
        }
    }

    /// Proposes a policy command and answers the signed new version:
    /// `{"policy_id", "version", "signature", "key_id", "sha256", "mode", "warnings"}`.
    static func apply(
        _ command: Command, _ node: SandboxNode, _ keys: KeyRing, warnings: [PolicyDiagnostic] = []
    ) async throws(APIError) -> Response {
        guard case .applied(.policy(let agent, let version, _, let mode)) = try await node.propose(command) else {
            throw .internalError("a policy command applied without a policy answer")
        }
        // Applied on this node before propose returns: the local read sees it.
        let signed = PolicyBundles.signed(try storedVersion(agent, version, node), keys)
        return JSONResponses.json(
            .object([
                "policy_id": .string("\(agent)@\(version)"), "version": JSONResponses.number(UInt64(version)),
                "signature": .string(signed.signatureBase64), "key_id": .string(signed.keyID),
                "sha256": .string(signed.bundle.sha256), "mode": .string(mode.name),
                "warnings": .array(warnings.map { .string("\(agent).yaml:\($0.location): \($0.message)") }),
            ]))
    }

    /// `GET /v1/policies/{agent_id}`: the signed bundle of the enforced version. With
    /// `If-None-Match` naming it, 304; with `?wait=`, the answer waits (at most 30 s) for the
    /// enforced version to change (or, with no policy yet, for a first one).
    private static func enforcedBundle(
        _ request: Request, _ context: APIRequestContext, _ node: SandboxNode, _ keys: KeyRing
    ) async throws(APIError) -> Response {
        let (caller, agent) = try await authorizedAgent(request, context, node, .viewer)
        let wait = try LongPoll.wait(request)
        let known = request.headers[.ifNoneMatch]
        let read = { () throws(APIError) -> PolicyVersionRecord? in
            try node.readState { try $0.enforcedPolicy(agent.id) }
        }
        var record = try read()
        let stale = { (record: PolicyVersionRecord?) in
            record == nil || PolicyBundles.matches(known, PolicyBundles.etag(record!, keys))
        }
        if let wait, stale(record) {
            do {
                record =
                    try await node.watchers.poll(.policy(agent: agent.id), owner: caller.pollOwner, timeout: wait) {
                        let current = try read()
                        return stale(current) ? nil : current
                    } ?? read()
            } catch let error as APIError {
                throw error
            } catch let full as ApplyWatchers.Full {
                throw LongPoll.refusal(full)
            } catch {
                throw .internalError("the long poll failed: \(error)")
            }
        }
        guard let record else {
            throw .notFound("agent `\(agent.id)` has no enforced policy; publish one with PUT", code: "no_policy")
        }
        let etag = PolicyBundles.etag(record, keys)
        if PolicyBundles.matches(known, etag) { return PolicyBundles.notModified(etag) }
        return PolicyBundles.response(record, keys)
    }
}
