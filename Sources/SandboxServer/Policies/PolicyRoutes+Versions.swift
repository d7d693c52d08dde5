import Hummingbird
import JSON
import SandboxPolicy
import SandboxSigning
import SandboxState

/// The versions of an agent's policy: the list, one version's signed bundle, the semantic diff
/// between two, rollback (an older text re-published as a new version) and shadow mode.
extension PolicyRoutes {
    /// Most versions one page of the list holds.
    static let maxPageSize = 100

    static func addVersionRoutes(to router: Router<APIRequestContext>, node: SandboxNode, keys: KeyRing) {
        router.get("/v1/policies/:agent_id/versions") { request, context -> Response in
            let (_, agent) = try await authorizedAgent(request, context, node, .viewer)
            return try versionList(request, agent, node)
        }
        router.get("/v1/policies/:agent_id/versions/:version") { request, context -> Response in
            let (_, agent) = try await authorizedAgent(request, context, node, .viewer)
            let version = try version(context.parameters.get("version"), "version")
            return PolicyBundles.response(try storedVersion(agent.id, version, node), keys)
        }
        router.get("/v1/policies/:agent_id/diff") { request, context -> Response in
            let (_, agent) = try await authorizedAgent(request, context, node, .viewer)
            let query = request.uri.queryParameters
            let from = try version(query.get("from"), "from")
            let to = try version(query.get("to"), "to")
            let diff = PolicyDiff(
                from: try document(try storedVersion(agent.id, from, node)),
                to: try document(try storedVersion(agent.id, to, node)))
            return JSONResponses.json(diffJSON(diff, agent: agent.id, from: from, to: to))
        }
        router.post("/v1/policies/:agent_id/rollback") { request, context -> Response in
            let (caller, agent) = try await authorizedAgent(request, context, node, .admin)
            let body = try await request.jsonBody()
            let version = try version(body.member("version").flatMap(Self.integerText), "version")
            let mode = try mode(body.member("mode")?.stringValue, default: .enforce)
            let command = Command.activatePolicy(agent: agent.id, version: version, mode: mode, actor: caller.actor)
            return try await apply(command, node, keys)
        }
        router.post("/v1/policies/:agent_id/mode") { request, context -> Response in
            let (caller, agent) = try await authorizedAgent(request, context, node, .admin)
            let body = try await request.jsonBody()
            let version = try version(body.member("version").flatMap(Self.integerText), "version")
            guard let text = body.member("mode")?.stringValue else {
                throw APIError.badRequest("give {\"version\": N, \"mode\": \"shadow\" | \"enforce\"}", code: "bad_mode")
            }
            let mode = try mode(text, default: .enforce)
            let command = Command.setPolicyMode(agent: agent.id, version: version, mode: mode, actor: caller.actor)
            return try await apply(command, node, keys)
        }
    }

    /// `{"agent_id", "latest", "enforced", "shadow", "versions": [...], "next_after"?}`, oldest
    /// first, a page after `?after=` of at most `?limit=` (100).
    private static func versionList(_ request: Request, _ agent: AgentRecord, _ node: SandboxNode) throws(APIError)
        -> Response
    {
        let query = request.uri.queryParameters
        let after = try query.get("after").map { text throws(APIError) in try version(text, "after") }
        var limit = 50
        if let text = query.get("limit") {
            guard let value = Int(text), (1...maxPageSize).contains(value) else {
                throw .badRequest("`limit` must be 1 to \(maxPageSize)", code: "bad_limit")
            }
            limit = value
        }
        let head = try node.readState { try $0.policyHead(agent.id) } ?? PolicyHead()
        let records = try node.readState { try $0.policyVersions(agent.id, after: after, limit: limit) }
        var body: [String: JSONValue] = [
            "agent_id": .string(agent.id), "latest": count(head.latest), "enforced": count(head.enforced),
            "shadow": count(head.shadow), "versions": .array(records.map(versionJSON)),
        ]
        if records.count == limit, let last = records.last, last.version < head.latest {
            body["next_after"] = count(last.version)
        }
        return JSONResponses.json(.object(body))
    }

    private static func versionJSON(_ record: PolicyVersionRecord) -> JSONValue {
        .object([
            "version": count(record.version), "sha256": .string(record.sha256.hexString),
            "author": .string(record.author), "ts": JSONResponses.number(record.timeMillis / 1000),
            "mode": .string(record.mode.name), "copied_from": count(record.copiedFrom),
        ])
    }

    private static func diffJSON(_ diff: PolicyDiff, agent: String, from: UInt32, to: UInt32) -> JSONValue {
        .object([
            "agent_id": .string(agent), "from": count(from), "to": count(to),
            "widens": .bool(diff.changes.contains { $0.effect == .widens }),
            "changes": .array(
                diff.changes.map { change in
                    .object([
                        "kind": .string(
                            change.kind == .added ? "added" : change.kind == .removed ? "removed" : "changed"),
                        "path": .string(change.path), "detail": .string(change.detail),
                        "effect": .string(change.effect.rawValue),
                    ])
                }),
        ])
    }

    static func storedVersion(_ agent: String, _ version: UInt32, _ node: SandboxNode) throws(APIError)
        -> PolicyVersionRecord
    {
        guard let record = try node.readState({ try $0.policyVersion(agent, version) }) else {
            throw .notFound("agent `\(agent)` has no policy version \(version)", code: "unknown_policy_version")
        }
        return record
    }

    private static func document(_ record: PolicyVersionRecord) throws(APIError) -> PolicyDocument {
        do { return try PolicyDocument(yaml: record.yaml) } catch {
            throw .internalError("stored version \(record.version) of `\(record.agent)` no longer reads: \(error)")
        }
    }

    private static func count(_ value: UInt32) -> JSONValue { JSONResponses.number(UInt64(value)) }

    /// A JSON integer as text (for ``version(_:_:)``).
    static func integerText(_ value: JSONValue) -> String? {
        guard case .number(let number) = value, let int = number.int64Value else { return nil }
        return String(int)
    }
}
