/// The caps on open approvals per agent and per tenant (``StateLimits``), and the tenant index
/// that lets a tenant's queue be read without paging through every other tenant's.
///
/// An approval created since this index exists has an `S/<tenant>` key for its status and is
/// counted in `w/<agent>` and `W/<tenant>` while it is open (pending or approved); it leaves the
/// counts when it is resolved, consumed or swept as expired. Approvals stored before (no `S/`
/// key) are neither indexed nor counted.
extension StateMachine {
    /// Why one more open approval for `agent` of `tenant` is refused, or nil when it is not.
    func openApprovalRefusal(agent: String, tenant: String) throws -> StateError? {
        if try openApprovals(StateKeys.agentOpenApprovals(agent)) >= UInt64(limits.maxOpenApprovalsPerAgent) {
            return .tooManyOpenApprovals(scope: "agent `\(agent)`", limit: limits.maxOpenApprovalsPerAgent)
        }
        if try openApprovals(StateKeys.tenantOpenApprovals(tenant)) >= UInt64(limits.maxOpenApprovalsPerTenant) {
            return .tooManyOpenApprovals(scope: "tenant `\(tenant)`", limit: limits.maxOpenApprovalsPerTenant)
        }
        return nil
    }

    /// Keeps the tenant index and the open counts in step with a status change of `record`
    /// (`previous` nil: a new approval).
    func indexByTenant(_ record: ApprovalRecord, previous: ApprovalStatus?) throws {
        guard previous != record.status else { return }
        if let previous {
            let old = StateKeys.tenantApprovalStatus(record.tenant, previous, record.id)
            guard try overlay.get(old) != nil else { return }  // stored before the index: not counted
            overlay.delete(old)
        }
        overlay.put(StateKeys.tenantApprovalStatus(record.tenant, record.status, record.id), [])
        let wasOpen = previous?.isOpen ?? false
        guard wasOpen != record.status.isOpen else { return }
        let change: Int64 = record.status.isOpen ? 1 : -1
        try adjustOpenApprovals(StateKeys.agentOpenApprovals(record.agent), by: change)
        try adjustOpenApprovals(StateKeys.tenantOpenApprovals(record.tenant), by: change)
    }

    private func openApprovals(_ key: [UInt8]) throws -> UInt64 {
        try overlay.get(key).map { bytes in try stored { () throws(DecodingError) in try ByteReader.number(bytes) } }
            ?? 0
    }

    private func adjustOpenApprovals(_ key: [UInt8], by change: Int64) throws {
        let count = try openApprovals(key)
        let next = change < 0 ? (count > 0 ? count - 1 : 0) : count + 1
        if next == 0 { overlay.delete(key) } else { overlay.put(key, ByteWriter.number(next)) }
    }
}
