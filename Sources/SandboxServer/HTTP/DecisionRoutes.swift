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
        _ body: JSONValue, idempotencyKey: String?, agent: AgentRecord, node: SandboxNode
    ) -> Result<(Command, requestID: String), APIError> {
        guard let requestID = idempotencyKey ?? body.member("request_id")?.stringValue, !requestID.isEmpty else {
            return .failure(.badRequest("give a request id: the Idempotency-Key header or request_id"))
        }
        switch parse(body) {
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
            case .success(let (command, _)) = command(json, idempotencyKey: idempotencyKey, agent: agent, node: node)
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

    static func parse(_ body: JSONValue) -> Result<DecisionRequest, Message> {
        if let http = body.member("http") {
            guard let method = http.member("method")?.stringValue, let url = http.member("url")?.stringValue else {
                return .failure(Message(text: "http needs method and url strings"))
            }
            return .success(.http(method: method, url: url, bodyBytes: nil, chainDepth: body.uint32("chain_depth")))
        }
        guard let tool = body.member("tool")?.stringValue else {
            return .failure(Message(text: "give either tool (with params) or http {method, url}"))
        }
        let params = body.member("params") ?? .object([:])
        guard case .object = params else { return .failure(Message(text: "params must be an object")) }
        var cost: JSONNumber? = nil
        if case .number(let number)? = body.member("cost_usd") { cost = number }
        return .success(
            .tool(name: tool, parameters: params, chainDepth: body.uint32("chain_depth") ?? 0, costUSD: cost))
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
