/// The budgets a ledger enforces across requests (the engine checks each request alone against
/// `max_usd_per_request`, `max_usd_per_day` and `max_chain_depth`; only the ledger knows what an
/// agent already spent today). Dollar amounts are whole micro-dollars (1 USD = 1,000,000), so a
/// ledger can add and compare them exactly.
public struct LedgerLimits: Sendable, Hashable {
    /// `budgets.max_requests_per_day`, nil when unlimited.
    public var maxRequestsPerDay: Int?
    /// `budgets.max_usd_per_day` in micro-dollars, nil when unlimited.
    public var maxMicroUSDPerDay: Int64?

    public init(maxRequestsPerDay: Int? = nil, maxMicroUSDPerDay: Int64? = nil) {
        self.maxRequestsPerDay = maxRequestsPerDay
        self.maxMicroUSDPerDay = maxMicroUSDPerDay
    }
}
