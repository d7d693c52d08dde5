import JSON
import SandboxPolicy

/// Appending to the audit chain.
extension StateMachine {
    /// Kinds of audit records.
    enum AuditKind: String {
        case decision
        case approvalVote = "approval_vote"
        case approvalRequest = "approval_request"
        case policyChange = "policy_change"
        case identityChange = "identity_change"
    }

    /// Appends one record (`fields` plus `seq`, `time_ms` and `kind`) to the chain; returns its
    /// sequence number.
    @discardableResult
    func appendAudit(_ kind: AuditKind, _ fields: [String: JSONValue]) throws -> UInt64 {
        var body = fields
        let sequence = audit.nextSequence
        body["seq"] = .number(JSONNumber(Int64(bitPattern: sequence)))
        body["time_ms"] = .number(JSONNumber(Int64(bitPattern: clockMillis)))
        body["kind"] = .string(kind.rawValue)
        var record = AuditRecord.headerPlaceholder
        CanonicalJSON.write(.object(body), to: &record)
        return chain(record)
    }

    /// A decision's record, written member by member (the hot path: no dictionary); the same
    /// bytes as ``appendAudit(_:_:)`` with ``DecisionAnswer/auditFields`` and the request.
    func appendDecisionAudit(
        _ answer: DecisionAnswer, node: UInt64, tenant: String, request: DecisionRequest, policy: CompiledPolicy?
    ) -> UInt64 {
        var w = CanonicalObjectWriter(prefix: AuditRecord.headerPlaceholder)
        answer.writeAuditMembers(
            to: &w, sequence: audit.nextSequence, timeMillis: clockMillis, node: node, tenant: tenant
        ) { w in
            request.writeAudit(to: &w, redactedBy: policy, costText: costText)
        }
        return chain(w.finish())
    }

    /// The canonical text of a request's cost: the last one is kept, as an agent's requests
    /// mostly carry the same cost (making the text of a fraction was 2% of a decide). Equal
    /// numbers have one canonical text (`0.10` and `0.1` alike), so the bytes do not depend on it.
    private func costText(_ cost: JSONNumber) -> [UInt8] {
        if let last = lastCost, last.number == cost { return last.text }
        let text = CanonicalJSON.encode(.number(cost))
        lastCost = (cost, text)
        return text
    }

    /// Fills in the record's header (hash of the body after the chain head, time), stores it and
    /// moves the chain head; returns its sequence number.
    private func chain(_ record: [UInt8]) -> UInt64 {
        var record = record
        let sequence = audit.chain(&record, timeMillis: clockMillis)
        overlay.insert(StateKeys.audit(sequence), record)
        return sequence
    }

    /// An administrative change: who did what to which object.
    func auditChange(
        _ kind: AuditKind, action: String, actor: String, tenant: String?, agent: String?,
        details: [String: JSONValue] = [:]
    ) throws {
        var fields = details
        fields["action"] = .string(action)
        fields["actor"] = .string(actor)
        if let tenant { fields["tenant"] = .string(tenant) }
        if let agent { fields["agent"] = .string(agent) }
        fields["outcome"] = .string("applied")
        try appendAudit(kind, fields)
    }
}

extension JSONValue {
    static func integer(_ value: UInt64) -> JSONValue { .number(JSONNumber(Int64(bitPattern: value))) }
    static func integer(_ value: UInt32) -> JSONValue { .number(JSONNumber(Int(value))) }
}
