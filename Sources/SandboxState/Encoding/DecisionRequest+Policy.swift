import JSON
import SandboxPolicy

extension DecisionRequest {
    /// The request as the policy engine reads it.
    public var policyRequest: PolicyRequest {
        switch self {
        case .tool(let name, let parameters, let depth, let cost):
            return .toolCall(ToolCall(tool: name, parameters: parameters, chainDepth: Int(depth), costUSD: cost))
        case .http(let method, let url, let bodyBytes, let depth):
            return .http(
                HTTPRequest(
                    method: method, url: url, bodyBytes: bodyBytes.map { Int(clamping: $0) },
                    chainDepth: depth.map { Int($0) }))
        }
    }

    /// What a request costs the ledger: the caller's estimate, rounded up to a micro-dollar.
    var costMicrodollars: UInt64 { policyRequest.costMicrodollars }

    /// The request as the audit log stores it, redacted by the agent's policy (with no policy,
    /// by every redaction class: nothing unredacted reaches the state).
    func auditValue(redactedBy policy: CompiledPolicy?) -> JSONValue {
        let redact: (JSONValue) -> JSONValue = { value in
            policy?.redact(value) ?? Redactor(classes: RedactionClass.allCases).redact(value)
        }
        switch self {
        case .tool(let name, let parameters, let depth, let cost):
            var members: [String: JSONValue] = [
                "tool": .string(name), "params": redact(parameters), "chain_depth": .integer(depth),
            ]
            if let cost { members["cost_usd"] = .number(cost) }
            return .object(members)
        case .http(let method, let url, let bodyBytes, let depth):
            var http: [String: JSONValue] = ["method": .string(method), "url": redact(.string(url))]
            if let bodyBytes { http["body_bytes"] = .integer(bodyBytes) }
            var members: [String: JSONValue] = ["http": .object(http)]
            if let depth { members["chain_depth"] = .integer(depth) }
            return .object(members)
        }
    }

    /// The members of ``auditValue(redactedBy:)``, written in place (the decision's hot path).
    /// `costText` gives the canonical text of a cost (the state machine keeps the last one).
    func writeAudit(
        to w: inout CanonicalObjectWriter, redactedBy policy: CompiledPolicy?,
        costText: (JSONNumber) -> [UInt8] = { CanonicalJSON.encode(.number($0)) }
    ) {
        let redact: (JSONValue) -> JSONValue = { value in
            policy?.redact(value) ?? Redactor(classes: RedactionClass.allCases).redact(value)
        }
        switch self {
        case .tool(let name, let parameters, let depth, let cost):
            w.integer("chain_depth", depth)
            if let cost { w.canonical("cost_usd", costText(cost)) }
            w.value("params", redact(parameters))
            w.string("tool", name)
        case .http(let method, let url, let bodyBytes, let depth):
            if let depth { w.integer("chain_depth", depth) }
            w.object("http") { h in
                if let bodyBytes { h.integer("body_bytes", bodyBytes) }
                h.string("method", method)
                h.value("url", redact(.string(url)))
            }
        }
    }
}

extension PolicyRequest {
    /// What the request costs the ledger: the caller's estimate, rounded up to a micro-dollar
    /// (``ToolCall/costMicroUSD``, converted once when the request was made; never negative).
    var costMicrodollars: UInt64 {
        guard case .toolCall(let call) = self, let micro = call.costMicroUSD else { return 0 }
        return UInt64(clamping: micro)
    }
}
