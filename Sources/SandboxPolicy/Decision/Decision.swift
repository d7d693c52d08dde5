import JSON

/// The answer to a request: allow, deny or needs approval, why, which rule decided, the approval
/// it needs, what it costs and the daily limits the budget ledger must hold it to.
///
/// A plain value: it holds no reference to the policy or the request that produced it, so it can
/// be stored, sent and compared. Its explanation is ``explanation``; the trace of every check is
/// opt-in through ``CompiledPolicy/trace(_:)``, which runs the very same evaluation.
public struct Decision: Sendable, Hashable {
    public enum Outcome: String, Sendable, Hashable, CaseIterable {
        case allow
        case deny
        case needsApproval = "needs_approval"
    }

    public var outcome: Outcome
    /// Why, structured; ``explanation`` is the sentence and ``DecisionReason/code`` a stable name.
    public var reason: DecisionReason
    /// The identifier of the rule or pattern that decided (`tools.deny[0]`, a rule's name,
    /// `network.allow_domains[1]`, `defaults.decision`).
    public var rule: String
    /// For `needs_approval`: how many approvers, from which group, for how long.
    public var approval: ApprovalRequirement?
    /// The request's cost as stated (`cost_usd`), nil when it states none.
    public var costUSD: JSONNumber?
    /// The same cost in whole micro-dollars (1 USD = 1,000,000), what a budget ledger debits when
    /// the request goes ahead; see ``ToolCall/costMicroUSD`` for how it is derived.
    public var costMicroUSD: Int64?
    /// The policy's daily budgets, which only the ledger can enforce (it knows what was spent).
    public var limits: LedgerLimits

    public init(
        _ outcome: Outcome, _ reason: DecisionReason, rule: String, approval: ApprovalRequirement? = nil,
        costUSD: JSONNumber? = nil, costMicroUSD: Int64? = nil, limits: LedgerLimits = LedgerLimits()
    ) {
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.approval = approval
        self.costUSD = costUSD
        self.costMicroUSD = costMicroUSD
        self.limits = limits
    }

    /// The reason as a sentence.
    public var explanation: String { reason.description }
}
