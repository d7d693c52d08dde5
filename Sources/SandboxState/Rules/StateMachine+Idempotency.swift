/// Request ids and their answers, per agent: kept for a window of entry time (24 h) and up to a
/// count per agent (the oldest answers go first), with a cluster-wide cap as a safety bound
/// (docs/state.md, "Idempotency").
extension StateMachine {
    func idempotencyEntry(agent: String, requestID: String) throws -> IdempotencyEntry? {
        guard let bytes = try overlay.get(StateKeys.idempotency(agent: agent, requestID: requestID)) else { return nil }
        return try stored { () throws(DecodingError) in try IdempotencyEntry(decoding: bytes) }
    }

    /// Stores the answer's reference under a new request id, then keeps the agent within its
    /// count.
    func remember(_ entry: IdempotencyEntry, agent: String, requestID: String) throws {
        let id = Array(requestID.utf8)
        idempotencyCount += 1
        let count = try requestIDCount(of: agent) + 1
        try setRequestIDCount(of: agent, to: count)
        overlay.put(StateKeys.idempotency(agent: agent, requestID: requestID), entry.encoded)
        overlay.insert(
            StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID),
            StateKeys.bigEndian(entry.sequence))
        overlay.insert(StateKeys.idempotencyByAgent(agent, entry.sequence), id)
        if let next = sweeps.nextRequestIDExpiry {
            sweeps.nextRequestIDExpiry = min(next, entry.timeMillis + limits.idempotencyWindowMillis)
        }
        if count > UInt64(limits.maxIdempotencyKeysPerAgent) { try trimRequestIDs(of: agent) }
    }

    /// Forgets one request id.
    /// `entry` is the stored one: its index keys' values follow from it, so the digest's update
    /// at commit need not read them.
    func forget(_ entry: IdempotencyEntry, agent: String, requestID: String) throws {
        let timeKey = StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID)
        let agentKey = StateKeys.idempotencyByAgent(agent, entry.sequence)
        overlay.noteStored(timeKey, StateKeys.bigEndian(entry.sequence))
        overlay.noteStored(agentKey, Array(requestID.utf8))
        overlay.delete(StateKeys.idempotency(agent: agent, requestID: requestID))
        overlay.delete(timeKey)
        overlay.delete(agentKey)
        idempotencyCount -= 1
        let count = try requestIDCount(of: agent)
        try setRequestIDCount(of: agent, to: count > 0 ? count - 1 : 0)
    }

    /// The agent's oldest answers (by sequence) go until it is within its count; ids already
    /// outside the window at its front go too (they are forgotten anyway), so the count bounds the
    /// ids still answered. At most `maxExpiriesPerEntry` go per entry. The scan starts after the
    /// last id trimmed before (`requestIDFloors`), not at the start of the agent's range, where
    /// every id forgotten so far left a tombstone: O(trimmed), not O(ever stored).
    private func trimRequestIDs(of agent: String) throws {
        let prefix = StateKeys.idempotencyByAgent(agent)
        var trimmed = 0
        while trimmed < limits.maxExpiriesPerEntry {
            let after = requestIDFloors[agent].map { StateKeys.idempotencyByAgent(agent, $0) }
            let page = try overlay.scan(prefix: prefix, after: after, limit: 4)
            for pair in page {
                let requestID = String(decoding: pair.value, as: UTF8.self)
                guard let entry = try idempotencyEntry(agent: agent, requestID: requestID) else {
                    throw StateStorageError("request id `\(requestID)` of agent `\(agent)` is indexed but not stored")
                }
                let expired = entry.timeMillis + limits.idempotencyWindowMillis <= clockMillis
                let over = try requestIDCount(of: agent) > UInt64(limits.maxIdempotencyKeysPerAgent)
                guard (expired || over) && trimmed < limits.maxExpiriesPerEntry else { return }
                try forget(entry, agent: agent, requestID: requestID)
                // Every id of the agent up to this one is gone; new ones get later sequences.
                if requestIDFloors.count >= limits.maxCachedAgents { requestIDFloors.removeAll(keepingCapacity: true) }
                requestIDFloors[agent] = entry.sequence
                trimmed += 1
            }
            if page.count < 4 { return }
        }
    }

    /// How many request ids the agent has stored (cached; `n/<agent>` in the store).
    func requestIDCount(of agent: String) throws -> UInt64 {
        if let cached = requestIDCounts[agent] { return cached }
        let count =
            try overlay.get(StateKeys.idempotencyAgentCount(agent)).map { bytes in
                try stored { () throws(DecodingError) in try ByteReader.number(bytes) }
            } ?? 0
        if requestIDCounts.count >= limits.maxCachedAgents { requestIDCounts.removeAll(keepingCapacity: true) }
        requestIDCounts[agent] = count
        return count
    }

    private func setRequestIDCount(of agent: String, to count: UInt64) throws {
        let stored = try requestIDCount(of: agent)  // a count of 0 is an absent key
        let key = StateKeys.idempotencyAgentCount(agent)
        overlay.noteStored(key, stored == 0 ? nil : ByteWriter.number(stored))
        if count == 0 {
            overlay.delete(key)
        } else {
            overlay.put(key, ByteWriter.number(count))
        }
        requestIDCounts[agent] = count
    }
}
