import JSON

extension Decision {
    /// The decision as the CLI and API print it: `decision`, `reason` (the sentence),
    /// `reason_code`, `rule`, `approval` (or null), `cost_usd` and `cost_micro_usd` (or null).
    public var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "decision": .string(outcome.rawValue),
            "reason": .string(explanation),
            "reason_code": .string(reason.code),
            "rule": .string(rule),
            "approval": .null,
            "cost_usd": costMicroUSD.map { .number(MicroUSD.dollars($0)) } ?? .null,
            "cost_micro_usd": costMicroUSD.map { .number(JSONNumber($0)) } ?? .null,
        ]
        if let approval {
            members["approval"] = .object([
                "required_approvals": .number(JSONNumber(approval.requiredApprovals)),
                "group": .string(approval.group),
                "ttl_seconds": .number(JSONNumber(approval.ttlSeconds)),
            ])
        }
        return .object(members)
    }
}
