/// Every bound of the state machine in one place: field sizes the decoder accepts, the
/// idempotency window, and the in-memory caches (docs/state.md, "Limits").
public struct StateLimits: Sendable, Hashable {
    /// Identifiers (tenant, agent, principal, group, request id): 1 to this many bytes.
    public var maxIdentifierBytes = 128
    /// Display names, authors, tool names, HTTP methods.
    public var maxNameBytes = 256
    /// A policy's YAML text (the policy reader's own limit).
    public var maxPolicyBytes = 1 << 20
    /// A tool call's parameters as JSON text.
    public var maxParameterBytes = 256 << 10
    /// Nesting of the parameters.
    public var maxParameterDepth = 64
    /// An HTTP request's URL (the policy engine refuses longer ones anyway).
    public var maxURLBytes = 8 << 10
    /// A vote's comment, an approval's redacted payload.
    public var maxCommentBytes = 1 << 10
    public var maxPayloadBytes = 64 << 10
    /// A locally decided denial's reason (``LocalDenial``).
    public var maxReasonBytes = 4 << 10
    /// Denials in one report of an SDK's local denials.
    public var maxLocalDenialsPerReport = 100

    /// How long a request id's answer is kept, in milliseconds of entry time (24 h).
    public var idempotencyWindowMillis: UInt64 = 24 * 3_600_000
    /// How many request ids one agent keeps at most (its oldest answers go first).
    public var maxIdempotencyKeysPerAgent = 100_000
    /// How many request ids the whole state keeps at most: a safety bound over all agents (the
    /// oldest by entry time go first).
    public var maxIdempotencyKeys = 10_000_000
    /// Days a ledger row is kept after its own (UTC days of entry time): today's row is what
    /// budgets need; older ones only serve the budget query for a past day. Rows of earlier days
    /// are removed by a sweep.
    public var ledgerRetentionDays: UInt32 = 35
    /// Open (pending or approved, not yet expired by the sweep) approvals one agent, and one
    /// tenant, may have: a decision that would open one more is denied, a direct request
    /// refused (``StateError/tooManyOpenApprovals(scope:limit:)``). Every node must use the same
    /// values (they decide outcomes).
    public var maxOpenApprovalsPerAgent = 256
    public var maxOpenApprovalsPerTenant = 4_096
    /// Expired idempotency keys or approvals removed per applied entry at most (the rest on the
    /// next entries), so one entry's work stays bounded.
    public var maxExpiriesPerEntry = 64

    /// Distinct compiled policy texts kept in memory (least recently used go first).
    public var maxCompiledPolicies = 2_048
    /// Agents' policy versions mapped to their compiled text (a reference each).
    public var maxCachedPolicyVersions = 200_000
    /// Agents whose record and policy head are cached.
    public var maxCachedAgents = 200_000
    /// Today's ledger rows cached.
    public var maxCachedLedgerRows = 200_000
    /// Policy reasons whose sentence is kept (``StateMachine`` builds each once).
    public var maxCachedReasonTexts = 4_096

    public init() {}
}
