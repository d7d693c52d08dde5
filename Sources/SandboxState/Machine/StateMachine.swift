import JSON
import Raft
import SandboxPolicy

/// The replicated state machine: applies committed log entries to the state (tenants, agents,
/// principals, policies, budget ledgers, approvals, the audit chain, idempotency) through a
/// ``StateStorage``, deterministically — the same entries on the same state give the same
/// results and the same effects on every node.
///
/// Pure: no I/O of its own (it reads and writes only through the storage protocol), no clock
/// (time comes from the entries: the leader stamps each one, and apply uses the maximum seen so
/// far, so time never goes back), no randomness. Not thread-safe: one owner applies; queries
/// read the storage through ``StateQueries`` from any thread the storage allows.
///
/// In memory it keeps only caches of what is in the store (compiled policies, agents' records
/// and policy heads, today's ledger rows), each bounded by ``StateLimits``; ``reload()``
/// rebuilds them after a snapshot installation or a failed commit.
///
/// Its mutable properties are `@exclusivity(unchecked)`: the runtime's check of every access to
/// a class's property cost about 5,100 instructions per decide (3%, bench/README.md). What makes
/// that safe: one owner calls it at a time (it is not `Sendable`), and within a call no access
/// to a property overlaps a change of the same property (no `inout` of a property is held across
/// a call that reaches the machine again). The tests ran with the check on before it was turned
/// off, and none of them tripped it.
public final class StateMachine {
    public let storage: any StateStorage
    public let limits: StateLimits
    /// The newest apply rules this build implements (``RulesVersion/supported``; tests build
    /// older and newer ones).
    public let supportedRulesVersion: UInt32

    /// The state's clock: the latest entry time applied (milliseconds since the epoch).
    @exclusivity(unchecked) public private(set) var clockMillis: UInt64 = 0
    @exclusivity(unchecked) public private(set) var appliedIndex: UInt64 = 0
    /// The apply rules the cluster has moved to (``RulesVersion``), as of `appliedIndex`.
    @exclusivity(unchecked) public internal(set) var rulesVersion = RulesVersion.initial
    @exclusivity(unchecked) var audit = AuditHead()
    /// The digest of the state at `appliedIndex`, kept up to date by apply (``StateDigest``).
    @exclusivity(unchecked) public private(set) var digest = StateDigest()
    @exclusivity(unchecked) var idempotencyCount: UInt64 = 0
    /// The stored bytes of the batch counters (``counterKeys``: the clock, the idempotency count,
    /// the audit head) as of `appliedIndex`, nil where a key is absent: `writeCounters` tells
    /// them to the overlay, so the digest's update does not read the three back from the store
    /// at every batch (at one client a batch is one decide: 11% of apply's samples, 1-client
    /// profile of 2026-12-01). Read from the store by `reload`, then what each commit wrote.
    @exclusivity(unchecked) var storedCounters: [[UInt8]?] = [nil, nil, nil]
    static let counterKeys = [StateKeys.clock, StateKeys.idempotencyCount, StateKeys.auditHead]
    /// The expiry sweeps' place in their indexes (a cache: afresh after a reload).
    @exclusivity(unchecked) var sweeps = Sweeps()

    /// Compiled policies by agent and version (references into `policyTexts`).
    @exclusivity(unchecked) var policies: LRUCache<PolicyCacheKey, CompiledPolicy>
    /// Compiled policies by the SHA-256 of their text.
    @exclusivity(unchecked) var policyTexts: LRUCache<[UInt8], CompiledPolicy>
    @exclusivity(unchecked) var agents: [String: AgentState] = [:]
    @exclusivity(unchecked) var ledgers: [String: (day: UInt32, row: LedgerRow)] = [:]
    /// Request ids stored per agent (key layout 1: a cache of `n/<agent>`).
    @exclusivity(unchecked) var requestIDCounts: [String: RequestIDCounts] = [:]
    /// Agents' rows (key layout 2: a cache of `I/<agent>\0t`).
    @exclusivity(unchecked) var agentRows = AgentCache<AgentRow>()
    /// Agents whose row the entry being applied changed, not yet written (a few per entry: the
    /// agent and those whose ids the sweeps forgot, at most `maxExpiriesPerEntry` of them).
    @exclusivity(unchecked) var changedAgentRows: [String] = []
    /// Per agent, the sequence of the last request id trimmed by its count: none of its stored
    /// ids has a sequence up to it (a cache; cleared with `requestIDCounts`).
    @exclusivity(unchecked) var requestIDFloors: [String: UInt64] = [:]
    /// Per agent whose count trimmed ids, the next ids its trim would forget (a cache, at most
    /// ``TrimQueue/maxAgents`` agents and ``TrimQueue/maxCandidates`` ids).
    @exclusivity(unchecked) var trimQueues: [String: TrimQueue] = [:]
    /// The page sizes of the queues in `trimQueues`, added up (an upper bound of the ids they
    /// hold).
    @exclusivity(unchecked) var trimQueueCandidates = 0
    /// The last request cost written to an audit record and its canonical text.
    @exclusivity(unchecked) var lastCost: (number: JSONNumber, text: [UInt8])?
    /// The sentences of the policy reasons seen (``reasonText(_:)``), and the last one's.
    @exclusivity(unchecked) var reasonTexts: [DecisionReason: String] = [:]
    @exclusivity(unchecked) var lastReason: (reason: DecisionReason, text: String)?

    /// The overlay of the batch being applied (nil between batches).
    @exclusivity(unchecked) var overlay: Overlay

    public init(
        storage: any StateStorage, limits: StateLimits = StateLimits(),
        supportedRulesVersion: UInt32 = RulesVersion.supported
    ) throws {
        self.storage = storage
        self.limits = limits
        self.supportedRulesVersion = supportedRulesVersion
        policies = LRUCache(capacity: limits.maxCachedPolicyVersions)
        policyTexts = LRUCache(capacity: limits.maxCompiledPolicies)
        overlay = Overlay(storage: storage)
        try reload()
    }

    /// Forgets every cache and re-reads the state's clock and counters from the store: after a
    /// snapshot was installed under it, or after a failed commit.
    public func reload() throws {
        policies.removeAll()
        policyTexts.removeAll()
        agents = [:]
        ledgers = [:]
        requestIDCounts = [:]
        agentRows.removeAll()
        changedAgentRows = []
        requestIDFloors = [:]
        trimQueues = [:]
        trimQueueCandidates = 0
        sweeps = Sweeps()
        overlay = Overlay(storage: storage)
        appliedIndex = try storage.appliedIndex()
        storedCounters = [nil, nil, nil]
        do {
            let stored = try Self.counterKeys.map { try storage.value(for: $0) }
            clockMillis = try stored[0].map(ByteReader.number) ?? 0
            idempotencyCount = try stored[1].map(ByteReader.number) ?? 0
            rulesVersion = try StateQueries(storage).rulesVersion()
            audit = try stored[2].map(AuditHead.init(decoding:)) ?? AuditHead()
            storedCounters = stored
        } catch let error as DecodingError {
            throw StateStorageError("stored state is damaged: \(error)")
        }
        // A state (a snapshot installed, or this node's own store) already on rules this build
        // does not implement: applying on would diverge.
        guard rulesVersion <= supportedRulesVersion else {
            throw RulesVersionUnsupported(asked: rulesVersion, supported: supportedRulesVersion)
        }
        if let bytes = try storage.value(for: StateKeys.digest) {
            guard let stored = StateDigest(bytes: bytes) else { throw StateStorageError("stored digest is damaged") }
            digest = stored
        } else {
            // A state written before the digest was kept (or an empty one): one full pass.
            digest = try StateQueries(storage).recomputeDigest()
        }
    }

    /// Most entries applied through one overlay and committed in one write. An overlay's prefix
    /// scan (the per-agent request-id trim, the sweeps) walks every key the batch touched, so a
    /// batch of n entries costs O(n²): a node restarted after a failover trial, handed 6,165
    /// entries at once, applied them in one call in 28 s (4.5 ms each, about 40 µs in small
    /// batches) and stayed unready meanwhile (bench/README.md). The state, the results and the
    /// digest do not depend on where batches are cut (DeterminismTests).
    public static let maxEntriesPerCommit = 256

    /// Applies committed entries in order and commits their effects with the entry index of the
    /// last in one write per `maxEntriesPerCommit` entries. Entries at or below the applied index
    /// are skipped (already applied). Throws only when the storage fails, or on a move to apply
    /// rules this build does not implement (`RulesVersionUnsupported`); the state is then
    /// reloaded from the store: the writes committed before (whole runs of entries, each with its
    /// applied index) are kept, nothing of the failed run.
    ///
    /// `computed` gets each run's results once they are computed and before the run's write:
    /// they are final then (a result depends only on the entries and the state before them, and
    /// a failed write changes no result: the run is applied again to the same state), so a
    /// caller may hand them out while the write goes on. The write is what makes the effects
    /// readable in the store and moves `appliedIndex`.
    public func apply(_ entries: [Entry], computed: ([EntryResult]) -> Void = { _ in }) throws -> [EntryResult] {
        let fresh = entries.filter { $0.index > appliedIndex }
        guard fresh.count > Self.maxEntriesPerCommit else { return try applyRun(fresh[...], computed) }
        var results: [EntryResult] = []
        results.reserveCapacity(fresh.count)
        var start = 0
        while start < fresh.count {
            let end = min(start + Self.maxEntriesPerCommit, fresh.count)
            results += try applyRun(fresh[start..<end], computed)
            start = end
        }
        return results
    }

    /// Applies a run of fresh entries (in order, after the applied index) and commits it.
    private func applyRun(_ fresh: ArraySlice<Entry>, _ computed: ([EntryResult]) -> Void) throws -> [EntryResult] {
        guard let last = fresh.last else { return [] }
        var results: [EntryResult] = []
        results.reserveCapacity(fresh.count)
        overlay = Overlay(storage: storage, entries: fresh.count)
        do {
            var previous = appliedIndex
            for entry in fresh {
                guard entry.index > previous else {
                    throw StateStorageError("entries out of order: \(entry.index) after \(previous)")
                }
                previous = entry.index
                results.append(EntryResult(index: entry.index, outcome: try applyOne(entry)))
            }
            computed(results)
            let counters = writeCounters()
            overlay.keep()
            let next = try nextDigest()
            overlay.put(StateKeys.digest, next.bytes)
            overlay.keep()
            try storage.commit(overlay.batch, appliedIndex: last.index)
            appliedIndex = last.index
            digest = next
            storedCounters = counters
            overlay = Overlay(storage: storage)
        } catch {
            try? reload()
            throw error
        }
        return results
    }

    /// One entry: decoded, applied, and kept — or refused with nothing changed.
    private func applyOne(_ entry: Entry) throws -> EntryResult.Outcome {
        guard entry.kind == .normal else { return .noop }
        let decoded: (timeMillis: UInt64, command: Command)
        do {
            decoded = try CommandEnvelope.decode(entry.data, limits: limits)
        } catch {
            return .rejected(.malformed(error.message))
        }
        if case .noop = decoded.command { return .noop }
        if decoded.command.introducedInRules > rulesVersion {
            return .rejected(.rulesVersionTooLow(needed: decoded.command.introducedInRules, current: rulesVersion))
        }
        let saved = (clockMillis, audit, idempotencyCount, rulesVersion, sweeps)
        clockMillis = max(clockMillis, decoded.timeMillis)
        do {
            let outcome = try execute(decoded.command, index: entry.index)
            try expireOld()
            writeChangedAgentRows()
            overlay.keep()
            return outcome
        } catch let refusal as StateError {
            (clockMillis, audit, idempotencyCount, rulesVersion, sweeps) = saved
            forgetCaches(for: overlay.entryKeys)
            for agent in changedAgentRows { agentRows[agent] = nil }
            changedAgentRows.removeAll(keepingCapacity: true)
            overlay.discard()
            return .rejected(refusal)
        }
    }

    private func execute(_ command: Command, index: UInt64) throws -> EntryResult.Outcome {
        switch command {
        case .noop: return .noop
        case .decide(let decide): return .decided(try self.decide(decide, index: index))
        case .vote(let approval, let principal, let approve, let comment):
            return .applied(try vote(approval, principal: principal, approve: approve, comment: comment))
        case .publishPolicy(let agent, let yaml, let mode, let actor):
            return .applied(try publishPolicy(agent: agent, yaml: yaml, mode: mode, actor: actor, copiedFrom: 0))
        case .activatePolicy(let agent, let version, let mode, let actor):
            return .applied(try activatePolicy(agent: agent, version: version, mode: mode, actor: actor))
        case .setPolicyMode(let agent, let version, let mode, let actor):
            return .applied(try setPolicyMode(agent: agent, version: version, mode: mode, actor: actor))
        case .requestApproval(let agent, let tool, let hash, let payload, let group, let required, let ttl, let actor):
            return .applied(
                try requestApproval(
                    agent: agent, tool: tool, hash: hash, payload: payload, group: group, required: Int(required),
                    ttlSeconds: ttl, actor: actor, index: index))
        case .reportLocalDenials(let report):
            return .applied(try recordLocalDenials(report))
        case .setMemberAddress(let node, let peer, let http, _):
            try setMemberAddress(MemberAddress(node: node, peer: peer, http: http))
            return .applied(.done)
        case .setRulesVersion(let version, _):
            try setRulesVersion(version)
            return .applied(.done)
        default:
            try executeIdentity(command)
            return .applied(.done)
        }
    }

    /// Writes the batch counters, telling the overlay their stored values; returns what it wrote.
    private func writeCounters() -> [[UInt8]?] {
        let values = [ByteWriter.number(clockMillis), ByteWriter.number(idempotencyCount), audit.encoded]
        for (key, (stored, value)) in zip(Self.counterKeys, zip(storedCounters, values)) {
            overlay.noteStored(key, stored)
            overlay.put(key, value)
        }
        return values
    }

    /// The digest once the batch is stored: each changed pair's hash added, the old one's removed.
    private func nextDigest() throws -> StateDigest {
        var next = digest
        try overlay.forEachChange { key, old, value in
            guard old != value, key != StateKeys.digest else { return }
            if let old { next.remove(key: key, value: old) }
            if let value { next.add(key: key, value: value) }
        }
        return next
    }

    /// Today, as days since the epoch (UTC) of the state's clock.
    var today: UInt32 { Self.day(of: clockMillis) }

    static func day(of millis: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: millis / 86_400_000) }
}

/// The key of a compiled policy in the cache.
struct PolicyCacheKey: Hashable {
    var agent: String
    var version: UInt32
}

extension ByteWriter {
    static func number(_ value: UInt64) -> [UInt8] {
        var w = ByteWriter(capacity: 9)
        w.u8(1)
        w.u64(value)
        return w.bytes
    }
}

extension ByteReader {
    static func number(_ bytes: [UInt8]) throws(DecodingError) -> UInt64 {
        var r = ByteReader(bytes)
        try RecordVersion.check(&r, "number")
        return try r.u64("number")
    }
}
