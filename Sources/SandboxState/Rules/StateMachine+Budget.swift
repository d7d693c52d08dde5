import SandboxPolicy

/// The budget ledger: per agent per UTC day of entry time, requests and micro-dollars. The check
/// and the debit are one step of apply, so no two nodes can both spend the last dollar. Rows are
/// kept for `ledgerRetentionDays` after their day, then swept (`expireLedgerDays`).
extension StateMachine {
    /// Today's row for `agent` (cached for the day; in key layout 2, the agent row's).
    func ledgerRow(_ agent: String) throws -> LedgerRow {
        if rulesVersion >= 2 {
            let row = try agentRow(agent)
            return row.day == today ? row.ledger : LedgerRow()
        }
        let day = today
        if let cached = ledgers[agent], cached.day == day { return cached.row }
        let row =
            try overlay.get(StateKeys.ledger(agent, day: day)).map { bytes in
                try stored { () throws(DecodingError) in try LedgerRow(decoding: bytes) }
            } ?? LedgerRow()
        remember(row, for: agent, day: day)
        return row
    }

    private func remember(_ row: LedgerRow, for agent: String, day: UInt32) {
        if ledgers[agent] == nil, ledgers.count >= limits.maxCachedLedgerRows {
            ledgers.removeAll(keepingCapacity: true)
        }
        ledgers[agent] = (day, row)
    }

    /// Why a request costing `cost` would overspend `head`'s limits today, or nil if it fits.
    func overspend(_ row: LedgerRow, cost: UInt64, head: PolicyHead) -> (reason: String, rule: String)? {
        if let limit = head.maxRequestsPerDay, row.requests + 1 > limit {
            return (
                "daily request budget of \(limit) is used up (\(row.requests) today)", "budgets.max_requests_per_day"
            )
        }
        if let limit = head.maxMicrodollarsPerDay, cost > limit || row.microdollars > limit - cost {
            return (
                "daily budget of $\(Self.usd(limit)) would be exceeded: $\(Self.usd(row.microdollars)) spent, "
                    + "this request $\(Self.usd(cost))",
                "budgets.max_usd_per_day"
            )
        }
        return nil
    }

    /// Debits one request of `cost` micro-dollars; returns the new row.
    func debit(_ agent: String, cost: UInt64) throws -> LedgerRow {
        if rulesVersion >= 2 { return try debitInAgentRow(agent, cost: cost) }
        var row = try ledgerRow(agent)
        let key = StateKeys.ledger(agent, day: today)
        // A stored row has at least one request: an empty one is an absent key.
        overlay.noteStored(key, row.requests == 0 ? nil : row.encoded)
        // A new row: indexed by day for the retention sweep (`expireLedgerDays`).
        if row.requests == 0 { indexLedgerDay(of: agent) }
        row.requests += 1
        let (sum, overflow) = row.microdollars.addingReportingOverflow(cost)
        row.microdollars = overflow ? .max : sum
        overlay.put(key, row.encoded)
        remember(row, for: agent, day: today)
        return row
    }

    /// Key layout 2: the debit goes into the agent's row. The first of a later day writes the
    /// row's day out to `l/<agent>\0<day>`, where past days are kept as in layout 1 — unless
    /// the retention sweep already removed that day's index (then the day is gone, as its row
    /// would have been).
    private func debitInAgentRow(_ agent: String, cost: UInt64) throws -> LedgerRow {
        var row = try agentRow(agent)
        if row.day != today {
            if row.ledger.requests > 0, try overlay.get(StateKeys.ledgerDay(row.day, agent: agent)) != nil {
                overlay.insert(StateKeys.ledger(agent, day: row.day), row.ledger.encoded)
            }
            row.day = today
            row.ledger = LedgerRow()
        }
        // The day's first debit: indexed by day for the retention sweep (`expireLedgerDays`).
        if row.ledger.requests == 0 { indexLedgerDay(of: agent) }
        row.ledger.requests += 1
        let (sum, overflow) = row.ledger.microdollars.addingReportingOverflow(cost)
        row.ledger.microdollars = overflow ? .max : sum
        try save(row, for: agent)
        return row.ledger
    }

    private func indexLedgerDay(of agent: String) {
        overlay.insert(StateKeys.ledgerDay(today, agent: agent), [])
        let expires = UInt64(today) + UInt64(limits.ledgerRetentionDays) + 1
        sweeps.nextLedgerExpiryDay = sweeps.nextLedgerExpiryDay.map { min($0, expires) }
    }

    /// Micro-dollars as dollars (`0.25`) for messages.
    static func usd(_ micro: UInt64) -> String { MicroUSD.dollars(Int64(clamping: micro)).description }

    func budgetStatus(_ row: LedgerRow, head: PolicyHead) -> BudgetStatus {
        BudgetStatus(
            day: today, requests: row.requests, maxRequests: head.maxRequestsPerDay, microdollars: row.microdollars,
            maxMicrodollars: head.maxMicrodollarsPerDay)
    }
}
