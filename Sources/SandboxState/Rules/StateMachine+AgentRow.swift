/// Key layout 2's agent rows (``AgentRow``): read through a cache, and written with the move
/// from layout 1's keys folded into the first write after the move to rules 2.
extension StateMachine {
    /// The agent's row (cached). Not stored yet: made from layout 1's count (`n/<agent>`) and
    /// today's ledger row (`l/<agent>\0<today>`); such a row is read afresh on another day, so
    /// what it holds depends on the store and the day only.
    func agentRow(_ agent: String) throws -> AgentRow {
        if let cached = agentRows[agent], !(cached.inVersion1Keys && cached.day != today) { return cached }
        var row = AgentRow()
        if let bytes = try overlay.get(StateKeys.agentRow(agent)) {
            row = try stored { () throws(DecodingError) in try AgentRow(decoding: bytes) }
        } else {
            row.inVersion1Keys = true
            row.day = today
            if let bytes = try overlay.get(StateKeys.idempotencyAgentCount(agent)) {
                row.count = try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
                row.version1 = row.count
            }
            if let bytes = try overlay.get(StateKeys.ledger(agent, day: today)) {
                row.ledger = try stored { () throws(DecodingError) in try LedgerRow(decoding: bytes) }
            }
        }
        if agentRows[agent] == nil, agentRows.count >= limits.maxCachedAgents {
            agentRows.removeAll(keepingCapacity: true)
        }
        agentRows[agent] = row
        return row
    }

    /// Writes the agent's row. The first write after the move takes over layout 1's count and
    /// today's ledger row, whose keys go in the same entry.
    func save(_ row: AgentRow, for agent: String) throws {
        let old = try agentRow(agent)
        var row = row
        let key = StateKeys.agentRow(agent)
        if old.inVersion1Keys {
            overlay.noteStored(key, nil)
            if old.count > 0 {
                let countKey = StateKeys.idempotencyAgentCount(agent)
                overlay.noteStored(countKey, ByteWriter.number(old.count))
                overlay.delete(countKey)
            }
            if old.ledger.requests > 0 {
                let ledgerKey = StateKeys.ledger(agent, day: old.day)
                overlay.noteStored(ledgerKey, old.ledger.encoded)
                overlay.delete(ledgerKey)
            }
            row.inVersion1Keys = false
        } else {
            overlay.noteStored(key, old.encoded)
        }
        overlay.put(key, row.encoded)
        agentRows[agent] = row
    }
}
