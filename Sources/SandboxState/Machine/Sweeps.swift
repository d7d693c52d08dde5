/// What the expiry sweeps remember between entries (docs/state.md, "Sweeps"): the front of each
/// time-ordered index, and the earliest time at which each sweep can have work (nil: unknown,
/// look). A cache of the store: ``StateMachine/reload()`` starts it afresh, and the sweeps'
/// effects do not depend on it.
struct Sweeps {
    /// Request ids by entry time (`j/`), for the idempotency window.
    var requestIDs = ExpiryQueue(prefix: StateKeys.idempotencyExpiryPrefix)
    /// Open approvals by expiry (`e/`).
    var approvals = ExpiryQueue(prefix: StateKeys.approvalExpiryPrefix)
    /// Ledger rows by day (`d/`), for the ledger's retention.
    var ledgerDays = ExpiryQueue(prefix: StateKeys.ledgerDayPrefix)

    /// The entry time (ms) from which a request id may be outside the window.
    var nextRequestIDExpiry: UInt64? = nil
    /// The entry time (ms) from which an open approval may be past its expiry.
    var nextApprovalExpiry: UInt64? = nil
    /// The day from which a ledger row may be past the retention.
    var nextLedgerExpiryDay: UInt64? = nil
}
