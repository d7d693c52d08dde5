import Raft
import Testing

@testable import SandboxStorage

/// The `RaftLogStorage` contract (the numbered rules on the protocol), one test per rule, run
/// against both stores: Raft's `MemoryLogStorage` (the simulator's and the unit tests' store) and
/// the RocksDB store the cluster runs. Every refusal is checked for its exact error and for
/// changing nothing; what is written is checked again after a reopen.
@Suite struct RaftLogStorageContractTests {
    let conf = ConfState(voters: [1, 2, 3])

    /// Runs `body`, which must throw `expected`, and checks that the store looks the same after.
    func expectRefusal(
        _ expected: RaftStorageError, on store: any ContractStore, sourceLocation: SourceLocation = #_sourceLocation,
        _ body: () throws -> Void
    ) throws {
        let before = try ObservedStore(store)
        #expect(throws: expected, sourceLocation: sourceLocation) { try body() }
        #expect(try ObservedStore(store) == before, "a refusal changed the store", sourceLocation: sourceLocation)
    }

    /// Reopens the store and checks that it reads back exactly as before.
    func expectDurable(_ store: any ContractStore, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let before = try ObservedStore(store)
        try store.reopen()
        #expect(try ObservedStore(store) == before, "the reopened store differs", sourceLocation: sourceLocation)
    }

    // MARK: rule 2 — positions

    @Test(arguments: StoreKind.allCases)
    func anEmptyStoreStartsAtTheZeroSnapshot(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        #expect(try store.log.firstIndex() == 1)
        #expect(try store.log.lastIndex() == 0)
        #expect(try store.log.term(at: 0) == 0)
        #expect(throws: RaftStorageError.unavailable) { try store.log.term(at: 1) }
        #expect(try store.log.entries(from: 1, to: 1, maxBytes: .max).isEmpty)
        #expect(try store.log.initialState() == (HardState(), ConfState()))
        #expect(try store.log.snapshot().isEmpty)
        #expect(store.appliedIndex() == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func bootstrapStartsTheLogAtTheBootstrapSnapshot(_ kind: StoreKind) throws {
        let store = try kind.make(bootstrap: conf)
        defer { store.close() }
        try expectDurable(store)
        #expect(try store.log.initialState() == (HardState(term: 1, vote: 0, commit: 1), conf))
        #expect(try store.log.snapshot().metadata == SnapshotMetadata(index: 1, term: 1, conf: conf))
        #expect(try store.log.firstIndex() == 2)
        #expect(try store.log.lastIndex() == 1)
        #expect(try store.log.term(at: 1) == 1)
        #expect(throws: RaftStorageError.compacted) { try store.log.term(at: 0) }
        #expect(store.appliedIndex() == 1)
        try store.log.append(makeEntries(2...3, term: 2))
        #expect(try store.log.entries(from: 2, to: 4, maxBytes: .max) == makeEntries(2...3, term: 2))
    }

    @Test(arguments: StoreKind.allCases)
    func entriesReadBackInOrderWithinTheByteLimitButAtLeastOne(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1, size: 100))
        try expectDurable(store)
        #expect(try store.log.entries(from: 1, to: 11, maxBytes: .max) == makeEntries(1...10, term: 1, size: 100))
        #expect(try store.log.entries(from: 1, to: 11, maxBytes: 0).map(\.index) == [1])
        #expect(try store.log.entries(from: 1, to: 11, maxBytes: 250).map(\.index) == [1, 2])
        #expect(try store.log.entries(from: 3, to: 11, maxBytes: 300).map(\.index) == [3, 4, 5])
        #expect(try store.log.entries(from: 4, to: 4, maxBytes: .max).isEmpty)
        #expect(throws: RaftStorageError.unavailable) { try store.log.entries(from: 4, to: 12, maxBytes: .max) }
        #expect(throws: RaftStorageError.unavailable) { try store.log.entries(from: 5, to: 4, maxBytes: .max) }
        #expect(throws: RaftStorageError.unavailable) { try store.log.term(at: 11) }
    }

    // MARK: rule 3 — append

    @Test(arguments: StoreKind.allCases)
    func appendTruncatesAConflictingSuffix(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        try store.log.append(makeEntries(6...7, term: 2))
        #expect(try store.log.lastIndex() == 7)
        #expect(try store.log.term(at: 5) == 1)
        #expect(try store.log.term(at: 6) == 2)
        #expect(throws: RaftStorageError.unavailable) { try store.log.term(at: 8) }
        try store.log.append(makeEntries(1...3, term: 4))  // nothing committed: the whole log may go
        try expectDurable(store)
        #expect(try store.log.entries(from: 1, to: 4, maxBytes: .max) == makeEntries(1...3, term: 4))
        try store.log.append(makeEntries(4...5, term: 4))
        #expect(try store.log.entries(from: 1, to: 6, maxBytes: .max).map(\.index) == [1, 2, 3, 4, 5])
    }

    @Test(arguments: StoreKind.allCases)
    func appendRefusesAGap(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try expectRefusal(.appendGap(lastIndex: 0, firstNewIndex: 2), on: store) {
            try store.log.append(makeEntries(2...3, term: 1))
        }
        try store.log.append(makeEntries(1...5, term: 2))
        try expectRefusal(.appendGap(lastIndex: 5, firstNewIndex: 7), on: store) {
            try store.log.append(makeEntries(7...8, term: 2))
        }
        try store.log.append([])
        #expect(try store.log.lastIndex() == 5)
    }

    @Test(arguments: StoreKind.allCases)
    func appendRefusesEntriesThatAreNotConsecutive(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...5, term: 2))
        try expectRefusal(.nonContiguousEntries(expected: 7, found: 8), on: store) {
            try store.log.append(makeEntries(6...6, term: 2) + makeEntries(8...8, term: 2))
        }
        try expectRefusal(.nonContiguousEntries(expected: 7, found: 6), on: store) {
            try store.log.append(makeEntries(6...6, term: 2) + makeEntries(6...6, term: 2))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func appendRefusesATermRegression(_ kind: StoreKind) throws {
        let store = try kind.make(bootstrap: conf)
        defer { store.close() }
        // Below the bootstrap snapshot's term, right after it.
        try expectRefusal(.termRegression(index: 2, term: 0, previousTerm: 1), on: store) {
            try store.log.append(makeEntries(2...2, term: 0))
        }
        try store.log.append(makeEntries(2...5, term: 2))
        try expectRefusal(.termRegression(index: 6, term: 1, previousTerm: 2), on: store) {
            try store.log.append(makeEntries(6...6, term: 1))
        }
        // Within the batch.
        try expectRefusal(.termRegression(index: 7, term: 2, previousTerm: 3), on: store) {
            try store.log.append(makeEntries(6...6, term: 3) + makeEntries(7...7, term: 2))
        }
    }

    @Test(arguments: StoreKind.allCases)
    func committedEntriesAreNeverChangedOrRemoved(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        try store.log.setHardState(HardState(term: 1, vote: 1, commit: 6))
        try expectRefusal(.committedEntryChanged(index: 5, term: 2, committedTerm: 1), on: store) {
            try store.log.append(makeEntries(5...7, term: 2))
        }
        try expectRefusal(.committedEntryRemoved(index: 6, commit: 6), on: store) {
            try store.log.append(makeEntries(4...5, term: 1))
        }
        // Repeating committed entries and replacing the uncommitted suffix is fine.
        try store.log.append(makeEntries(6...6, term: 1) + makeEntries(7...8, term: 2))
        try expectDurable(store)
        #expect(try store.log.lastIndex() == 8)
        #expect(try store.log.term(at: 7) == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func appendSkipsEntriesAtOrBeforeTheCompactionPoint(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        try store.setApplied(8)
        try store.log.compact(upTo: 8)
        try store.log.append(makeEntries(5...12, term: 1))
        #expect(try store.log.firstIndex() == 9)
        #expect(try store.log.lastIndex() == 12)
        #expect(try store.log.entries(from: 9, to: 13, maxBytes: .max) == makeEntries(9...12, term: 1))
        let before = try ObservedStore(store)
        try store.log.append(makeEntries(3...8, term: 1))  // all compacted: nothing to do
        #expect(try ObservedStore(store) == before)
        // The batch is still checked as a whole.
        try expectRefusal(.nonContiguousEntries(expected: 4, found: 5), on: store) {
            try store.log.append(makeEntries(3...3, term: 1) + makeEntries(5...5, term: 1))
        }
    }

    // MARK: rule 4 — hard state

    @Test(arguments: StoreKind.allCases)
    func aHardStatesCommitStaysWithinTheLog(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...8, term: 2))
        try expectRefusal(.commitBeyondLog(commit: 9, lastIndex: 8), on: store) {
            try store.log.setHardState(HardState(term: 2, vote: 1, commit: 9))
        }
        try store.log.setHardState(HardState(term: 3, vote: 2, commit: 8))
        try store.log.setConfState(ConfState(voters: [1, 2, 3], learners: [4]))
        try expectDurable(store)
        #expect(
            try store.log.initialState() == (
                HardState(term: 3, vote: 2, commit: 8), ConfState(voters: [1, 2, 3], learners: [4])
            ))
    }

    // MARK: rule 5 — compaction

    @Test(arguments: StoreKind.allCases)
    func compactionKeepsTheTermOfTheCompactionPoint(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...5, term: 1) + makeEntries(6...10, term: 2))
        try store.log.setConfState(conf)
        try store.setApplied(10)
        try store.log.compact(upTo: 6)
        try expectDurable(store)
        #expect(try store.log.firstIndex() == 7)
        #expect(try store.log.term(at: 6) == 2)
        #expect(try store.log.snapshot().metadata == SnapshotMetadata(index: 6, term: 2, conf: conf))
        #expect(throws: RaftStorageError.compacted) { try store.log.term(at: 5) }
        #expect(throws: RaftStorageError.compacted) { try store.log.entries(from: 6, to: 8, maxBytes: .max) }
        // Everything: the log is empty and ends at the compaction point.
        try store.log.compact(upTo: 10)
        #expect(try store.log.firstIndex() == 11)
        #expect(try store.log.lastIndex() == 10)
        #expect(try store.log.term(at: 10) == 2)
        try store.log.append(makeEntries(11...12, term: 3))
        #expect(try store.log.entries(from: 11, to: 13, maxBytes: .max) == makeEntries(11...12, term: 3))
    }

    @Test(arguments: StoreKind.allCases)
    func compactionDiscardsOnlyAppliedEntriesOfTheLog(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        try store.setApplied(4)
        try expectRefusal(.compactionBeyondApplied(index: 5, applied: 4), on: store) {
            try store.log.compact(upTo: 5)
        }
        try store.log.compact(upTo: 4)
        try expectRefusal(.compacted, on: store) { try store.log.compact(upTo: 4) }
        try store.setApplied(12)
        try expectRefusal(.unavailable, on: store) { try store.log.compact(upTo: 11) }
    }

    @Test(arguments: StoreKind.allCases)
    func theAppliedIndexOnlyMovesForward(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.setApplied(5)
        try expectRefusal(.appliedIndexRegression(current: 5, offered: 5), on: store) { try store.setApplied(5) }
        try expectRefusal(.appliedIndexRegression(current: 5, offered: 3), on: store) { try store.setApplied(3) }
    }

    // MARK: rule 6 — snapshots

    @Test(arguments: StoreKind.allCases)
    func applySnapshotIsRefusedBeforeTheStateIsInstalled(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 20, term: 4, conf: ConfState(voters: [7])))
        try expectRefusal(.snapshotStateMissing(snapshotIndex: 20, applied: 0), on: store) {
            try store.log.applySnapshot(snapshot)
        }
        // State first: the installation moves the log, and applySnapshot is then a no-op.
        try store.installState(snapshot.metadata)
        let installed = try ObservedStore(store)
        try store.log.applySnapshot(snapshot)
        #expect(try ObservedStore(store) == installed)
        try expectDurable(store)
        #expect(try store.log.firstIndex() == 21)
        #expect(try store.log.lastIndex() == 20)
        #expect(try store.log.term(at: 20) == 4)
        #expect(try store.log.snapshot().metadata == snapshot.metadata)
        #expect(try store.log.initialState() == (HardState(term: 0, vote: 0, commit: 20), ConfState(voters: [7])))
        #expect(store.appliedIndex() == 20)
        #expect(throws: RaftStorageError.compacted) { try store.log.entries(from: 10, to: 11, maxBytes: .max) }
        try store.log.append(makeEntries(21...22, term: 4))
        #expect(try store.log.entries(from: 21, to: 23, maxBytes: .max).count == 2)
    }

    @Test(arguments: StoreKind.allCases)
    func olderSnapshotsAreRefused(_ kind: StoreKind) throws {
        let store = try kind.make(bootstrap: conf)
        defer { store.close() }
        let metadata = SnapshotMetadata(index: 20, term: 4, conf: conf)
        try store.installState(metadata)
        try expectRefusal(.snapshotOutOfDate(current: 20, offered: 15), on: store) {
            try store.log.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 15, term: 4, conf: conf)))
        }
        try expectRefusal(.snapshotOutOfDate(current: 20, offered: 20), on: store) {
            try store.log.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 20, term: 3, conf: conf)))
        }
        try expectRefusal(.snapshotOutOfDate(current: 20, offered: 20), on: store) {
            try store.installState(metadata)
        }
    }

    /// A state machine that applied up to the snapshot's index by itself lets the log follow.
    @Test(arguments: StoreKind.allCases)
    func applySnapshotMovesTheLogOnceTheStateCaughtUp(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        try store.log.append(makeEntries(1...10, term: 1))
        try store.log.setHardState(HardState(term: 1, vote: 1, commit: 4))
        try store.setApplied(12)
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 12, term: 2, conf: conf))
        try store.log.applySnapshot(snapshot)
        try expectDurable(store)
        #expect(try store.log.firstIndex() == 13)
        #expect(try store.log.term(at: 12) == 2)
        #expect(try store.log.initialState() == (HardState(term: 1, vote: 1, commit: 12), conf))
    }

    // MARK: the index cap

    @Test(arguments: StoreKind.allCases)
    func indicesBeyondTheCapAreRefused(_ kind: StoreKind) throws {
        let store = try kind.make()
        defer { store.close() }
        let limit = UInt64(Int64.max)
        #expect(MemoryLogStorage.maxIndex == limit)
        #expect(RaftLogStore.maxIndex == limit)
        try expectRefusal(.indexTooLarge(index: .max, limit: limit), on: store) {
            try store.log.append([Entry(term: 1, index: .max), Entry(term: 1, index: 0)])
        }
        try expectRefusal(.indexTooLarge(index: limit + 1, limit: limit), on: store) {
            try store.log.append([Entry(term: 1, index: limit), Entry(term: 1, index: limit + 1)])
        }
        try expectRefusal(.indexTooLarge(index: .max, limit: limit), on: store) {
            try store.log.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: .max, term: 1, conf: conf)))
        }
        try expectRefusal(.indexTooLarge(index: .max, limit: limit), on: store) {
            try store.installState(SnapshotMetadata(index: .max, term: 1, conf: conf))
        }
        // At the cap itself: a gap, refused as such (not an overflow).
        try expectRefusal(.appendGap(lastIndex: 0, firstNewIndex: limit), on: store) {
            try store.log.append([Entry(term: 1, index: limit)])
        }
    }
}
