/// The answer to a request: allow, deny or needs approval, why, which rule decided, the approval
/// it needs and what it costs. (The daily budgets a ledger enforces are the policy's
/// ``CompiledPolicy/ledgerLimits``.)
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
    /// The request's cost (`cost_usd`) in whole micro-dollars (1 USD = 1,000,000), what a budget
    /// ledger debits when the request goes ahead, nil when it states none; see
    /// ``ToolCall/costMicroUSD`` for how it is derived. ``MicroUSD/dollars(_:)`` turns it back.
    public var costMicroUSD: Int64?

    public init(
        _ outcome: Outcome, _ reason: DecisionReason, rule: String, approval: ApprovalRequirement? = nil,
        costMicroUSD: Int64? = nil
    ) {
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.approval = approval
        self.costMicroUSD = costMicroUSD
    }

    /// The reason as a sentence.
    public var explanation: String { reason.description }
}
