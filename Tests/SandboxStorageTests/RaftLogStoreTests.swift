import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct RaftLogStoreTests {
    let directory = TemporaryDirectory("log")

    @Test func emptyLogHasSnapshotZeroAndNoEntries() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 1)
        #expect(try storage.log.lastIndex() == 0)
        #expect(try storage.log.term(at: 0) == 0)
        #expect(throws: RaftStorageError.unavailable) { try storage.log.term(at: 1) }
        #expect(try storage.log.entries(from: 1, to: 1, maxBytes: .max).isEmpty)
        let (hardState, conf) = try storage.log.initialState()
        #expect(hardState == HardState())
        #expect(conf == ConfState())
        #expect(try storage.log.snapshot().isEmpty)
    }

    /// Indices near UInt64.max (from a buggy or hostile peer) are refused with a typed error,
    /// never an overflow trap on `index + 1`.
    @Test func indicesBeyondTheLimitAreRefused() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        let limit = RaftLogStore.maxIndex
        #expect(throws: StorageError.indexTooLarge(index: .max, limit: limit)) {
            try storage.log.append([Entry(term: 1, index: .max, data: []), Entry(term: 1, index: 0, data: [])])
        }
        #expect(throws: StorageError.indexTooLarge(index: limit + 1, limit: limit)) {
            try storage.log.append([Entry(term: 1, index: limit + 1, data: [])])
        }
        #expect(throws: StorageError.indexTooLarge(index: .max, limit: limit)) {
            try storage.log.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: .max, term: 1, conf: ConfState())))
        }
        #expect(throws: StorageError.indexTooLarge(index: .max, limit: limit)) {
            try storage.state.beginInstall(SnapshotMetadata(index: .max, term: 1, conf: ConfState(voters: [1])))
        }
        // Nothing changed, and an installation can still begin.
        #expect(try storage.log.lastIndex() == 0)
        let installer = try storage.state.beginInstall(
            SnapshotMetadata(index: 5, term: 1, conf: ConfState(voters: [1])))
        installer.abort()
    }

    @Test func appendedEntriesReadBackAndSurviveReopen() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...10, term: 1) + makeEntries(11...20, term: 3))
            try storage.log.setHardState(HardState(term: 3, vote: 2, commit: 15))
            try storage.log.setConfState(ConfState(voters: [1, 2, 3], learners: [4]))
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 1)
        #expect(try storage.log.lastIndex() == 20)
        #expect(try storage.log.term(at: 10) == 1)
        #expect(try storage.log.term(at: 11) == 3)
        #expect(
            try storage.log.entries(from: 1, to: 21, maxBytes: .max) == makeEntries(1...10, term: 1)
                + makeEntries(11...20, term: 3))
        let (hardState, conf) = try storage.log.initialState()
        #expect(hardState == HardState(term: 3, vote: 2, commit: 15))
        #expect(conf == ConfState(voters: [1, 2, 3], learners: [4]))
    }

    @Test func entriesRespectTheByteLimitButReturnAtLeastOne() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...10, term: 1, size: 100))
        #expect(try storage.log.entries(from: 1, to: 11, maxBytes: 0).map(\.index) == [1])
        #expect(try storage.log.entries(from: 1, to: 11, maxBytes: 250).map(\.index) == [1, 2])
        #expect(try storage.log.entries(from: 3, to: 11, maxBytes: 300).map(\.index) == [3, 4, 5])
        #expect(try storage.log.entries(from: 4, to: 6, maxBytes: .max).map(\.index) == [4, 5])
        #expect(throws: RaftStorageError.unavailable) { try storage.log.entries(from: 4, to: 12, maxBytes: .max) }
    }

    @Test func appendTruncatesTheConflictingSuffix() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...10, term: 1))
            // Overwrite 6...7 with a new term: 8...10 must go.
            try storage.log.append(makeEntries(6...7, term: 2))
            #expect(try storage.log.lastIndex() == 7)
            #expect(try storage.log.term(at: 5) == 1)
            #expect(try storage.log.term(at: 6) == 2)
            #expect(throws: RaftStorageError.unavailable) { try storage.log.term(at: 8) }
            // Overwrite the whole log from index 1.
            try storage.log.append(makeEntries(1...3, term: 4))
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.lastIndex() == 3)
        #expect(try storage.log.entries(from: 1, to: 4, maxBytes: .max) == makeEntries(1...3, term: 4))
        // Appending after a truncation continues contiguously.
        try storage.log.append(makeEntries(4...5, term: 4))
        #expect(try storage.log.entries(from: 1, to: 6, maxBytes: .max).map(\.index) == [1, 2, 3, 4, 5])
    }

    @Test func appendRejectsGapsDisorderAndTermRegression() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...5, term: 2))
        #expect(throws: StorageError.appendGap(lastIndex: 5, firstNewIndex: 7)) {
            try storage.log.append(makeEntries(7...8, term: 2))
        }
        #expect(throws: StorageError.nonContiguousEntries(expected: 7, found: 8)) {
            try storage.log.append(makeEntries(6...6, term: 2) + makeEntries(8...8, term: 2))
        }
        #expect(throws: StorageError.termRegression(index: 6, term: 1, previousTerm: 2)) {
            try storage.log.append(makeEntries(6...6, term: 1))
        }
        #expect(try storage.log.lastIndex() == 5)
        try storage.log.append([])
        #expect(try storage.log.lastIndex() == 5)
    }

    @Test func committedEntriesCannotBeChangedAndCommitCannotPassTheLog() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...10, term: 1), hardState: HardState(term: 1, vote: 1, commit: 6))
        #expect {
            try storage.log.append(makeEntries(5...7, term: 2))
        } throws: { error in
            guard case .committedEntryConflict(5, _) = error as? StorageError else { return false }
            return true
        }
        #expect {
            try storage.log.append(makeEntries(4...5, term: 1))  // would cut 6, committed
        } throws: { error in
            guard case .committedEntryConflict(6, _) = error as? StorageError else { return false }
            return true
        }
        // Repeating committed entries and replacing the uncommitted suffix is fine.
        try storage.log.append(makeEntries(6...6, term: 1) + makeEntries(7...8, term: 2))
        #expect(try storage.log.lastIndex() == 8)
        #expect(throws: StorageError.commitBeyondLog(commit: 9, lastIndex: 8)) {
            try storage.log.setHardState(HardState(term: 2, vote: 1, commit: 9))
        }
        try storage.log.append(makeEntries(9...9, term: 2), hardState: HardState(term: 2, vote: 1, commit: 9))
        #expect(try storage.log.initialState().0.commit == 9)
    }

    @Test func compactionMovesTheFirstIndexAndKeepsTheTermOfTheCompactionPoint() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...5, term: 1) + makeEntries(6...10, term: 2))
            try advanceApplied(storage, to: 10)
            try storage.log.setConfState(ConfState(voters: [1, 2, 3]))
            try storage.log.compact(upTo: 6)
            #expect(try storage.log.firstIndex() == 7)
            #expect(try storage.log.term(at: 6) == 2)
            #expect(throws: RaftStorageError.compacted) { try storage.log.term(at: 5) }
            #expect(throws: RaftStorageError.compacted) { try storage.log.entries(from: 6, to: 8, maxBytes: .max) }
            #expect(throws: RaftStorageError.compacted) { try storage.log.compact(upTo: 6) }
            #expect(throws: RaftStorageError.unavailable) { try storage.log.compact(upTo: 11) }
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 7)
        #expect(try storage.log.lastIndex() == 10)
        #expect(
            try storage.log.snapshot().metadata
                == SnapshotMetadata(index: 6, term: 2, conf: ConfState(voters: [1, 2, 3])))
        #expect(try storage.log.entries(from: 7, to: 11, maxBytes: .max) == makeEntries(7...10, term: 2))
        // Compact everything: the log is empty, last index is the compaction point.
        try storage.log.compact(upTo: 10)
        #expect(try storage.log.firstIndex() == 11)
        #expect(try storage.log.lastIndex() == 10)
        #expect(try storage.log.term(at: 10) == 2)
        try storage.log.append(makeEntries(11...12, term: 3))
        #expect(try storage.log.entries(from: 11, to: 13, maxBytes: .max) == makeEntries(11...12, term: 3))
    }

    @Test func compactionRefusesEntriesNotYetApplied() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...10, term: 1))
        try advanceApplied(storage, to: 4)
        #expect(throws: StorageError.compactionBeyondApplied(index: 5, applied: 4)) {
            try storage.log.compact(upTo: 5)
        }
        try storage.log.compact(upTo: 4)
        #expect(try storage.log.firstIndex() == 5)
    }

    @Test func appendSkipsEntriesBehindTheCompactionPoint() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...10, term: 1))
        try advanceApplied(storage, to: 8)
        try storage.log.compact(upTo: 8)
        try storage.log.append(makeEntries(5...12, term: 1))
        #expect(try storage.log.firstIndex() == 9)
        #expect(try storage.log.lastIndex() == 12)
        #expect(try storage.log.entries(from: 9, to: 13, maxBytes: .max) == makeEntries(9...12, term: 1))
        try storage.log.append(makeEntries(3...6, term: 1))
        #expect(try storage.log.lastIndex() == 12)
    }

    @Test func applySnapshotReplacesTheLog() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...10, term: 1))
            let snapshot = Snapshot(metadata: SnapshotMetadata(index: 20, term: 4, conf: ConfState(voters: [7])))
            #expect(throws: StorageError.snapshotStateMissing(snapshotIndex: 20, applied: 0)) {
                try storage.log.applySnapshot(snapshot)
            }
            #expect(try storage.log.lastIndex() == 10)
            // The state is at 20 (as after an installation): the log follows.
            try advanceApplied(storage, to: 20)
            try storage.log.applySnapshot(snapshot)
            try storage.log.applySnapshot(snapshot)  // the same one again: a no-op
            #expect(throws: StorageError.snapshotOutOfDate(current: 20, offered: 15)) {
                try storage.log.applySnapshot(Snapshot(metadata: SnapshotMetadata(index: 15, term: 4)))
            }
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 21)
        #expect(try storage.log.lastIndex() == 20)
        #expect(try storage.log.term(at: 20) == 4)
        #expect(try storage.log.initialState().1 == ConfState(voters: [7]))
        #expect(try storage.log.initialState().0.commit == 20)
        #expect(throws: RaftStorageError.compacted) { try storage.log.entries(from: 10, to: 11, maxBytes: .max) }
        try storage.log.append(makeEntries(21...22, term: 4))
        #expect(try storage.log.entries(from: 21, to: 23, maxBytes: .max).count == 2)
    }

    @Test func appendWithHardStateIsOneDurableWrite() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...64, term: 2), hardState: HardState(term: 2, vote: 1, commit: 60))
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.lastIndex() == 64)
        #expect(try storage.log.initialState().0 == HardState(term: 2, vote: 1, commit: 60))
    }

    @Test func bootstrapStartsTheLogAtTheBootstrapSnapshot() throws {
        let conf = ConfState(voters: [1, 2, 3])
        do {
            let storage = try openStorage(directory.path)
            try storage.bootstrap(conf)
            #expect(throws: StorageError.self) { try storage.bootstrap(conf) }
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.initialState() == (HardState(term: 1, vote: 0, commit: 1), conf))
        #expect(try storage.log.snapshot().metadata == SnapshotMetadata(index: 1, term: 1, conf: conf))
        #expect(try storage.log.firstIndex() == 2)
        #expect(try storage.log.lastIndex() == 1)
        #expect(try storage.log.term(at: 1) == 1)
        #expect(storage.state.appliedIndex() == 1)
        try storage.log.append(makeEntries(2...3, term: 2))
        #expect(try storage.log.entries(from: 2, to: 4, maxBytes: .max).count == 2)
        // A node with data cannot be bootstrapped.
        let otherDirectory = TemporaryDirectory("log-other")
        let other = try openStorage(otherDirectory.path)
        defer { other.close() }
        try other.log.append(makeEntries(1...1, term: 1))
        #expect(throws: StorageError.self) { try other.bootstrap(conf) }
    }

    @Test func closedStorageThrowsClosed() throws {
        let storage = try openStorage(directory.path)
        try storage.log.append(makeEntries(1...3, term: 1))
        storage.close()
        storage.close()
        #expect(throws: StorageError.closed) { try storage.log.entries(from: 1, to: 4, maxBytes: .max) }
        #expect(throws: StorageError.closed) { try storage.log.append(makeEntries(4...4, term: 1)) }
        #expect(throws: StorageError.closed) { try storage.state.get([UInt8]("k")) }
    }

    @Test func aSecondOpenOfTheSameDirectoryFailsWithRocksDBsMessage() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        do {
            _ = try openStorage(directory.path)
            Issue.record("a second open of a locked database succeeded")
        } catch let error as StorageError {
            guard case .rocksDB(_, let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(message.contains("lock"))
        }
    }
}

/// Moves the state machine's applied index forward (an empty batch of effects).
func advanceApplied(_ storage: NodeStorage, to index: UInt64) throws {
    try storage.state.apply(StateBatch(), appliedIndex: index)
}
