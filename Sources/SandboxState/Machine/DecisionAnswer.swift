/// The answer to a `decide`: what the waiting request (and any retry with the same request id)
/// gets.
public struct DecisionAnswer: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable {
        case allow
        case deny
        case needsApproval = "needs_approval"
    }

    public var requestID: String
    public var agent: String
    public var outcome: Outcome
    public var reason: String
    public var rule: String
    /// The audit record's sequence number.
    public var decisionID: UInt64
    /// The pending approval (for `needs_approval`) or the approval consumed (for an `allow`).
    public var approvalID: UInt64?
    public var budget: BudgetStatus?
    /// The enforced policy version that decided (0: the agent had none).
    public var policyVersion: UInt32
    /// What the shadow version would have decided, when one is set.
    public var shadow: ShadowResult?
    /// Cost debited, in micro-dollars.
    public var costMicrodollars: UInt64
    public var timeMillis: UInt64
    /// True when this is the stored answer returned to a retry.
    public var replayed: Bool

    public init(
        requestID: String, agent: String, outcome: Outcome, reason: String, rule: String, decisionID: UInt64,
        approvalID: UInt64?, budget: BudgetStatus?, policyVersion: UInt32, shadow: ShadowResult?,
        costMicrodollars: UInt64, timeMillis: UInt64, replayed: Bool
    ) {
        self.requestID = requestID
        self.agent = agent
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.decisionID = decisionID
        self.approvalID = approvalID
        self.budget = budget
        self.policyVersion = policyVersion
        self.shadow = shadow
        self.costMicrodollars = costMicrodollars
        self.timeMillis = timeMillis
        self.replayed = replayed
    }

    public struct ShadowResult: Sendable, Hashable {
        public var version: UInt32
        public var outcome: Outcome
        public var rule: String

        public init(version: UInt32, outcome: Outcome, rule: String) {
            self.version = version
            self.outcome = outcome
            self.rule = rule
        }
    }
}
