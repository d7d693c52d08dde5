import Raft
import Testing

/// `MemoryLogStorage` honours the `RaftLogStorage` contract; membership entries round-trip.
@Suite struct StorageTests {
    func entries(_ range: ClosedRange<UInt64>, term: UInt64) -> [Entry] {
        range.map { Entry(term: term, index: $0, data: Array("e\($0)".utf8)) }
    }

    @Test func appendTruncatesAConflictingSuffix() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...5, term: 1))
        try storage.append(entries(3...4, term: 2))
        #expect(try storage.lastIndex() == 4)
        #expect(try storage.term(at: 2) == 1)
        #expect(try storage.term(at: 3) == 2)
        #expect(throws: RaftStorageError.unavailable) { try storage.term(at: 5) }
        #expect(throws: RaftStorageError.unavailable) { try storage.append(entries(9...9, term: 2)) }
    }

    @Test func entriesAreLimitedByBytesButNeverEmpty() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...5, term: 1))
        #expect(try storage.entries(from: 1, to: 6, maxBytes: 0).count == 1)
        #expect(try storage.entries(from: 1, to: 6, maxBytes: 4).count == 2)
        #expect(try storage.entries(from: 2, to: 4, maxBytes: .max).map(\.index) == [2, 3])
    }

    @Test func compactionKeepsTheCompactionPoint() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...5, term: 1))
        try storage.createSnapshot(at: 3, conf: ConfState(voters: [1]), data: [7])
        try storage.compact(upTo: 3)
        #expect(try storage.firstIndex() == 4)
        #expect(try storage.term(at: 3) == 1)
        #expect(throws: RaftStorageError.compacted) { try storage.term(at: 2) }
        #expect(throws: RaftStorageError.compacted) { try storage.entries(from: 3, to: 5, maxBytes: .max) }
        #expect(try storage.snapshot().metadata.index == 3)
        #expect(try storage.snapshot().data == [7])
        #expect(throws: RaftStorageError.compacted) { try storage.compact(upTo: 2) }
    }

    @Test func applyingASnapshotReplacesTheLog() throws {
        let storage = MemoryLogStorage()
        try storage.append(entries(1...3, term: 1))
        let snapshot = Snapshot(
            metadata: SnapshotMetadata(index: 10, term: 4, conf: ConfState(voters: [1, 2])), data: [1])
        try storage.applySnapshot(snapshot)
        #expect(try storage.firstIndex() == 11)
        #expect(try storage.lastIndex() == 10)
        #expect(try storage.term(at: 10) == 4)
        #expect(try storage.initialState().1 == ConfState(voters: [1, 2]))
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
