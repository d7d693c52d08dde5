import Foundation
import Hummingbird
import JSON
import NIOCore
import SandboxCluster
import SandboxState

/// `POST /v1/decisions`: the agent's key, a request id, a tool call or an HTTP request; the
/// decision once applied on this node.
enum DecisionRoutes {
    static func add(to router: Router<APIRequestContext>, node: SandboxNode) {
        router.post("/v1/decisions") { request, context -> Response in
            let started = ContinuousClock.now
            let (response, outcome) = try await decide(request, context, node)
            node.metrics.recordDecision(outcome: outcome, duration: ContinuousClock.now - started)
            return response
        }
    }

    /// The response, and the outcome for the metrics (`allow`, `deny`, `needs_approval`, `error`).
    private static func decide(
        _ request: Request, _ context: APIRequestContext, _ node: SandboxNode
    ) async throws -> (Response, String) {
        let agent: AgentRecord
        do { agent = try await node.currentAgent(for: request, context: context) } catch {
            return (error.response, "error")
        }
        let body: JSONValue
        do { body = try await request.jsonBody() } catch { return (error.response, "error") }
        let command: Command
        let requestID: String
        switch self.command(body, idempotencyKey: header(request, "idempotency-key"), agent: agent, node: node) {
        case .success(let parsed): (command, requestID) = parsed
        case .failure(let error): return (error.response, "error")
        }
        let end = await withCheckedContinuation { continuation in
            node.propose(command) { continuation.resume(returning: $0) }
        }
        let (answer, outcome) = Self.answer(end.outcome())
        if let broken = ChaosFaultInjection.active?.decision(
            replacing: answer.response, requestID: requestID,
            nextSequence: { try? node.readState { try $0.auditHead().nextSequence } })
        {
            return (broken, "allow")
        }
        return (answer.response, outcome)
    }

    /// The `decide` command a request body asks for (the request id from `Idempotency-Key` or the
    /// body's `request_id`), or the 400 to answer. Shared by the route and ``DecisionFastPath``.
    static func command(
        _ body: JSONValue, bodyBytes: Int? = nil, idempotencyKey: String?, agent: AgentRecord, node: SandboxNode
    ) -> Result<(Command, requestID: String), APIError> {
        guard let requestID = idempotencyKey ?? body.member("request_id")?.stringValue, !requestID.isEmpty else {
            return .failure(.badRequest("give a request id: the Idempotency-Key header or request_id"))
        }
        guard IdentityInput.isStoredIdentifier(requestID) else {
            return .failure(
                .badRequest(
                    "the request id (Idempotency-Key or request_id) must be 1 to \(limits.maxIdentifierBytes) bytes "
                        + "without control characters"))
        }
        switch parse(body, bodyBytes: bodyBytes) {
        case .success(let decision):
            let command = DecideCommand(
                requestID: requestID, agent: agent.id, request: decision, node: node.config.nodeID)
            return .success((.decide(command), requestID))
        case .failure(let message): return .failure(.badRequest(message.text))
        }
    }

    /// The `decide` command for a fast path (``RawDecisionPath``, ``DecisionFastPath``): nil
    /// whenever the route must answer instead (chaos fault injection on, no key or one this node
    /// does not know, a rate-limited client, a body that is not a decision), which then says why.
    static func fastCommand(
        body: [UInt8], agentKey: String?, idempotencyKey: String?, address: SocketAddress?, node: SandboxNode
    ) -> Command? {
        guard ChaosFaultInjection.active == nil, let agent = node.knownAgent(key: agentKey, address: address),
            let json = try? JSONValue(
                parsing: body, maxDepth: APILimits.maxJSONDepth, maxBytes: APILimits.maxBodyBytes),
            case .success(let (command, _)) = command(
                json, bodyBytes: body.count, idempotencyKey: idempotencyKey, agent: agent, node: node)
        else { return nil }
        return command
    }

    /// The answer to an applied (or failed) decide proposal, and the outcome for the metrics.
    static func answer(_ result: Result<EntryResult.Outcome, APIError>) -> (JSONAnswer, String) {
        switch result {
        case .success(.decided(let decision)):
            return (JSONAnswer(status: .ok, text: JSONResponses.decisionText(decision)), decision.outcome.rawValue)
        case .success: return (JSONAnswer(status: .ok, text: "{\"ok\":true}\n"), "error")
        case .failure(let error): return (JSONAnswer(error), "error")
        }
    }

    struct Message: Error { var text: String }

    /// A request header by its lower-case name.
    static func header(_ request: Request, _ name: String) -> String? { SandboxNode.header(request, name) }

    /// The state machine's limits: a request is checked against them before it is proposed, so
    /// that what is proposed decodes on every node (a refusal at apply would cost a replicated
    /// entry and a 400 all the same).
    static let limits = StateLimits()

    /// The decision a body asks for: `{"tool", "params"?, "chain_depth"?, "cost_usd"?}` or
    /// `{"http": {"method", "url", "body_bytes"?}, "chain_depth"?}` (the simulator's request,
    /// `PolicyRequest(json:)`, less its strictness about unknown keys, which are ignored here as
    /// the MVP's route did). A member of the wrong type or out of range is a 400 naming it, never
    /// read as absent: a `chain_depth` of `"7"` is not depth 0, a `cost_usd` of `"0.5"` is not
    /// free. A cost is rounded up to whole micro-dollars when spent; the method is upper-cased,
    /// as the policy's `network.methods` are.
    ///
    /// `bodyBytes`, the body's size when known, spares the check of the parameters' size for a
    /// body too small to hold parameters over the limit: serialized, JSON grows at most about
    /// sixfold (`1e18` is 19 digits), so a body under an eighth of the limit cannot.
    static func parse(_ body: JSONValue, bodyBytes: Int? = nil) -> Result<DecisionRequest, Message> {
        guard case .object(let members) = body else { return .failure(Message(text: "the body must be a JSON object")) }
        let depth: UInt32?
        switch chainDepth(members["chain_depth"]) {
        case .success(let value): depth = value
        case .failure(let message): return .failure(message)
        }
        if let http = members["http"] {
            guard case .object(let fields) = http else {
                return .failure(Message(text: "http must be an object: {\"method\", \"url\"}"))
            }
            guard case .string(let method)? = fields["method"], !method.isEmpty,
                method.utf8.count <= limits.maxNameBytes
            else {
                return .failure(Message(text: "http.method must be a method name such as GET"))
            }
            guard case .string(let url)? = fields["url"], url.utf8.count <= limits.maxURLBytes else {
                return .failure(Message(text: "http.url must be a string of at most \(limits.maxURLBytes) bytes"))
            }
            let bodyBytes: UInt64?
            switch wholeNumber(
                fields["body_bytes"], max: UInt64(Int64.max), "http.body_bytes must be a whole number ≥ 0")
            {
            case .success(let value): bodyBytes = value
            case .failure(let message): return .failure(message)
            }
            return .success(.http(method: method.uppercased(), url: url, bodyBytes: bodyBytes, chainDepth: depth))
        }
        guard case .string(let tool)? = members["tool"], !tool.isEmpty, tool.utf8.count <= limits.maxNameBytes else {
            return .failure(
                Message(
                    text:
                        "give either tool (a name of 1 to \(limits.maxNameBytes) bytes, with params) or http {method, url}"
                ))
        }
        let params = members["params"] ?? .object([:])
        guard case .object = params else { return .failure(Message(text: "params must be an object")) }
        let mayBeOver = bodyBytes.map { $0 > limits.maxParameterBytes / 8 } ?? true
        guard !mayBeOver || params.serialized().utf8.count <= limits.maxParameterBytes else {
            return .failure(Message(text: "params are over \(limits.maxParameterBytes) bytes as JSON"))
        }
        var cost: JSONNumber? = nil
        if let value = members["cost_usd"] {
            guard case .number(let number) = value, number >= JSONNumber(0),
                number.description.utf8.count <= maxCostLiteralBytes
            else {
                return .failure(Message(text: "cost_usd must be a number of dollars ≥ 0"))
            }
            cost = number
        }
        return .success(.tool(name: tool, parameters: params, chainDepth: depth ?? 0, costUSD: cost))
    }

    /// The longest `cost_usd` the state machine takes, as its JSON literal.
    static let maxCostLiteralBytes = 64

    /// An optional `chain_depth`: a whole number from 0 to 2³²−1 when present (decisions and
    /// local denial reports alike).
    static func chainDepth(_ value: JSONValue?) -> Result<UInt32?, Message> {
        wholeNumber(value, max: UInt64(UInt32.max), "chain_depth must be a whole number from 0 to \(UInt32.max)")
            .map { $0.map { UInt32($0) } }
    }

    /// An optional member that must be a whole number from 0 to `max` when present; `message`
    /// otherwise.
    private static func wholeNumber(_ value: JSONValue?, max: UInt64, _ message: String) -> Result<UInt64?, Message> {
        guard let value else { return .success(nil) }
        guard case .number(let number) = value, let int = number.int64Value, int >= 0, UInt64(int) <= max else {
            return .failure(Message(text: message))
        }
        return .success(UInt64(int))
    }

    /// Proposes `command` (``SandboxNode/propose(_:)``) and renders the applied result
    /// (`{"ok": true}` unless `render` answers), or the error.
    static func propose(
        _ command: Command, on node: SandboxNode, render: (EntryResult.Outcome) -> Response?
    ) async -> Response {
        do {
            let outcome = try await node.propose(command)
            return render(outcome) ?? JSONResponses.json(.object(["ok": .bool(true)]))
        } catch {
            return error.response
        }
    }
}

extension JSONValue {
    func member(_ name: String) -> JSONValue? {
        if case .object(let members) = self { return members[name] }
        return nil
    }

    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    func uint32(_ name: String) -> UInt32? {
        if case .number(let number)? = member(name), let value = number.int64Value, value >= 0, value <= UInt32.max {
            return UInt32(value)
        }
        return nil
    }
}
