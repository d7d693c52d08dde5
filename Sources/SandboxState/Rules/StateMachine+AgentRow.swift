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
            writeChangedAgentRows()  // the cache holds them until they are written
            agentRows.removeAll(keepingCapacity: true)
        }
        agentRows[agent] = row
        return row
    }

    /// Changes the agent's row, written once at the end of the entry (``writeChangedAgentRows()``:
    /// a decide changes it twice, debit and count). The first change after the move takes over
    /// layout 1's count and today's ledger row, whose keys go in the same entry.
    func save(_ row: AgentRow, for agent: String) throws {
        if !changedAgentRows.contains(agent) {
            // The entry's first change: what the store holds is what the cache holds now.
            let old = try agentRow(agent)
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
            } else {
                overlay.noteStored(key, old.encoded)
            }
            changedAgentRows.append(agent)
        }
        var row = row
        row.inVersion1Keys = false
        agentRows[agent] = row
    }

    /// Writes the rows changed since the last call (at the end of each applied entry).
    func writeChangedAgentRows() {
        for agent in changedAgentRows {
            guard let row = agentRows[agent] else { continue }
            overlay.put(StateKeys.agentRow(agent), row.encoded)
        }
        changedAgentRows.removeAll(keepingCapacity: true)
    }
}
