import JSON
import Raft
import TestSupport
import Testing

@testable import SandboxState

/// Key layout version 2 (apply rules 2, docs/state.md "Key layout"): the move from layout 1 at a
/// random log position changes no answer, every replica keeps the same state through it however
/// it got there, the kept digest stays the full pass's, and layout 1's keys leave through the
/// sweeps. Small windows, counts and sweep bounds, so the window, the per-agent trim, lagging
/// sweeps and the ledger's retention all act on both layouts within 1,500 entries.
@Suite struct KeyLayoutTests {
    static func limits(tight: Bool) -> StateLimits {
        var limits = StateLimits()
        limits.idempotencyWindowMillis = 2 * 3_600_000
        limits.ledgerRetentionDays = 0
        limits.maxIdempotencyKeysPerAgent = tight ? 8 : 60
        if tight { limits.maxExpiriesPerEntry = 2 }
        return limits
    }

    /// `entries` with `inserted` at array position `at` (entry time 0: it takes the clock), the
    /// entries after it one index later.
    static func inserting(_ inserted: Command, at position: Int, into entries: [Entry]) -> [Entry] {
        let renumbered = entries[position...].map { Entry(term: $0.term, index: $0.index + 1, data: $0.data) }
        let entry = Entry(
            term: 1, index: UInt64(position + 1), data: CommandEnvelope.encode(inserted, timeMillis: 0))
        return Array(entries[..<position]) + [entry] + renumbered
    }

    static func move(at position: Int, in entries: [Entry]) -> [Entry] {
        inserting(.setRulesVersion(version: 2, actor: "cluster"), at: position, into: entries)
    }

    /// A run's results and the kept digest after each batch (by the batch's last index).
    struct Run {
        var results: [EntryResult] = []
        var digests: [UInt64: StateDigest] = [:]
    }

    static func run(
        _ entries: [Entry], limits: StateLimits, batches: [Int], on storage: MemoryStateStorage = MemoryStateStorage(),
        supported: UInt32 = RulesVersion.supported, recompute: Bool = false
    ) throws -> Run {
        let machine = try StateMachine(storage: storage, limits: limits, supportedRulesVersion: supported)
        var run = Run()
        var offset = 0
        var sizes = batches.makeIterator()
        while offset < entries.count {
            let batch = Array(entries[offset..<min(offset + (sizes.next() ?? 1), entries.count)])
            run.results += try machine.apply(batch)
            run.digests[machine.appliedIndex] = machine.digest
            if recompute {
                #expect(try StateQueries(storage).recomputeDigest() == machine.digest, "at \(machine.appliedIndex)")
            }
            offset += batch.count
        }
        return run
    }

    /// (a) Every answer under a move at a random index equals the answer of the same stream under
    /// rules 1 throughout (the move's place taken by an entry that changes nothing an answer
    /// reads, and runs the sweeps as the move does).
    @Test(arguments: [(11, false), (12, true), (13, true), (14, false)])
    func theMoveChangesNoAnswer(seed: UInt64, tight: Bool) throws {
        try Self.checkTheMoveChangesNoAnswer(seed: seed, tight: tight, to: 2)
    }

    /// The same for the move from layout 2 to layout 3 (apply rules 3): the answer-order keys
    /// also hold their entries, and the count's trim reads them there.
    @Test(arguments: [(15, true), (16, false)])
    func theMoveToLayoutThreeChangesNoAnswer(seed: UInt64, tight: Bool) throws {
        try Self.checkTheMoveChangesNoAnswer(seed: seed, tight: tight, to: 3)
    }

    /// `base` under rules `version - 1` from its start (the move to 2 at its first entry for
    /// version 3), with the move to `version` at `position`.
    static func stream(_ base: [Entry], movingTo version: UInt32, at position: Int) -> [Entry] {
        let start = version == 3 ? move(at: 0, in: base) : base
        return inserting(.setRulesVersion(version: version, actor: "cluster"), at: position, into: start)
    }

    static func checkTheMoveChangesNoAnswer(seed: UInt64, tight: Bool, to version: UInt32) throws {
        var random = SeededGenerator(seed: seed)
        let base = DeterminismTests.entries(seed: seed)
        let position = random.below(base.count - 200) + 100
        let limits = Self.limits(tight: tight)
        let moved = try Self.run(Self.stream(base, movingTo: version, at: position), limits: limits, batches: [16])
        let start = version == 3 ? move(at: 0, in: base) : base
        let stayed = try Self.run(
            Self.inserting(
                .setMemberAddress(node: 99, peer: "127.0.0.1:1", http: "127.0.0.1:2", actor: "cluster"), at: position,
                into: start),
            limits: limits, batches: [16], supported: version - 1)
        #expect(moved.results[position].error == nil)
        #expect(stayed.results[position].error == nil)
        for (index, (new, old)) in zip(moved.results, stayed.results).enumerated() where index != position {
            #expect(new == old, "entry \(index + 1), move at \(position + 1)")
        }
        // The stream did real work on both sides of the move.
        let before = moved.results[..<position].compactMap(\.decision)
        let after = moved.results[(position + 1)...].compactMap(\.decision)
        #expect(before.count > 50 && after.count > 50)
        #expect(after.filter(\.replayed).count > (tight ? 1 : 5), "replays after the move")
    }

    /// (b) The kept digest at every batch boundary is the same whether the stream was applied in
    /// one batching or another, or after installing a snapshot taken before or after the move;
    /// (c) it equals a full pass over the store after every batch.
    @Test(arguments: [21, 22])
    func everyReplicaKeepsTheSameStateThroughTheMove(seed: UInt64) throws {
        try Self.checkEveryReplicaKeepsTheSameState(seed: seed, to: 2)
    }

    @Test(arguments: [23, 24])
    func everyReplicaKeepsTheSameStateThroughTheMoveToLayoutThree(seed: UInt64) throws {
        try Self.checkEveryReplicaKeepsTheSameState(seed: seed, to: 3)
    }

    static func checkEveryReplicaKeepsTheSameState(seed: UInt64, to version: UInt32) throws {
        var random = SeededGenerator(seed: seed)
        let base = DeterminismTests.entries(seed: seed)
        let position = random.below(base.count - 400) + 200
        let entries = Self.stream(base, movingTo: version, at: position)
        let limits = Self.limits(tight: true)
        let whole = try Self.run(entries, limits: limits, batches: [], recompute: seed % 2 == 1)
        let sizes = (0..<entries.count).map { _ in random.below(40) + 1 }
        let mixed = try Self.run(entries, limits: limits, batches: sizes, recompute: seed % 2 == 0)
        #expect(mixed.results == whole.results)
        for (index, digest) in mixed.digests { #expect(digest == whole.digests[index], "at \(index)") }
        for cut in [position - random.below(150) - 1, position, position + 1, position + random.below(300) + 2] {
            let first = MemoryStateStorage()
            _ = try Self.run(Array(entries[..<cut]), limits: limits, batches: [37], on: first)
            let installed = MemoryStateStorage(copying: first)  // what a snapshot carries: the keys
            let rest = try Self.run(Array(entries[cut...]), limits: limits, batches: [29], on: installed)
            #expect(rest.results == Array(whole.results[cut...]), "cut at \(cut)")
            for (index, digest) in rest.digests {
                #expect(digest == whole.digests[index], "cut at \(cut), at \(index)")
            }
        }
    }

    /// (c) Once the window has passed, layout 1's keys are gone (ids, their indexes and counts;
    /// ledger rows with the retention, here 0 days), and the kept digest is still the full pass's.
    @Test func layoutOnesKeysLeaveThroughTheSweeps() throws {
        let base = DeterminismTests.entries(seed: 31)
        let limits = Self.limits(tight: false)
        let storage = MemoryStateStorage()
        var entries = Self.move(at: 1_490, in: base)
        _ = try Self.run(entries, limits: limits, batches: [50], on: storage)
        let version1 = ["i/", "q/", "n/", "l/"].map { Array($0.utf8) }
        #expect(try version1.contains { try !storage.scan(prefix: $0, after: nil, limit: 1).isEmpty })
        // Two days later, entries that change nothing but run the sweeps (two removals each).
        var time = Harness.day0 + 10 * 86_400_000
        for _ in 0..<600 {
            time += 1_000
            let command = Command.setMemberAddress(node: 7, peer: "p", http: "h", actor: "ops")
            entries.append(
                Entry(
                    term: 1, index: UInt64(entries.count + 1),
                    data: CommandEnvelope.encode(command, timeMillis: time)))
        }
        let machine = try StateMachine(storage: storage, limits: limits)
        _ = try machine.apply(Array(entries[(base.count + 1)...]))
        for prefix in version1 {
            #expect(
                try storage.scan(prefix: prefix, after: nil, limit: 1).isEmpty,
                "\(String(decoding: prefix, as: UTF8.self))")
        }
        #expect(try storage.scan(prefix: Array("j/".utf8), after: nil, limit: 1).isEmpty)
        #expect(try StateQueries(storage).recomputeDigest() == machine.digest)
    }

    /// (d) A build that implements only rules 1 stops at the move and keeps nothing of that batch;
    /// upgraded, it applies on from there and agrees with a node that ran the new build all along.
    @Test func aBuildWithoutLayoutTwoStopsAtTheMoveAndAgreesOnceUpgraded() throws {
        try Self.checkAnOldBuildStopsAtTheMove(to: 2, tight: false)
    }

    @Test func aBuildWithoutLayoutThreeStopsAtTheMoveAndAgreesOnceUpgraded() throws {
        try Self.checkAnOldBuildStopsAtTheMove(to: 3, tight: true)
    }

    static func checkAnOldBuildStopsAtTheMove(to version: UInt32, tight: Bool) throws {
        let base = DeterminismTests.entries(seed: 41)
        let entries = Self.stream(base, movingTo: version, at: 700)
        let limits = Self.limits(tight: tight)
        let whole = try Self.run(entries, limits: limits, batches: [25])
        let storage = MemoryStateStorage()
        let old = try StateMachine(storage: storage, limits: limits, supportedRulesVersion: version - 1)
        var offset = 0
        while offset < entries.count {
            let batch = Array(entries[offset..<min(offset + 25, entries.count)])
            do {
                _ = try old.apply(batch)
            } catch is RulesVersionUnsupported {
                break
            }
            offset += batch.count
        }
        #expect(offset == 700)
        #expect(old.appliedIndex == 700)
        #expect(try StateQueries(storage).rulesVersion() == version - 1)
        let upgraded = try StateMachine(storage: storage, limits: limits, supportedRulesVersion: version)
        let rest = try upgraded.apply(Array(entries[offset...]))
        #expect(rest == Array(whole.results[offset...]))
        #expect(upgraded.digest == whole.digests[UInt64(entries.count)])
        #expect(try StateQueries(storage).recomputeDigest() == upgraded.digest)
    }

    /// Layout 3's answer-order keys hold the entry stored under their request id (so the
    /// count's trim forgets an id without reading it); layout 2's, written before the move,
    /// hold the id alone, and the trim takes them first. After a stream whose agents keep few
    /// ids, every order key left decodes to an id whose stored entry has its sequence, and
    /// both forms are among them right after the move.
    @Test func layoutThreesOrderKeysHoldTheirEntries() throws {
        let base = DeterminismTests.entries(seed: 71)
        let storage = MemoryStateStorage()
        let entries = Self.stream(base, movingTo: 3, at: base.count - 60)
        _ = try Self.run(entries, limits: Self.limits(tight: false), batches: [20], on: storage)
        let pairs = try storage.scan(prefix: Array("I/".utf8), after: nil, limit: 1_000_000)
        var withEntry = 0
        var withoutEntry = 0
        for (key, value) in pairs {
            guard let zero = key.firstIndex(of: 0), key.count == zero + 10, key[zero + 1] == UInt8(ascii: "s") else {
                continue
            }
            let agent = String(decoding: key[2..<zero], as: UTF8.self)
            let sequence = StateKeys.readBigEndian(key[(zero + 2)...])
            let (requestID, entry) = try IdempotencyEntry.decodingIndexValue(value)
            let stored = try #require(try storage.value(for: StateKeys.agentRequestID(agent, requestID)))
            let storedEntry = try IdempotencyEntry(decoding: stored)
            #expect(storedEntry.sequence == sequence)
            if let entry {
                withEntry += 1
                #expect(entry == storedEntry)
                #expect(storedEntry.layout == 3)
                #expect(value == entry.indexValue(requestID: requestID))
            } else {
                withoutEntry += 1
                #expect(storedEntry.layout == 2)
            }
        }
        #expect(withEntry > 10 && withoutEntry > 10, "\(withEntry) in layout 3, \(withoutEntry) in layout 2")
        #expect(try StateQueries(storage).recomputeDigest() == StateMachine(storage: storage).digest)
        // Text of a layout 2 value never starts with the mark; a layout 3 value that is cut short
        // or holds another sequence is refused, not misread.
        #expect(try IdempotencyEntry.decodingIndexValue(Array("r-1".utf8)).entry == nil)
        #expect(throws: DecodingError.self) { try IdempotencyEntry.decodingIndexValue([0xFF, 3, 0]) }
    }

    /// Today's ledger row moves into the agent's row at its first change after the move; a
    /// later day's first debit writes the row's day out to `l/`, where budget queries of past
    /// days find it as in layout 1.
    @Test func theLedgerMovesIntoTheAgentRowAndPastDaysStayWhereTheyWere() throws {
        let h = try Harness()
        try h.agent("a1", policy: Policies.standard)
        let call: JSONValue = ["customer": "c", "fields": [], "limit": 1]
        _ = try h.decide("a1", "r1", tool: "crm.read", call, cost: "0.25")
        let day = UInt32(h.timeMillis / 86_400_000)
        #expect(try h.storage.value(for: StateKeys.ledger("a1", day: day)) != nil)
        try h.must(.setRulesVersion(version: 2, actor: "cluster"))
        // A retry of an id answered before the move is answered from the store, and moves nothing.
        #expect(try h.decide("a1", "r1", tool: "crm.read", call, cost: "0.25").replayed)
        #expect(try h.storage.value(for: StateKeys.agentRow("a1")) == nil)
        let second = try h.decide("a1", "r2", tool: "crm.read", call, cost: "0.25")
        #expect(second.budget?.requests == 2)
        #expect(try h.storage.value(for: StateKeys.ledger("a1", day: day)) == nil)
        #expect(try h.storage.value(for: StateKeys.idempotencyAgentCount("a1")) == nil)
        #expect(try h.storage.value(for: StateKeys.agentRow("a1")) != nil)
        #expect(try h.queries.budget(of: "a1")?.microdollars == 500_000)
        h.timeMillis += 86_400_000
        let nextDay = try h.decide("a1", "r3", tool: "crm.read", call, cost: "0.25")
        #expect(nextDay.budget?.requests == 1)
        #expect(try h.storage.value(for: StateKeys.ledger("a1", day: day)) != nil)
        #expect(try h.queries.budget(of: "a1")?.microdollars == 250_000)
        #expect(try h.queries.budget(of: "a1", atMillis: h.timeMillis - 86_400_000)?.microdollars == 500_000)
        #expect(try h.queries.recomputeDigest() == h.machine.digest)
    }
}
