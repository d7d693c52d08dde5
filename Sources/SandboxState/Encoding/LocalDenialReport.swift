/// Denials an agent's SDK decided locally (what its cached, signed policy denies whatever the
/// state: a denied or unknown tool, parameters failing the schema, egress outside the allow
/// list), reported so that the audit misses nothing the agent was refused. Each becomes a
/// `decision` record with outcome `deny` and `decided_by: "sdk"`, deduplicated by (agent,
/// request id) against decisions and earlier reports; none debits a budget.
public struct LocalDenialReport: Sendable, Hashable {
    public var agent: String
    /// The node that received the report (for the audit records).
    public var node: UInt64
    /// 1 to ``StateLimits/maxLocalDenialsPerReport``.
    public var denials: [LocalDenial]

    public init(agent: String, node: UInt64, denials: [LocalDenial]) {
        self.agent = agent
        self.node = node
        self.denials = denials
    }
}

/// One locally decided denial: the request as the agent asked it, and the SDK's verdict.
public struct LocalDenial: Sendable, Hashable {
    /// The request id the SDK gave the request (unique per agent, as a decision's).
    public var requestID: String
    public var request: DecisionRequest
    public var rule: String
    public var reason: String
    /// The policy version the SDK decided with (its cached bundle's).
    public var policyVersion: UInt32

    public init(requestID: String, request: DecisionRequest, rule: String, reason: String, policyVersion: UInt32) {
        self.requestID = requestID
        self.request = request
        self.rule = rule
        self.reason = reason
        self.policyVersion = policyVersion
    }
}
