/// Reading and writing records through the batch overlay, keeping the caches in step.
extension StateMachine {
    /// Decodes a stored record; damage in the store is a storage failure, not the entry's fault.
    func stored<T>(_ decode: () throws(DecodingError) -> T) throws -> T {
        do {
            return try decode()
        } catch {
            throw StateStorageError("stored state is damaged: \(error)")
        }
    }

    func agentState(_ id: String) throws -> AgentState? {
        if let cached = agents[id] { return cached }
        guard let bytes = try overlay.get(StateKeys.agent(id)) else { return nil }
        let record = try stored { () throws(DecodingError) in try AgentRecord(id: id, decoding: bytes) }
        let head = try overlay.get(StateKeys.policyHead(id)).map { bytes in
            try stored { () throws(DecodingError) in try PolicyHead(decoding: bytes) }
        }
        let state = AgentState(record: record, head: head ?? PolicyHead())
        if agents.count >= limits.maxCachedAgents { agents.removeAll(keepingCapacity: true) }
        agents[id] = state
        return state
    }

    func save(_ record: AgentRecord) throws {
        overlay.put(StateKeys.agent(record.id), record.encoded)
        let head = try agentState(record.id)?.head ?? PolicyHead()
        agents[record.id] = AgentState(record: record, head: head)
    }

    func save(_ head: PolicyHead, for agent: String) throws {
        overlay.put(StateKeys.policyHead(agent), head.encoded)
        if var state = try agentState(agent) {
            state.head = head
            agents[agent] = state
        }
    }

    func tenant(_ id: String) throws -> TenantRecord? {
        guard let bytes = try overlay.get(StateKeys.tenant(id)) else { return nil }
        return try stored { () throws(DecodingError) in try TenantRecord(id: id, decoding: bytes) }
    }

    func principal(_ id: String) throws -> PrincipalRecord? {
        guard let bytes = try overlay.get(StateKeys.principal(id)) else { return nil }
        return try stored { () throws(DecodingError) in try PrincipalRecord(id: id, decoding: bytes) }
    }

    func approval(_ id: UInt64) throws -> ApprovalRecord? {
        guard let bytes = try overlay.get(StateKeys.approval(id)) else { return nil }
        return try stored { () throws(DecodingError) in try ApprovalRecord(id: id, decoding: bytes) }
    }

    func policyVersion(_ agent: String, _ version: UInt32) throws -> PolicyVersionRecord? {
        guard let bytes = try overlay.get(StateKeys.policyVersion(agent, version)) else { return nil }
        return try stored { () throws(DecodingError) in
            try PolicyVersionRecord(agent: agent, version: version, decoding: bytes)
        }
    }

    /// After a refused entry: caches that may hold what it wrote are dropped.
    func forgetCaches(for keys: [[UInt8]]) {
        for key in keys {
            guard key.count > 2 else { continue }
            let prefix = Array(key.prefix(2))
            let rest = key.dropFirst(2)
            let id = String(decoding: rest.prefix { $0 != 0 }, as: UTF8.self)
            if prefix == StateKeys.agentPrefix || prefix == StateKeys.policyHeadPrefix {
                agents[id] = nil
            } else if prefix == StateKeys.ledgerPrefix {
                ledgers[id] = nil
            } else if prefix == StateKeys.idempotencyAgentCountPrefix {
                requestIDCounts[id] = nil
            } else if prefix == StateKeys.idempotencyByAgentPrefix {
                requestIDFloors[id] = nil
                dropTrimQueue(of: id)
            } else if prefix == StateKeys.agentRegionPrefix {
                agentRows[id] = nil
                requestIDFloors[id] = nil
                dropTrimQueue(of: id)
            } else if prefix == StateKeys.policyVersionPrefix, key.count >= 4 {
                let version = UInt32(truncatingIfNeeded: StateKeys.readBigEndian(key.suffix(4)))
                policies.remove(PolicyCacheKey(agent: id, version: version))
            }
        }
    }
}
