/// The expiry sweeps after every applied entry (docs/state.md, "Sweeps"): request ids outside the
/// idempotency window, open approvals past their expiry, ledger rows past the retention. Each
/// removes at most `maxExpiriesPerEntry` per entry, oldest first, walking its time-ordered index
/// a page at a time (``ExpiryQueue``): the work per entry is bounded and does not grow with the
/// state or with what was removed before.
extension StateMachine {
    /// All sweeps, after every applied entry.
    func expireOld() throws {
        try expireRequestIDs()
        try expireApprovals()
        try expireLedgerDays()
    }

    /// Forgets request ids older than the window, and the oldest beyond the cluster-wide cap, in
    /// the order of the time index (entry time, agent, request id).
    func expireRequestIDs() throws {
        let window = limits.idempotencyWindowMillis
        let cap = UInt64(limits.maxIdempotencyKeys)
        if idempotencyCount <= cap, let next = sweeps.nextRequestIDExpiry, clockMillis < next { return }
        var removed = 0
        while removed < limits.maxExpiriesPerEntry {
            // Keys of this millisecond may still be joined by others before them (agent order).
            guard let pair = try sweeps.requestIDs.front(in: overlay, before: clockMillis) else {
                sweeps.nextRequestIDExpiry = sweeps.requestIDs.following.map { $0 + window } ?? .max
                if idempotencyCount > cap { try forgetNewestOverCap(limit: limits.maxExpiriesPerEntry - removed) }
                return
            }
            let time = ExpiryQueue.time(of: pair.key)
            guard time + window <= clockMillis || idempotencyCount > cap else {
                sweeps.nextRequestIDExpiry = time + window
                return
            }
            sweeps.requestIDs.removeFront()
            let (agent, requestID) = Self.requestID(inTimeKey: pair.key)
            if let copy = try Self.entryCopy(pair.value) {
                // Key layout 2: the page holds the entry (an id another path forgot since the
                // page was read left the page then: `forget`); its value is the answer's too.
                try forget(
                    copy, agent: agent, requestID: requestID, bySweep: true, timeKey: pair.key,
                    storedValue: pair.value)
            } else {
                // Layout 1: skipped (not counted) when another path forgot or renewed it since
                // its page was read.
                guard let stored = try idempotencyEntry(agent: agent, requestID: requestID), stored.timeMillis == time
                else { continue }
                try forget(stored, agent: agent, requestID: requestID, bySweep: true, timeKey: pair.key)
            }
            removed += 1
        }
        sweeps.nextRequestIDExpiry = nil  // the bound stopped it: look again after the next entry
    }

    /// Over the cluster-wide cap with every stored id answered in this millisecond (the queue
    /// never pages those): the oldest of them go, read directly.
    private func forgetNewestOverCap(limit: Int) throws {
        let newest = try overlay.scan(
            prefix: StateKeys.idempotencyExpiryPrefix, after: sweeps.requestIDs.cursor, limit: limit)
        for pair in newest where idempotencyCount > UInt64(limits.maxIdempotencyKeys) {
            let (agent, requestID) = Self.requestID(inTimeKey: pair.key)
            guard let entry = try Self.entryCopy(pair.value) ?? idempotencyEntry(agent: agent, requestID: requestID)
            else { continue }
            try forget(entry, agent: agent, requestID: requestID, bySweep: true)
        }
        sweeps.nextRequestIDExpiry = nil
    }

    /// The entry a `j/` value holds in key layout 2 (nil: a layout-1 value, the sequence only).
    static func entryCopy(_ value: [UInt8]) throws -> IdempotencyEntry? {
        guard value.count != 8 else { return nil }
        do {
            return try IdempotencyEntry(decoding: value)
        } catch {
            throw StateStorageError("stored state is damaged: \(error)")
        }
    }

    /// The agent and request id in a `j/` key.
    static func requestID(inTimeKey key: [UInt8]) -> (agent: String, requestID: String) {
        let rest = key.dropFirst(10)
        return (
            String(decoding: rest.prefix { $0 != 0 }, as: UTF8.self),
            String(decoding: rest.drop { $0 != 0 }.dropFirst(), as: UTF8.self)
        )
    }

    /// Records the expiry of open approvals whose time has passed.
    func expireApprovals() throws {
        if let next = sweeps.nextApprovalExpiry, clockMillis < next { return }
        var expired = 0
        while expired < limits.maxExpiriesPerEntry {
            // A new approval's id (its entry's index) is above every stored one, so it sorts after
            // every key of the same expiry: the page may hold keys up to the clock itself.
            guard let pair = try sweeps.approvals.front(in: overlay, before: clockMillis + 1) else {
                sweeps.nextApprovalExpiry = sweeps.approvals.following ?? .max
                return
            }
            let expires = ExpiryQueue.time(of: pair.key)
            sweeps.approvals.removeFront()
            let id = StateKeys.readBigEndian(pair.key.dropFirst(10).prefix(8))
            // Skipped (not counted) when it was resolved since its page was read.
            guard var record = try approval(id), record.status.isOpen, record.expiresMillis == expires else { continue }
            let previous = record.status
            record.status = .expired
            record.resolvedMillis = expires
            try save(record, previous: previous)
            expired += 1
        }
        sweeps.nextApprovalExpiry = nil
    }

    /// Removes ledger rows of days more than `ledgerRetentionDays` before today, with their index.
    func expireLedgerDays() throws {
        let retention = UInt64(limits.ledgerRetentionDays)
        let today = UInt64(self.today)
        if let next = sweeps.nextLedgerExpiryDay, today < next { return }
        guard today > retention else { return }
        var removed = 0
        while removed < limits.maxExpiriesPerEntry {
            // Rows are only ever created for today, after every day the page may hold.
            guard let pair = try sweeps.ledgerDays.front(in: overlay, before: today - retention) else {
                sweeps.nextLedgerExpiryDay = sweeps.ledgerDays.following.map { $0 + retention + 1 } ?? .max
                return
            }
            sweeps.ledgerDays.removeFront()
            let day = UInt32(truncatingIfNeeded: ExpiryQueue.time(of: pair.key))
            let agent = String(decoding: pair.key.dropFirst(10), as: UTF8.self)
            overlay.noteStored(pair.key, pair.value)
            overlay.delete(pair.key)
            // In key layout 2 a day still in its agent's row has no `l/` key yet; it is not written
            // out once its index is gone.
            overlay.delete(StateKeys.ledger(agent, day: day))
            removed += 1
        }
        sweeps.nextLedgerExpiryDay = nil
    }
}
