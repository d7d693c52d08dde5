import JSON
import Raft
import SandboxState
import SandboxStateStore
import SandboxStorage
import TestSupport
import Testing

/// The same entries give the same state however they are batched, on any node, and across a
/// snapshot taken part-way.
@Suite struct DeterminismTests {
    /// Entries of a random stream, with entry times that advance (and sometimes go back).
    static func entries(seed: UInt64, count: Int = 1_500) -> [Entry] {
        var random = SeededGenerator(seed: seed &+ 100)
        var time = Harness.day0
        return CommandSamples.stream(seed: seed, count: count).enumerated().map { offset, command in
            time = random.chance(3) ? time - 5_000 : time + UInt64(random.below(120_000))
            return Entry(term: 1, index: UInt64(offset + 1), data: CommandEnvelope.encode(command, timeMillis: time))
        }
    }

    static func run(_ entries: [Entry], batches: [Int], on storage: MemoryStateStorage = MemoryStateStorage()) throws
        -> (results: [EntryResult], digest: [UInt8])
    {
        let machine = try StateMachine(storage: storage)
        var results: [EntryResult] = []
        var offset = 0
        var sizes = batches.makeIterator()
        while offset < entries.count {
            let size = sizes.next() ?? 1
            results += try machine.apply(Array(entries[offset..<min(offset + size, entries.count)]))
            offset += size
        }
        return (results, try StateQueries(storage).digest())
    }

    @Test(arguments: [1, 2])
    func twoFreshStatesAgreeAndBatchingChangesNothing(seed: UInt64) throws {
        let entries = Self.entries(seed: seed)
        var random = SeededGenerator(seed: seed)
        let one = try Self.run(entries, batches: [entries.count])
        let single = try Self.run(entries, batches: [])
        let mixed = try Self.run(entries, batches: (0..<entries.count).map { _ in random.below(40) + 1 })
        #expect(one.digest == single.digest)
        #expect(one.digest == mixed.digest)
        #expect(one.results == single.results)
        #expect(one.results == mixed.results)
        // The stream did real work.
        let decisions = one.results.compactMap(\.decision)
        #expect(Set(decisions.map(\.outcome)).count == 3)
        #expect(decisions.filter(\.replayed).count > 20)
    }

    @Test func aSnapshotAtIThenTheRestEqualsEverything() throws {
        let entries = Self.entries(seed: 7)
        let whole = try Self.run(entries, batches: [64])
        for cut in [1, 137, 700, entries.count - 1] {
            let first = MemoryStateStorage()
            _ = try Self.run(Array(entries[..<cut]), batches: [50], on: first)
            let installed = MemoryStateStorage(copying: first)  // what a snapshot carries: the keys
            let rest = try Self.run(Array(entries[cut...]), batches: [33], on: installed)
            #expect(rest.digest == whole.digest, "cut at \(cut)")
            #expect(rest.results == Array(whole.results[cut...]), "cut at \(cut)")
        }
    }

    /// The same through RocksDB: node A applies the first part, streams a snapshot (SandboxStorage's
    /// chunks) to node B, which rebuilds its state machine from the store and applies the rest.
    @Test func aRocksDBSnapshotInstalledElsewhereContinuesIdentically() throws {
        let directory = TemporaryDirectory("state-snapshot")
        let entries = Self.entries(seed: 9, count: 800)
        let whole = try Self.run(entries, batches: [64])
        let cut = 500
        let a = try NodeStorage(path: directory.subpath("a"), options: .small)
        let b = try NodeStorage(path: directory.subpath("b"), options: .small)
        defer {
            a.close()
            b.close()
        }
        try a.log.append(Array(entries[..<cut]))
        _ = try StateMachine(storage: RocksStateStorage(a.state)).apply(Array(entries[..<cut]))
        let reader = try a.state.makeSnapshot(maxChunkBytes: 4096)
        let installer = try b.state.beginInstall(reader.metadata)
        while let chunk = try reader.nextChunk() { try installer.add(encoded: chunk.encoded()) }
        try installer.finish()
        let machine = try StateMachine(storage: RocksStateStorage(b.state))
        #expect(machine.appliedIndex == UInt64(cut))
        let rest = try machine.apply(Array(entries[cut...]))
        #expect(rest == Array(whole.results[cut...]))
        #expect(try StateQueries(RocksStateStorage(b.state)).digest() == whole.digest)
    }
}

extension DeterminismTests {
    /// The results `apply(_:computed:)` hands out before a run's write are the results it
    /// returns, in order, one call per run of at most `maxEntriesPerCommit` entries, each made
    /// while the store still holds the state before the run.
    @Test func resultsHandedOutBeforeTheWriteAreTheReturnedOnes() throws {
        let entries = Self.entries(seed: 3, count: 700)
        let storage = MemoryStateStorage()
        let machine = try StateMachine(storage: storage)
        for batch in [entries[0..<1], entries[1..<40], entries[40..<700]] {
            var handed: [EntryResult] = []
            var calls = 0
            let applied = try storage.appliedIndex()
            let results = try machine.apply(Array(batch)) { run in
                calls += 1
                #expect(run.count <= StateMachine.maxEntriesPerCommit)
                #expect((try? storage.appliedIndex()) == applied + UInt64(handed.count), "handed out after the write")
                handed += run
            }
            #expect(handed == results)
            #expect(calls == (batch.count + StateMachine.maxEntriesPerCommit - 1) / StateMachine.maxEntriesPerCommit)
        }
        #expect(try storage.appliedIndex() == 700)
    }
}
