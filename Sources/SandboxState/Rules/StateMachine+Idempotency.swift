/// Request ids and their answers, kept for a window of entry time and up to a count.
extension StateMachine {
    func idempotencyEntry(agent: String, requestID: String) throws -> IdempotencyEntry? {
        guard let bytes = try overlay.get(StateKeys.idempotency(agent: agent, requestID: requestID)) else { return nil }
        return try stored { () throws(DecodingError) in try IdempotencyEntry(decoding: bytes) }
    }

    /// Stores the answer's reference under the request id (replacing `previous`, if any).
    func remember(_ entry: IdempotencyEntry, agent: String, requestID: String, replacing previous: IdempotencyEntry?) {
        if let previous {
            overlay.delete(StateKeys.idempotencyExpiry(previous.timeMillis, agent: agent, requestID: requestID))
        } else {
            idempotencyCount += 1
        }
        overlay.put(StateKeys.idempotency(agent: agent, requestID: requestID), entry.encoded)
        overlay.put(StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID), [])
        if let next = nextIdempotencyExpiry {
            nextIdempotencyExpiry = min(next, entry.timeMillis + limits.idempotencyWindowMillis)
        }
    }

    /// Forgets one request id.
    func forget(_ entry: IdempotencyEntry, agent: String, requestID: String) {
        overlay.delete(StateKeys.idempotency(agent: agent, requestID: requestID))
        overlay.delete(StateKeys.idempotencyExpiry(entry.timeMillis, agent: agent, requestID: requestID))
        idempotencyCount -= 1
    }

    /// Forgets request ids older than the window, and the oldest beyond the count limit (a
    /// bounded number per entry).
    func expireRequestIDs() throws {
        let window = limits.idempotencyWindowMillis
        let overCount = idempotencyCount > UInt64(limits.maxIdempotencyKeys)
        if !overCount, let next = nextIdempotencyExpiry, clockMillis < next { return }
        let oldest = try overlay.scan(
            prefix: StateKeys.idempotencyExpiryPrefix, limit: limits.maxExpiriesPerEntry + 1)
        nextIdempotencyExpiry = .max
        for (offset, pair) in oldest.enumerated() {
            let time = StateKeys.readBigEndian(pair.key.dropFirst(2).prefix(8))
            let expired = time + window <= clockMillis || idempotencyCount > UInt64(limits.maxIdempotencyKeys)
            guard expired, offset < limits.maxExpiriesPerEntry else {
                nextIdempotencyExpiry = time + window
                return
            }
            let rest = pair.key.dropFirst(10)
            let agent = Array(rest.prefix { $0 != 0 })
            let requestID = Array(rest.dropFirst(agent.count + 1))
            overlay.delete(pair.key)
            overlay.delete(StateKeys.join(StateKeys.idempotencyPrefix, agent, requestID))
            idempotencyCount -= 1
        }
    }

    /// Both sweeps, after every applied entry.
    func expireOld() throws {
        try expireRequestIDs()
        try expireApprovals()
    }
}
