/// Builds a large audit log directly, for benchmarks (bench/state, `--audit`): allowed decisions'
/// records chained and encoded by the same code as `apply` (the bytes a decide with that answer
/// stores), written in large batches with the chain head, the clock and the state digest kept in
/// step, but without evaluating policies, debiting ledgers or storing request ids.
///
/// A state built this way verifies, exports, queries and restarts like one that `apply` built;
/// no log produced it, so it is not a replicated history: never use it on a cluster node.
public struct BulkAuditLoader {
    public let storage: any StateStorage
    private var head: AuditHead
    private var digest: StateDigest
    private var clockMillis: UInt64
    private var writes = StateWrites()

    /// Continues the state in `storage` (its chain, clock and digest).
    public init(storage: any StateStorage) throws {
        self.storage = storage
        do {
            head = try storage.value(for: StateKeys.auditHead).map(AuditHead.init(decoding:)) ?? AuditHead()
            clockMillis = try storage.value(for: StateKeys.clock).map(ByteReader.number) ?? 0
        } catch let error as DecodingError {
            throw StateStorageError("stored state is damaged: \(error)")
        }
        digest = try StateMachine(storage: storage).digest
    }

    /// The sequence number the next record gets.
    public var nextSequence: UInt64 { head.nextSequence }
    /// Records appended since the last commit.
    public var pending: Int { writes.count }

    /// Appends an allowed decision's record at `timeMillis` (the state's clock if that is later).
    public mutating func appendAllowedDecision(
        requestID: String, agent: String, tenant: String, request: DecisionRequest, node: UInt64,
        timeMillis: UInt64, policyVersion: UInt32, budget: BudgetStatus?
    ) {
        clockMillis = max(clockMillis, timeMillis)
        let answer = DecisionAnswer(
            requestID: requestID, agent: agent, outcome: .allow, reason: "allowed by the policy (bulk-loaded)",
            rule: "tools.allow", decisionID: 0, approvalID: nil, budget: budget, policyVersion: policyVersion,
            shadow: nil, costMicrodollars: request.costMicrodollars, timeMillis: clockMillis, replayed: false)
        var w = CanonicalObjectWriter(prefix: AuditRecord.headerPlaceholder)
        answer.writeAuditMembers(
            to: &w, sequence: head.nextSequence, timeMillis: clockMillis, node: node, tenant: tenant
        ) { w in
            request.writeAudit(to: &w, redactedBy: nil)
        }
        var record = w.finish()
        let sequence = head.chain(&record, timeMillis: clockMillis)
        let key = StateKeys.audit(sequence)
        digest.add(key: key, value: record)
        writes.put(key, record)
    }

    /// Stores the records appended since the last commit, with the chain head, the clock and the
    /// digest, as one applied entry (the applied index moves by one).
    public mutating func commit() throws {
        guard !writes.isEmpty else { return }
        for (key, value) in [
            (StateKeys.auditHead, head.encoded), (StateKeys.clock, ByteWriter.number(clockMillis)),
        ] {
            if let old = try storage.value(for: key) { digest.remove(key: key, value: old) }
            digest.add(key: key, value: value)
            writes.put(key, value)
        }
        writes.put(StateKeys.digest, digest.bytes)
        try storage.commit(writes, appliedIndex: try storage.appliedIndex() + 1)
        writes = StateWrites()
    }
}
