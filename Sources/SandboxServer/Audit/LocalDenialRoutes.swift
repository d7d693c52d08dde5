import Hummingbird
import JSON
import SandboxPolicy
import SandboxState

/// `POST /v1/audit/local-denials`: an agent's SDK reports what it denied locally (from its
/// signed policy cache, without a round trip), so the audit misses nothing the agent was
/// refused. The agent's key; `{"denials": [...]}` (1 to 100) → `{"recorded", "duplicates"}`.
/// Before anything is proposed, each denial is decided again with the policy version it names
/// (versions never change, so any node that holds it decides the same): one that version does not
/// deny is refused, and the rule and reason recorded are the node's, not the agent's. One entry
/// through the Raft log; each denial not yet known by its request id becomes one `decision`
/// record (`deny`, `decided_by: "sdk"`); a retried report records nothing twice.
enum LocalDenialRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/audit/local-denials") { request, context -> Response in
            let agent = try await node.currentAgent(for: request, context: context)
            let denials = try confirmed(try parse(try await request.jsonBody()), agent: agent.id, node: node)
            let report = LocalDenialReport(agent: agent.id, node: node.config.nodeID, denials: denials)
            return await DecisionRoutes.propose(.reportLocalDenials(report), on: node) { outcome in
                guard case .applied(.localDenials(let recorded, let duplicates)) = outcome else { return nil }
                return JSONResponses.json(
                    .object([
                        "recorded": JSONResponses.number(UInt64(recorded)),
                        "duplicates": JSONResponses.number(UInt64(duplicates)),
                    ]))
            }
        }
    }

    static let limits = StateLimits()

    /// The report's denials, each checked against the state machine's limits, so that what is
    /// proposed decodes; 400 naming the first denial and field that is wrong.
    static func parse(_ body: JSONValue) throws(APIError) -> [LocalDenial] {
        guard case .array(let items)? = body.member("denials") else {
            throw .badRequest("give {\"denials\": [...]}: an array of 1 to \(limits.maxLocalDenialsPerReport) denials")
        }
        guard (1...limits.maxLocalDenialsPerReport).contains(items.count) else {
            throw .badRequest(
                "a report holds 1 to \(limits.maxLocalDenialsPerReport) denials, not \(items.count): send the rest in another",
                code: "bad_denial_count")
        }
        var denials: [LocalDenial] = []
        for (index, item) in items.enumerated() {
            do { denials.append(try denial(item)) } catch { throw .badRequest("denials[\(index)]: \(error.text)") }
        }
        return denials
    }

    private static func denial(_ item: JSONValue) throws(DecisionRoutes.Message) -> LocalDenial {
        let requestID = try string(item, "request_id", maxBytes: limits.maxIdentifierBytes)
        guard !IdentityInput.hasControlCharacter(requestID) else {
            throw .init(text: "request_id contains a control character")
        }
        let depth = try DecisionRoutes.chainDepth(item.member("chain_depth")).get()
        let request: DecisionRequest
        switch item.member("kind")?.stringValue {
        case "tool":
            let tool = try string(item, "tool", maxBytes: limits.maxNameBytes)
            let params = item.member("params") ?? .object([:])
            guard case .object = params else { throw .init(text: "params must be an object") }
            guard params.serialized().utf8.count <= limits.maxParameterBytes else {
                throw .init(text: "params are over \(limits.maxParameterBytes) bytes")
            }
            request = .tool(name: tool, parameters: params, chainDepth: depth ?? 0, costUSD: nil)
        case "http":
            let method = try string(item, "method", maxBytes: limits.maxNameBytes)
            let url = try string(item, "url", maxBytes: limits.maxURLBytes)
            request = .http(method: method.uppercased(), url: url, bodyBytes: nil, chainDepth: depth)
        default:
            throw .init(text: "kind must be \"tool\" (with tool and params) or \"http\" (with method and url)")
        }
        guard let version = item.uint32("policy_version") else {
            throw .init(text: "policy_version must be the cached bundle's version (an integer ≥ 0)")
        }
        return LocalDenial(
            requestID: requestID, request: request, rule: try string(item, "rule", maxBytes: limits.maxNameBytes),
            reason: try string(item, "reason", maxBytes: limits.maxReasonBytes), policyVersion: version)
    }

    /// The denials with the rule and reason of the policy version each names, as this node
    /// decides the request with it. 400 naming the first denial that version does not deny (or
    /// a version 0); 503 (retryable) for a version this node has not applied yet.
    static func confirmed(_ denials: [LocalDenial], agent: String, node: SandboxNode) throws(APIError)
        -> [LocalDenial]
    {
        var policies: [UInt32: CompiledPolicy] = [:]
        var confirmed: [LocalDenial] = []
        for (index, denial) in denials.enumerated() {
            let version = denial.policyVersion
            guard version >= 1 else { throw .badRequest("denials[\(index)]: policy_version 0 denies nothing") }
            let policy: CompiledPolicy
            if let known = policies[version] {
                policy = known
            } else {
                policy = try compiled(agent, version, node)
                policies[version] = policy
            }
            let decision = policy.evaluate(denial.request.policyRequest)
            guard decision.outcome == .deny else {
                throw .badRequest(
                    "denials[\(index)]: policy version \(version) of `\(agent)` does not deny this request "
                        + "(it answers \(decision.outcome), rule \(decision.rule)): ask POST /v1/decisions",
                    code: "not_denied")
            }
            var checked = denial
            checked.rule = clipped(decision.rule, limits.maxNameBytes)
            checked.reason = clipped(decision.explanation, limits.maxReasonBytes)
            confirmed.append(checked)
        }
        return confirmed
    }

    /// Version `version` of `agent`'s policy, compiled; 503 when this node has not applied it
    /// yet (another node may have: the SDK asks it), 400 when it is not the agent's.
    private static func compiled(_ agent: String, _ version: UInt32, _ node: SandboxNode) throws(APIError)
        -> CompiledPolicy
    {
        guard let record = try node.readState({ try $0.policyVersion(agent, version) }) else {
            let latest = try node.readState { try $0.policyHead(agent)?.latest } ?? 0
            throw .unavailable(
                "policy version \(version) of `\(agent)` is not applied on this node (it has \(latest)): ask another",
                code: "version_not_applied")
        }
        do { return try CompiledPolicy(yaml: record.yaml) } catch {
            throw .conflict(
                "version \(version) of `\(agent)` no longer compiles: \(error)", code: "invalid_policy")
        }
    }

    /// `text` cut to at most `limit` UTF-8 bytes, on a character boundary.
    static func clipped(_ text: String, _ limit: Int) -> String {
        var bytes = 0
        var end = text.startIndex
        for index in text.indices {
            bytes += text[index].utf8.count
            guard bytes <= limit else { break }
            end = text.index(after: index)
        }
        return String(text[..<end])
    }

    private static func string(_ item: JSONValue, _ name: String, maxBytes: Int) throws(DecisionRoutes.Message)
        -> String
    {
        guard let text = item.member(name)?.stringValue, !text.isEmpty else {
            throw .init(text: "\(name) must be a non-empty string")
        }
        guard text.utf8.count <= maxBytes else { throw .init(text: "\(name) is over \(maxBytes) bytes") }
        return text
    }
}
