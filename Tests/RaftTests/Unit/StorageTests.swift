import Raft
import Testing

/// What only `MemoryLogStorage` has (its snapshot data); membership entries round-trip.
@Suite struct StorageTests {
    func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [Entry] {
        range.map { Entry(term: term, index: $0, data: Array("e\($0)".utf8)) }
    }

    // The `RaftLogStorage` contract itself (append, truncation, gaps, terms, commit, compaction,
    // snapshots, the index cap) is one suite run against both stores:
    // Tests/SandboxStorageTests/Contract. Here: what only the memory store has.

    /// `createSnapshot` keeps the runtime's bytes, which `snapshot()` returns after compaction;
    /// it snapshots only applied entries, like compaction.
    @Test func aCreatedSnapshotKeepsItsDataThroughCompaction() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...5, term: 1))
        try storage.setHardState(HardState(term: 1, vote: 0, commit: 5))
        #expect(throws: RaftStorageError.compactionBeyondApplied(index: 3, applied: 0)) {
            try storage.createSnapshot(at: 3, conf: ConfState(voters: [1]), data: [7])
        }
        try storage.setAppliedIndex(4)
        try storage.createSnapshot(at: 3, conf: ConfState(voters: [1]), data: [7])
        try storage.compact(upTo: 3)
        #expect(try storage.firstIndex() == 4)
        #expect(
            try storage.snapshot()
                == Snapshot(metadata: SnapshotMetadata(index: 3, term: 1, conf: ConfState(voters: [1])), data: [7]))
        #expect(throws: RaftStorageError.compacted) { try storage.createSnapshot(at: 3, conf: ConfState(), data: []) }
    }

    /// Installing a snapshot's state moves the log with it and keeps the data; the
    /// `applySnapshot` that follows is a no-op.
    @Test func installingASnapshotsStateMovesTheLog() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...3, term: 1))
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 10, term: 4, conf: ConfState(voters: [1, 2])), data: [1])
        try storage.installSnapshotState(snapshot)
        try storage.applySnapshot(snapshot)
        #expect(storage.appliedIndex == 10)
        #expect(try storage.firstIndex() == 11)
        #expect(try storage.snapshot() == snapshot)
        #expect(throws: RaftStorageError.snapshotOutOfDate(current: 10, offered: 10)) {
            try storage.installSnapshotState(snapshot)
        }
    }

    @Test func membershipChangesRoundTrip() throws {
        for change in [
            ConfChange(.addVoter, node: 1), ConfChange(.addLearner, node: .max), ConfChange(.removeNode, node: 77),
        ] {
            #expect(try ConfChange(decoding: change.encoded()) == change)
        }
        #expect(throws: ConfChangeDecodingError.wrongLength(2)) { try ConfChange(decoding: [1, 2]) }
        #expect(throws: ConfChangeDecodingError.unknownKind(9)) {
            try ConfChange(decoding: [9, 0, 0, 0, 0, 0, 0, 0, 1])
        }
    }
}
