import JSON
import SandboxState

extension ApprovalRecord {
    /// The approval as the API answers it; `status` as seen at `nowMillis` (an open approval past
    /// its expiry reads `expired` before the state machine's sweep records it).
    func json(atMillis nowMillis: UInt64) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": JSONResponses.number(id), "agent_id": .string(agent), "tenant_id": .string(tenant),
            "tool": .string(tool), "params_hash": .string(parametersHash.hexString),
            "payload_redacted": redactedPayload, "rule": .string(rule), "reason": .string(reason),
            "status": .string(status(at: nowMillis).name),
            "required_approvals": JSONResponses.number(UInt64(requiredApprovals)), "group": .string(group),
            "created_ms": JSONResponses.number(createdMillis), "expires_ms": JSONResponses.number(expiresMillis),
            "votes": .array(votes.map(\.json)),
        ]
        if resolvedMillis > 0 { body["resolved_ms"] = JSONResponses.number(resolvedMillis) }
        if let consumedBy { body["consumed_by"] = .string(consumedBy) }
        return .object(body)
    }

    /// The redacted parameters as JSON (a string when the stored text is not JSON).
    var redactedPayload: JSONValue {
        (try? JSONValue(parsing: Array(redactedParameters.utf8))) ?? .string(redactedParameters)
    }
}

extension ApprovalVote {
    var json: JSONValue {
        var body: [String: JSONValue] = [
            "principal": .string(principal), "decision": .string(approve ? "approve" : "deny"),
            "time_ms": JSONResponses.number(timeMillis),
        ]
        if let comment { body["comment"] = .string(comment) }
        return .object(body)
    }
}
