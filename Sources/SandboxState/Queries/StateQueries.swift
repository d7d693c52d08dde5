/// Pure read functions over the state the API serves: identities, budgets, approvals, policies
/// (here and in `StateQueries+*.swift`). They read only through ``StateReading``, so they run
/// on any thread the storage allows (the RocksDB store allows concurrent reads with apply);
/// for a linearizable answer the runtime reads after ReadIndex has caught the node up.
public struct StateQueries {
    public let reader: any StateReading

    public init(_ reader: any StateReading) { self.reader = reader }

    func stored<T>(_ decode: () throws(DecodingError) -> T) throws -> T {
        do {
            return try decode()
        } catch {
            throw StateStorageError("stored state is damaged: \(error)")
        }
    }

    /// The state's clock: the latest entry time applied (0 for an empty state).
    public func clockMillis() throws -> UInt64 {
        guard let bytes = try reader.value(for: StateKeys.clock) else { return 0 }
        return try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
    }

    // MARK: identities

    /// The agent holding the API key with this SHA-256 (what `X-Agent-Key` authentication needs).
    public func agent(byKeyHash hash: [UInt8]) throws -> AgentRecord? {
        guard let id = try reader.value(for: StateKeys.agentKey(hash)) else { return nil }
        return try agent(String(decoding: id, as: UTF8.self))
    }

    public func agent(_ id: String) throws -> AgentRecord? {
        guard let bytes = try reader.value(for: StateKeys.agent(id)) else { return nil }
        return try stored { () throws(DecodingError) in try AgentRecord(id: id, decoding: bytes) }
    }

    /// The principal holding the bearer token with this SHA-256 (revoked tokens are not found;
    /// check ``PrincipalRecord/isActive(at:)`` for the expiry).
    public func principal(byTokenHash hash: [UInt8]) throws -> PrincipalRecord? {
        guard let id = try reader.value(for: StateKeys.token(hash)) else { return nil }
        return try principal(String(decoding: id, as: UTF8.self))
    }

    public func principal(_ id: String) throws -> PrincipalRecord? {
        guard let bytes = try reader.value(for: StateKeys.principal(id)) else { return nil }
        return try stored { () throws(DecodingError) in try PrincipalRecord(id: id, decoding: bytes) }
    }

    public func tenant(_ id: String) throws -> TenantRecord? {
        guard let bytes = try reader.value(for: StateKeys.tenant(id)) else { return nil }
        return try stored { () throws(DecodingError) in try TenantRecord(id: id, decoding: bytes) }
    }

    /// Whether `principal` is in the approver group `group`.
    public func isMember(_ principal: String, of group: String) throws -> Bool {
        try reader.value(for: StateKeys.groupMember(group, principal)) != nil
    }

    // MARK: budgets

    /// The agent's spending on the UTC day of `timeMillis` (default: the state's clock) and the
    /// limits of its enforced policy; nil for an unknown agent.
    public func budget(of agent: String, atMillis timeMillis: UInt64? = nil) throws -> BudgetStatus? {
        guard try reader.value(for: StateKeys.agent(agent)) != nil else { return nil }
        let head = try policyHead(agent) ?? PolicyHead()
        let day = StateMachine.day(of: try timeMillis ?? clockMillis())
        let row = try ledgerRow(of: agent, day: day)
        return BudgetStatus(
            day: day, requests: row.requests, maxRequests: head.maxRequestsPerDay, microdollars: row.microdollars,
            maxMicrodollars: head.maxMicrodollarsPerDay)
    }

    /// The agent's ledger row of `day`: in its agent row (key layout 2) while that holds the
    /// day and the retention has not removed the day's index, else in `l/`.
    private func ledgerRow(of agent: String, day: UInt32) throws -> LedgerRow {
        if let bytes = try reader.value(for: StateKeys.agentRow(agent)) {
            let row = try stored { () throws(DecodingError) in try AgentRow(decoding: bytes) }
            if row.day == day, row.ledger.requests > 0,
                try reader.value(for: StateKeys.ledgerDay(day, agent: agent)) != nil
            {
                return row.ledger
            }
        }
        return try reader.value(for: StateKeys.ledger(agent, day: day)).map { bytes in
            try stored { () throws(DecodingError) in try LedgerRow(decoding: bytes) }
        } ?? LedgerRow()
    }

    // MARK: approvals

    public func approval(_ id: UInt64) throws -> ApprovalRecord? {
        guard let bytes = try reader.value(for: StateKeys.approval(id)) else { return nil }
        return try stored { () throws(DecodingError) in try ApprovalRecord(id: id, decoding: bytes) }
    }

    /// Up to `limit` approvals whose stored status is `status`, oldest first, after the id
    /// `after` (a cursor); with `tenant`, only that tenant's (read from its own index, so other
    /// tenants' approvals cost nothing; approvals stored before the index are not in it). Open
    /// approvals past their expiry but not yet swept are listed under their stored status;
    /// ``ApprovalRecord/status(at:)`` tells.
    public func approvals(status: ApprovalStatus, tenant: String? = nil, after: UInt64? = nil, limit: Int = 100)
        throws -> [ApprovalRecord]
    {
        let prefix = tenant.map { StateKeys.tenantApprovals($0, status) } ?? StateKeys.approvalsWithStatus(status)
        let start = after.map { prefix + StateKeys.bigEndian($0) }
        return try reader.scan(prefix: prefix, after: start, limit: limit).compactMap { pair in
            try approval(StateKeys.readBigEndian(pair.key.dropFirst(prefix.count)))
        }
    }
}
