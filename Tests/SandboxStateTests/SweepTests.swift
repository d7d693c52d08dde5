import JSON
import Raft
import SandboxState
import TestSupport
import Testing

/// The expiry sweeps (request ids, approvals, ledger days): bounded work per entry that does not
/// grow with what they removed before, old ledger days removed, and the same effects whatever the
/// sweeps remember in memory (batching, restarts, snapshots).
@Suite struct SweepTests {
    /// A store that counts what the state machine reads from it.
    final class CountingStorage: StateStorage {
        let inner = MemoryStateStorage()
        var scannedPairs = 0
        /// The `after` and `limit` of every scan under a prefix, in order.
        var scans: [(prefix: [UInt8], after: [UInt8]?, limit: Int)] = []

        func value(for key: [UInt8]) throws -> [UInt8]? { try inner.value(for: key) }
        func appliedIndex() throws -> UInt64 { try inner.appliedIndex() }
        func commit(_ writes: StateWrites, appliedIndex: UInt64) throws {
            try inner.commit(writes, appliedIndex: appliedIndex)
        }
        func scan(prefix: [UInt8], after: [UInt8]?, limit: Int) throws -> [(key: [UInt8], value: [UInt8])] {
            let pairs = try inner.scan(prefix: prefix, after: after, limit: limit)
            scannedPairs += pairs.count
            scans.append((prefix, after, limit))
            return pairs
        }
    }

    /// Feeds commands as entries, one entry time step apart.
    final class Feeder {
        let storage = CountingStorage()
        let machine: StateMachine
        var index: UInt64 = 0
        var time = Harness.day0

        init(limits: StateLimits) throws { machine = try StateMachine(storage: storage, limits: limits) }

        @discardableResult
        func apply(_ command: Command) throws -> EntryResult {
            index += 1
            let entry = Entry(term: 1, index: index, data: CommandEnvelope.encode(command, timeMillis: time))
            let result = try machine.apply([entry])[0]
            if let error = result.error { throw HarnessError("\(command) refused: \(error)") }
            return result
        }

        func setUp(agents: [String]) throws {
            try apply(.createTenant(id: "acme", name: "ACME", actor: "admin"))
            for agent in agents {
                try apply(.createAgent(tenant: "acme", agent: agent, keyHash: Harness.keyHash(agent), actor: "admin"))
                try apply(.publishPolicy(agent: agent, yaml: Policies.allowAll, mode: .enforce, actor: "admin"))
            }
        }

        func decide(_ agent: String, _ requestID: String) throws {
            let request = DecisionRequest.tool(name: "crm.read", parameters: [:], chainDepth: 0, costUSD: nil)
            try apply(.decide(DecideCommand(requestID: requestID, agent: agent, request: request, node: 1)))
        }

        /// Decides `r<i>` for each i, `step` ms apart.
        func decide(_ agent: String, ids: Range<Int>, step: UInt64) throws {
            for i in ids {
                time += step
                try decide(agent, "r\(i)")
            }
        }

        var queries: StateQueries { StateQueries(storage) }
    }

    @Test func theRequestIDSweepReadsAboutOneKeyPerKeyItForgets() throws {
        var limits = StateLimits()
        limits.idempotencyWindowMillis = 100_000
        let feeder = try Feeder(limits: limits)
        try feeder.setUp(agents: ["a"])
        // One decide a second: after 100 s, every entry forgets the id of the decide 100 s before.
        try feeder.decide("a", ids: 0..<150, step: 1_000)
        let before = feeder.storage.scannedPairs
        try feeder.decide("a", ids: 150..<450, step: 1_000)
        // The steady state did its work: only the last 100 s of ids are kept.
        #expect(try feeder.storage.value(for: StateKeys.idempotency(agent: "a", requestID: "r349")) == nil)
        #expect(try feeder.storage.value(for: StateKeys.idempotency(agent: "a", requestID: "r350")) != nil)
        // A page of the window's ~100 keys every ~100 entries, not the next 65 keys every entry.
        let perEntry = Double(feeder.storage.scannedPairs - before) / 300
        #expect(perEntry < 3, "\(perEntry) pairs scanned per entry")
    }

    @Test func trimmingAnAgentsIDsStartsAfterTheLastOneTrimmed() throws {
        var limits = StateLimits()
        limits.maxIdempotencyKeysPerAgent = 20
        let feeder = try Feeder(limits: limits)
        try feeder.setUp(agents: ["a"])
        try feeder.decide("a", ids: 0..<200, step: 1)
        let prefix = StateKeys.idempotencyByAgent("a")
        let trims = feeder.storage.scans.filter { $0.prefix == prefix }
        // The first trim starts at the front; every later one after the last id trimmed. One
        // scan reads a page of candidates (here all 20 ids kept, fewer than a page), so the 180
        // trims take about 180 / 20 scans, not one each.
        #expect(trims.count >= 180 / 20 && trims.count <= 180 / 20 + 1, "\(trims.count) scans")
        #expect(trims.dropFirst().allSatisfy { $0.after != nil })
        let kept = try feeder.storage.inner.scan(prefix: prefix, after: nil, limit: 100)
        #expect(kept.map { String(decoding: $0.value, as: UTF8.self) } == (180..<200).map { "r\($0)" })
    }

    /// An agent that trims on and on reads larger pages: each full page doubles the next, up to
    /// `TrimQueue.maxPageSize`, so 1,900 trims take 10 scans, not 60 of the first page's size;
    /// the ids kept are the same. In key layouts 2 and 3.
    @Test(arguments: [2, 3] as [UInt32])
    func anAgentThatKeepsTrimmingReadsLargerPages(rules: UInt32) throws {
        var limits = StateLimits()
        limits.maxIdempotencyKeysPerAgent = 1_000
        let feeder = try Feeder(limits: limits)
        try feeder.apply(.setRulesVersion(version: rules, actor: "cluster"))
        try feeder.setUp(agents: ["a"])
        try feeder.decide("a", ids: 0..<2_900, step: 1)
        let prefix = StateKeys.agentRequestIDsInOrder("a")
        let limitsRead = feeder.storage.scans.filter { $0.prefix == prefix }.map(\.limit)
        #expect(limitsRead == [32, 64, 128] + Array(repeating: 256, count: 7), "\(limitsRead)")
        // The last 1,000 ids are kept: layout 2's order values are the ids, layout 3's end with them.
        let kept = try feeder.storage.inner.scan(prefix: prefix, after: nil, limit: 2_000).map(\.value)
        #expect(kept.count == 1_000)
        for (value, i) in zip(kept, 1_900..<2_900) {
            let id = Array("r\(i)".utf8)
            #expect(value.count == id.count + (rules == 3 ? 19 : 0) && value.suffix(id.count).elementsEqual(id))
        }
    }

    /// The trim's page of candidates (`TrimQueue`) stays exact when other paths forget ids in it:
    /// a retry outside the window takes one from its middle, the window's sweep from its front,
    /// and the trims after them go on from what is left. A machine started afresh before every
    /// entry (nothing queued) gives the same answers and state. In both key layouts.
    @Test(arguments: [1, 2] as [UInt32])
    func theTrimsCandidatesFollowIDsForgottenByOtherPaths(rules: UInt32) throws {
        var limits = StateLimits()
        limits.maxIdempotencyKeysPerAgent = 40
        limits.idempotencyWindowMillis = 10_000
        limits.maxExpiriesPerEntry = 1
        let harness = try Harness(limits: limits, time: Harness.day0)
        if rules == 2 { try harness.must(.setRulesVersion(version: 2, actor: "cluster")) }
        try harness.agent("a", policy: Policies.allowAll)
        let start = harness.timeMillis
        for i in 0..<60 {  // r0...r19 trimmed, r20... left in the page read at the first trim
            harness.timeMillis = start + UInt64(i + 1)
            _ = try harness.decide("a", "r\(i)", tool: "t")
        }
        // r20...r24 (entry times start+21...start+25) are outside the window now.
        harness.timeMillis = start + 25 + limits.idempotencyWindowMillis
        let retried = try harness.decide("a", "r22", tool: "t")
        #expect(!retried.replayed)  // forgotten (from the page's middle) and answered anew
        for i in 0..<10 { _ = try harness.decide("a", "s\(i)", tool: "t") }
        let kept = try harness.storage.scan(
            prefix: rules == 2 ? StateKeys.agentRequestIDsInOrder("a") : StateKeys.idempotencyByAgent("a"), after: nil,
            limit: 100
        ).map { String(decoding: $0.value, as: UTF8.self) }
        #expect(kept.count == 40)
        #expect(!kept.contains { ["r20", "r21", "r23", "r24"].contains($0) })
        #expect(kept.suffix(11) == ["r22"] + (0..<10).map { "s\($0)" })

        let fresh = MemoryStateStorage()
        var results: [EntryResult] = []
        for entry in harness.log {
            results += try StateMachine(storage: fresh, limits: limits).apply([entry])
        }
        #expect(results.allSatisfy { $0.error == nil })
        #expect(try StateQueries(fresh).digest() == StateQueries(harness.storage).digest())
        #expect(try StateQueries(harness.storage).recomputeDigest() == StateQueries(harness.storage).storedDigest())
    }

    /// Over the cluster-wide cap the oldest ids go at once, also when they were all answered in
    /// the current millisecond (the queue only pages older ones) and when time moves on.
    @Test func theClusterWideCapForgetsTheOldestEvenWithinOneMillisecond() throws {
        var limits = StateLimits()
        limits.maxIdempotencyKeys = 5
        let feeder = try Feeder(limits: limits)
        try feeder.setUp(agents: ["a", "b"])
        func stored() throws -> [String] {
            try feeder.storage.inner.scan(prefix: StateKeys.idempotencyExpiryPrefix, after: nil, limit: 100).map {
                String(decoding: $0.key.dropFirst(10), as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "/")
            }
        }
        for i in 0..<4 { try feeder.decide(i % 2 == 0 ? "a" : "b", "r\(i)") }
        try feeder.decide("b", "r4")
        try feeder.decide("a", "r5")
        // Six ids in one millisecond, five kept: the first in the index's order (a/r0) went.
        #expect(try stored() == ["a/r2", "a/r5", "b/r1", "b/r3", "b/r4"])
        feeder.time += 1
        try feeder.decide("b", "r6")
        #expect(try stored() == ["a/r5", "b/r1", "b/r3", "b/r4", "b/r6"])
    }

    @Test func ledgerRowsOlderThanTheRetentionAreRemovedAFewPerEntry() throws {
        var limits = StateLimits()
        limits.ledgerRetentionDays = 2
        limits.maxExpiriesPerEntry = 4
        let agents = (0..<10).map { "agent-\($0)" }
        let feeder = try Feeder(limits: limits)
        try feeder.setUp(agents: agents)
        let day0 = UInt32(Harness.day0 / 86_400_000)
        for agent in agents { try feeder.decide(agent, "first") }
        func rows(_ day: UInt32) throws -> Int {
            try agents.filter { try feeder.storage.value(for: StateKeys.ledger($0, day: day)) != nil }.count
        }
        #expect(try rows(day0) == 10)
        // Two days later the rows are still kept (and the budget query still reads them).
        feeder.time += 2 * 86_400_000
        try feeder.decide("agent-0", "later")
        #expect(try rows(day0) == 10)
        #expect(try feeder.queries.budget(of: "agent-3", atMillis: Harness.day0)?.requests == 1)
        // On the third day they go, at most 4 per entry, oldest day first.
        feeder.time += 86_400_000
        try feeder.decide("agent-0", "third-day")
        #expect(try rows(day0) == 6)
        try feeder.decide("agent-1", "next")
        #expect(try rows(day0) == 2)
        try feeder.decide("agent-1", "again")
        #expect(try rows(day0) == 0)
        #expect(try feeder.storage.inner.scan(prefix: StateKeys.ledgerDayPrefix, after: nil, limit: 100).count == 3)
        #expect(try feeder.queries.budget(of: "agent-3", atMillis: Harness.day0)?.requests == 0)
        // Today's row and the day-2 row of agent-0 are untouched.
        #expect(try feeder.queries.budget(of: "agent-0")?.requests == 1)
        #expect(try feeder.queries.budget(of: "agent-0", atMillis: Harness.day0 + 2 * 86_400_000)?.requests == 1)
    }

    /// Small windows and bounds, so that all three sweeps work through a random stream: the
    /// results and digests are the same however the entries are batched and across restarts
    /// (which forget what the sweeps remember) and snapshots.
    @Test(arguments: [3, 4])
    func theSweepsEffectsDoNotDependOnWhatTheyRemember(seed: UInt64) throws {
        var limits = StateLimits()
        limits.idempotencyWindowMillis = 300_000
        limits.maxIdempotencyKeysPerAgent = 6
        limits.ledgerRetentionDays = 0
        limits.maxExpiriesPerEntry = 2
        var random = SeededGenerator(seed: seed &+ 1)
        var time = Harness.day0
        let entries = CommandSamples.stream(seed: seed, count: 1_200).enumerated().map { offset, command in
            time += UInt64(random.below(random.chance(50) ? 86_400_000 : 60_000))
            return Entry(term: 1, index: UInt64(offset + 1), data: CommandEnvelope.encode(command, timeMillis: time))
        }
        func run(batch: Int, restartEvery: Int?) throws -> (results: [EntryResult], digest: [UInt8]) {
            var storage = MemoryStateStorage()
            var machine = try StateMachine(storage: storage, limits: limits)
            var results: [EntryResult] = []
            var offset = 0
            var sinceRestart = 0
            while offset < entries.count {
                if let every = restartEvery, sinceRestart >= every {
                    storage = MemoryStateStorage(copying: storage)  // a snapshot, installed elsewhere
                    machine = try StateMachine(storage: storage, limits: limits)
                    sinceRestart = 0
                }
                results += try machine.apply(Array(entries[offset..<min(offset + batch, entries.count)]))
                offset += batch
                sinceRestart += batch
            }
            let queries = StateQueries(storage)
            #expect(try queries.recomputeDigest() == queries.storedDigest())
            // The sweeps did real work: old ledger days are gone, approvals expired.
            let today = UInt64(try queries.clockMillis() / 86_400_000)
            let days = try storage.scan(prefix: StateKeys.ledgerDayPrefix, after: nil, limit: 10_000)
            let dayOf = { (key: [UInt8]) in key.dropFirst(2).prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) } }
            #expect(!days.isEmpty && days.allSatisfy { dayOf($0.key) == today })
            #expect(try !queries.approvals(status: .expired).isEmpty)
            return (results, try queries.digest())
        }
        let whole = try run(batch: 1, restartEvery: nil)
        for (batch, restart) in [(64, nil), (7, 301), (1, 555)] as [(Int, Int?)] {
            let other = try run(batch: batch, restartEvery: restart)
            #expect(other.digest == whole.digest, "batch \(batch), restart \(String(describing: restart))")
            #expect(other.results == whole.results, "batch \(batch), restart \(String(describing: restart))")
        }
    }
}
