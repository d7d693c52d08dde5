import JSON

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
        let canonical = CanonicalJSON.encode(.object(body))
        let hash = AuditRecord.chainHash(previous: audit.lastHash, body: canonical)
        let record = AuditRecord(sequence: sequence, timeMillis: clockMillis, hash: hash, canonicalBody: canonical)
        overlay.put(StateKeys.audit(sequence), record.encoded)
        audit.nextSequence = sequence + 1
        audit.lastHash = hash
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
