/// An agent's spending on one UTC day beside the limits of its enforced policy (nil: no limit).
public struct BudgetStatus: Sendable, Hashable {
    /// Days since 1970-01-01 (UTC).
    public var day: UInt32
    public var requests: UInt64
    public var maxRequests: UInt64?
    public var microdollars: UInt64
    public var maxMicrodollars: UInt64?

    public init(day: UInt32, requests: UInt64, maxRequests: UInt64?, microdollars: UInt64, maxMicrodollars: UInt64?) {
        self.day = day
        self.requests = requests
        self.maxRequests = maxRequests
        self.microdollars = microdollars
        self.maxMicrodollars = maxMicrodollars
    }

    /// Requests left today (nil: unlimited).
    public var requestsLeft: UInt64? { maxRequests.map { $0 > requests ? $0 - requests : 0 } }
    /// Micro-dollars left today (nil: unlimited).
    public var microdollarsLeft: UInt64? { maxMicrodollars.map { $0 > microdollars ? $0 - microdollars : 0 } }
}
