import Foundation

/// The sandbox's answer to one tool call or HTTP request: what to do, why, which rule decided,
/// and where the answer came from.
public struct Decision: Sendable, Hashable {
    public enum Outcome: Sendable, Hashable {
        case allow
        case deny
        /// A person must approve first: wait with ``SandboxClient/waitForApproval(_:timeout:)``,
        /// then ask again.
        case needsApproval(id: UInt64)
    }

    /// Where the answer came from.
    public enum Source: String, Sendable, Hashable {
        /// A node of the cluster decided (and audited) it.
        case server
        /// The client's cached, signed policy denies it whatever the state (a denied or unknown
        /// tool, parameters failing the schema, egress outside the allow list); reported to the
        /// audit in the background.
        case localPolicy = "local_policy"
        /// No node answered within the deadline: denied (fail closed).
        case unreachable
        /// A node refused the request itself (bad key, disabled agent, malformed call): denied.
        case refused
    }

    public var outcome: Outcome
    public var reason: String
    /// The rule or pattern that decided (`tools.deny[0]`, a rule's name, `defaults.decision`;
    /// `sdk.unreachable` or `sdk.refused` when no node decided).
    public var rule: String
    /// The request id sent as `Idempotency-Key` (the same on every retry and node).
    public var requestID: String
    /// The audit record's sequence number (nil when no node decided: local or unreachable).
    public var decisionID: UInt64?
    /// The policy version that decided (nil when unreachable or refused).
    public var policyVersion: UInt32?
    /// The agent's spending today after this request (server decisions).
    public var budget: Budget?
    public var source: Source
    /// A retry answered with the stored answer of the same request id.
    public var replayed: Bool

    public init(
        outcome: Outcome, reason: String, rule: String, requestID: String, decisionID: UInt64? = nil,
        policyVersion: UInt32? = nil, budget: Budget? = nil, source: Source, replayed: Bool = false
    ) {
        self.outcome = outcome
        self.reason = reason
        self.rule = rule
        self.requestID = requestID
        self.decisionID = decisionID
        self.policyVersion = policyVersion
        self.budget = budget
        self.source = source
        self.replayed = replayed
    }

    public var isAllowed: Bool { outcome == .allow }

    /// The approval to wait for, when the outcome is `needsApproval`.
    public var approvalID: UInt64? {
        if case .needsApproval(let id) = outcome { return id }
        return nil
    }

    /// Today's (UTC) spending of the agent, as the deciding node reported it.
    public struct Budget: Sendable, Hashable {
        public var requestsToday: UInt64
        public var spentUSD: Decimal
        /// Nil when the policy sets no such limit.
        public var requestsLeft: UInt64?
        public var leftUSD: Decimal?

        public init(requestsToday: UInt64, spentUSD: Decimal, requestsLeft: UInt64?, leftUSD: Decimal?) {
            self.requestsToday = requestsToday
            self.spentUSD = spentUSD
            self.requestsLeft = requestsLeft
            self.leftUSD = leftUSD
        }
    }
}
