import Foundation
import JSON

/// `POST /v1/decisions`: the request body, and the answer read into a ``Decision``.
enum DecisionWire {
    static func toolBody(_ name: String, params: JSONValue, chainDepth: Int, cost: JSONNumber?) -> [UInt8] {
        var members: [String: JSONValue] = [
            "tool": .string(name), "params": params, "chain_depth": .number(JSONNumber(max(chainDepth, 0))),
        ]
        if let cost { members["cost_usd"] = .number(cost) }
        return Array(JSONValue.object(members).serialized().utf8)
    }

    static func httpBody(method: String, url: String, chainDepth: Int?) -> [UInt8] {
        var members: [String: JSONValue] = ["http": ["method": .string(method), "url": .string(url)]]
        if let chainDepth { members["chain_depth"] = .number(JSONNumber(max(chainDepth, 0))) }
        return Array(JSONValue.object(members).serialized().utf8)
    }

    /// The decision in a 200 answer; nil when the body is not one, or answers another request
    /// id (a broken node or proxy: the caller treats it as a refusal, never as an allow).
    static func decision(_ body: [UInt8], requestID: String) -> Decision? {
        guard let json = try? JSONValue(parsing: body, maxDepth: 16, maxBytes: 1 << 20),
            case .object(let m) = json, case .string(let outcomeName)? = m["decision"],
            case .string(let reason)? = m["reason"], case .string(let rule)? = m["rule"],
            m["request_id"] == .string(requestID)
        else { return nil }
        let outcome: Decision.Outcome
        switch outcomeName {
        case "allow": outcome = .allow
        case "deny": outcome = .deny
        case "needs_approval":
            guard let id = m["approval_id"]?.unsigned else { return nil }
            outcome = .needsApproval(id: id)
        default: return nil
        }
        var decision = Decision(
            outcome: outcome, reason: reason, rule: rule, requestID: requestID, decisionID: m["decision_id"]?.unsigned,
            policyVersion: m["policy_version"]?.unsigned.map { UInt32(clamping: $0) }, source: .server,
            replayed: m["replayed"] == .bool(true))
        if case .object(let budget)? = m["budget"] {
            decision.budget = Decision.Budget(
                requestsToday: budget["requests_today"]?.unsigned ?? 0, spentUSD: budget["spent_usd"]?.decimal ?? 0,
                requestsLeft: budget["requests_left"]?.unsigned, leftUSD: budget["left_usd"]?.decimal)
        }
        return decision
    }
}

extension JSONValue {
    var unsigned: UInt64? {
        guard case .number(let number) = self, let value = number.int64Value, value >= 0 else { return nil }
        return UInt64(value)
    }

    var decimal: Decimal? {
        guard case .number(let number) = self else { return nil }
        return Decimal(string: number.description, locale: Locale(identifier: "en_US_POSIX"))
    }

    var string: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
