/// Request ids and their answers, per agent: kept for a window of entry time (24 h) and up to a
/// count per agent (the oldest answers go first), with a cluster-wide cap as a safety bound
/// (docs/state.md, "Idempotency").
extension StateMachine {
    func idempotencyEntry(agent: String, requestID: String) throws -> IdempotencyEntry? {
        guard let bytes = try overlay.get(StateKeys.idempotency(agent: agent, requestID: requestID)) else { return nil }
        return try stored { () throws(DecodingError) in try IdempotencyEntry(decoding: bytes) }
    }

    /// Stores the answer's reference under the request id (replacing `previous`, if any), then
    /// keeps the agent within its count.
    func remember(
        _ entry: IdempotencyEntry, agent: String, requestID: String, replacing previous: IdempotencyEntry?
    ) throws {
        let id = Array(requestID.utf8)
        if let previous {
            overlay.delete(StateKeys.idempotencyExpiry(previous.timeMillis, agent: agent, requestID: requestID))
            overlay.delete(StateKeys.idempotencyByAgent(agent, previous.sequence))
        } else {
            idempotencyCount += 1
            try setRequestIDCount(of: agent, to: try requestIDCount(of: agent) + 1)
        }
        overlay.put(StateKeys.idempotency(agent: agent, requestID: requestID), entry.encoded)
        // New unless it replaces an answer of the same millisecond (the same time index key).
        let timeKey = StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID)
        if previous?.timeMillis == entry.timeMillis {
            overlay.put(timeKey, StateKeys.bigEndian(entry.sequence))
        } else {
            overlay.insert(timeKey, StateKeys.bigEndian(entry.sequence))
        }
        overlay.insert(StateKeys.idempotencyByAgent(agent, entry.sequence), id)
        if let next = nextIdempotencyExpiry {
            nextIdempotencyExpiry = min(next, entry.timeMillis + limits.idempotencyWindowMillis)
        }
        if try requestIDCount(of: agent) > UInt64(limits.maxIdempotencyKeysPerAgent) { try trimRequestIDs(of: agent) }
    }

    /// Forgets one request id.
    func forget(_ entry: IdempotencyEntry, agent: String, requestID: String) throws {
        overlay.delete(StateKeys.idempotency(agent: agent, requestID: requestID))
        overlay.delete(StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID))
        overlay.delete(StateKeys.idempotencyByAgent(agent, entry.sequence))
        idempotencyCount -= 1
        let count = try requestIDCount(of: agent)
        try setRequestIDCount(of: agent, to: count > 0 ? count - 1 : 0)
    }

    /// The agent's oldest answers (by sequence) go until it is within its count; ids already
    /// outside the window at its front go too (they are forgotten anyway), so the count bounds the
    /// ids still answered.
    private func trimRequestIDs(of agent: String) throws {
        let oldest = try overlay.scan(
            prefix: StateKeys.idempotencyByAgent(agent), limit: limits.maxExpiriesPerEntry)
        for pair in oldest {
            let requestID = String(decoding: pair.value, as: UTF8.self)
            guard let entry = try idempotencyEntry(agent: agent, requestID: requestID) else {
                throw StateStorageError("request id `\(requestID)` of agent `\(agent)` is indexed but not stored")
            }
            let expired = entry.timeMillis + limits.idempotencyWindowMillis <= clockMillis
            let over = try requestIDCount(of: agent) > UInt64(limits.maxIdempotencyKeysPerAgent)
            guard expired || over else { return }
            try forget(entry, agent: agent, requestID: requestID)
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
        overlay.noteStored(StateKeys.idempotencyAgentCount(agent), stored == 0 ? nil : ByteWriter.number(stored))
        if count == 0 {
            overlay.delete(StateKeys.idempotencyAgentCount(agent))
        } else {
            overlay.put(StateKeys.idempotencyAgentCount(agent), ByteWriter.number(count))
        }
        requestIDCounts[agent] = count
    }

    /// Forgets request ids older than the window, and the oldest beyond the cluster-wide cap (a
    /// bounded number per entry), in the order of the time index: entry time, agent, request id.
    func expireRequestIDs() throws {
        let window = limits.idempotencyWindowMillis
        let overCount = idempotencyCount > UInt64(limits.maxIdempotencyKeys)
        if !overCount, let next = nextIdempotencyExpiry, clockMillis < next { return }
        // Entry time never goes back, so no key is ever added before one the sweep removed.
        let oldest = try overlay.scan(
            prefix: StateKeys.idempotencyExpiryPrefix, after: requestIDSweepCursor,
            limit: limits.maxExpiriesPerEntry + 1)
        nextIdempotencyExpiry = .max
        for (offset, pair) in oldest.enumerated() {
            let time = StateKeys.readBigEndian(pair.key.dropFirst(2).prefix(8))
            let expired = time + window <= clockMillis || idempotencyCount > UInt64(limits.maxIdempotencyKeys)
            guard expired, offset < limits.maxExpiriesPerEntry else {
                nextIdempotencyExpiry = time + window
                return
            }
            let rest = pair.key.dropFirst(10)
            let agent = String(decoding: rest.prefix { $0 != 0 }, as: UTF8.self)
            let requestID = String(decoding: rest.drop { $0 != 0 }.dropFirst(), as: UTF8.self)
            let sequence = StateKeys.readBigEndian(pair.value)
            requestIDSweepCursor = pair.key
            try forget(
                IdempotencyEntry(sequence: sequence, timeMillis: time, outcome: .allow, approvalID: nil), agent: agent,
                requestID: requestID)
        }
    }

    /// Both sweeps, after every applied entry.
    func expireOld() throws {
        try expireRequestIDs()
        try expireApprovals()
    }
}
