import JSON

/// Approvals: created pending (bound to agent, tool and parameters hash), voted on by approvers
/// of the required group, consumed once by the decision they let through, expired by entry time.
extension StateMachine {
    /// Stores an approval and keeps its status, binding and expiry indexes in step with it.
    func save(_ record: ApprovalRecord, previous: ApprovalStatus?) throws {
        overlay.put(StateKeys.approval(record.id), record.encoded)
        let binding = StateKeys.approvalBinding(agent: record.agent, tool: record.tool, hash: record.parametersHash)
        if let previous, previous != record.status {
            overlay.delete(StateKeys.approvalStatus(previous, record.id))
        }
        if previous != record.status {
            overlay.put(StateKeys.approvalStatus(record.status, record.id), [])
        }
        if record.status.isOpen {
            overlay.put(binding, StateKeys.bigEndian(record.id))
            overlay.put(StateKeys.approvalExpiry(record.expiresMillis, record.id), [])
            if let next = sweeps.nextApprovalExpiry { sweeps.nextApprovalExpiry = min(next, record.expiresMillis) }
        } else if previous?.isOpen ?? false {
            // The binding may already name a newer approval (this one expired unswept).
            if try overlay.get(binding) == StateKeys.bigEndian(record.id) { overlay.delete(binding) }
            overlay.delete(StateKeys.approvalExpiry(record.expiresMillis, record.id))
        }
        try indexByTenant(record, previous: previous)
    }

    /// The open (pending or approved) approval bound to this agent, tool and parameters hash.
    func openApproval(agent: String, tool: String, hash: [UInt8]) throws -> ApprovalRecord? {
        guard let idBytes = try overlay.get(StateKeys.approvalBinding(agent: agent, tool: tool, hash: hash)) else {
            return nil
        }
        guard let record = try approval(StateKeys.readBigEndian(idBytes)) else { return nil }
        return record.status(at: clockMillis).isOpen ? record : nil
    }

    /// Marks an approved approval used by the decision of `requestID` (single use).
    func consume(_ record: ApprovalRecord, by requestID: String) throws {
        var used = record
        used.status = .consumed
        used.resolvedMillis = clockMillis
        used.consumedBy = requestID
        try save(used, previous: record.status)
    }

    func vote(_ id: UInt64, principal principalID: String, approve: Bool, comment: String?) throws -> CommandAnswer {
        guard var record = try approval(id) else { throw StateError.unknownApproval(id) }
        let status = record.status(at: clockMillis)
        guard status == .pending else { throw StateError.approvalClosed(id: id, status: status.name) }
        guard let principal = try principal(principalID) else { throw StateError.unknownPrincipal(principalID) }
        try checkVoter(principal, for: record)
        guard !record.votes.contains(where: { $0.principal == principalID }) else {
            throw StateError.alreadyVoted(principal: principalID, approval: id)
        }
        record.votes.append(
            ApprovalVote(principal: principalID, approve: approve, timeMillis: clockMillis, comment: comment))
        if !approve {
            record.status = .denied
            record.resolvedMillis = clockMillis
        } else if record.votes.filter(\.approve).count >= record.requiredApprovals {
            record.status = .approved
            record.resolvedMillis = clockMillis
        }
        try save(record, previous: .pending)
        var details: [String: JSONValue] = [
            "approval_id": .integer(id), "vote": .string(approve ? "approve" : "deny"),
            "status": .string(record.status.name), "tool": .string(record.tool),
        ]
        if let comment { details["comment"] = .string(comment) }
        try auditChange(
            .approvalVote, action: "vote", actor: principalID, tenant: record.tenant, agent: record.agent,
            details: details)
        return .approval(id: id, status: record.status)
    }

    private func checkVoter(_ principal: PrincipalRecord, for record: ApprovalRecord) throws {
        guard principal.isActive(at: clockMillis) else {
            throw StateError.notAllowedToVote(principal: principal.id, why: "revoked or expired")
        }
        guard principal.role == .approver else {
            throw StateError.notAllowedToVote(principal: principal.id, why: "role \(principal.role.name), not approver")
        }
        if let tenant = principal.tenant, tenant != record.tenant {
            throw StateError.notAllowedToVote(principal: principal.id, why: "scoped to another tenant")
        }
        guard try overlay.get(StateKeys.groupMember(record.group, principal.id)) != nil else {
            throw StateError.notAllowedToVote(principal: principal.id, why: "not in the group `\(record.group)`")
        }
    }

    /// A pending approval requested directly (the MVP's `POST /v1/approvals`); an open one for
    /// the same binding is returned instead of a second.
    func requestApproval(
        agent: String, tool: String, hash: [UInt8], payload: String, group: String, required: Int, ttlSeconds: UInt32,
        actor: String, index: UInt64
    ) throws -> CommandAnswer {
        let record = try existingAgent(agent)
        if let open = try openApproval(agent: agent, tool: tool, hash: hash) {
            return .approval(id: open.id, status: open.status)
        }
        if let refusal = try openApprovalRefusal(agent: agent, tenant: record.tenant) { throw refusal }
        let approval = ApprovalRecord(
            id: index, agent: agent, tenant: record.tenant, tool: tool, parametersHash: hash,
            redactedParameters: payload, rule: "api", reason: "approval requested by `\(actor)`",
            requiredApprovals: required, group: group, createdMillis: clockMillis,
            expiresMillis: clockMillis + UInt64(ttlSeconds) * 1000)
        try save(approval, previous: nil)
        try auditChange(
            .approvalRequest, action: "request_approval", actor: actor, tenant: record.tenant, agent: agent,
            details: ["approval_id": .integer(index), "tool": .string(tool), "params_hash": .string(hash.hexString)])
        return .approval(id: index, status: .pending)
    }
}
