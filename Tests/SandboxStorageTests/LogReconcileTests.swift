import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// A new compaction point is written to RocksDB first, then to the segment log; these tests
/// leave what a crash between the two leaves (RocksDB's point written, the segment log not)
/// and check that opening finishes the step (`RaftLogStore.reconcile`).
@Suite struct LogReconcileTests {
    let directory = TemporaryDirectory("reconcile")
    let conf = ConfState(voters: [1, 2, 3])

    /// Entries 1...20 (term 2), hard state term 3 / commit 18, the state applied up to `applied`;
    /// then RocksDB alone gets `point` (and `addToBatch`'s writes), as a crash would leave it.
    private func crashAfterRocksDB(
        point: SnapshotMetadata, applied: UInt64, addToBatch: (WriteBatch) throws -> Void = { _ in }
    ) throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.log.append(makeEntries(1...20, term: 2), hardState: HardState(term: 3, vote: 1, commit: 18))
        try storage.state.apply(StateBatch(), appliedIndex: applied)
        let batch = WriteBatch(for: storage.database)
        try batch.put(StorageKeys.snapshot, RecordCodec.encode(point), in: .raftState)
        try addToBatch(batch)
        try storage.database.write(batch, durability: .synced)
    }

    @Test func anInterruptedCompactionIsFinished() throws {
        try crashAfterRocksDB(point: SnapshotMetadata(index: 10, term: 2, conf: conf), applied: 15)
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 11 && storage.log.lastIndex() == 20)
        #expect(try storage.log.segments.compactionPoint() == (10, 2))
        #expect(try storage.log.entries(from: 11, to: 21, maxBytes: .max) == makeEntries(11...20, term: 2))
        #expect(try storage.log.initialState().0 == HardState(term: 3, vote: 1, commit: 18))
    }

    @Test func anInterruptedInstallationRestartsTheLogAfterTheSnapshot() throws {
        let point = SnapshotMetadata(index: 50, term: 4, conf: conf)
        try crashAfterRocksDB(point: point, applied: 15) { batch in
            try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: 50), in: .stateA)
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 51 && storage.log.lastIndex() == 50)
        #expect(try storage.log.term(at: 50) == 4)
        // The snapshot's term is newer than the hard state's: the node learnt of it, and its vote
        // (cast in an older term) no longer counts.
        #expect(try storage.log.initialState().0 == HardState(term: 4, vote: 0, commit: 50))
        #expect(storage.state.appliedIndex() == 50)
    }

    /// An installation at an index the log holds with another term (past the commit index: the
    /// leader's log differs there) discards the log, as Raft's rule says.
    @Test func aPointWhoseEntryHasAnotherTermIsAnInstallationToo() throws {
        try crashAfterRocksDB(point: SnapshotMetadata(index: 19, term: 3, conf: conf), applied: 15) { batch in
            try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: 19), in: .stateA)
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 20 && storage.log.lastIndex() == 19)
        #expect(try storage.log.initialState().0 == HardState(term: 3, vote: 1, commit: 19))
    }

    @Test func aLogCompactedBeyondRocksDBsPointIsRefused() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...20, term: 2), hardState: HardState(term: 2, vote: 1, commit: 20))
            try storage.state.apply(StateBatch(), appliedIndex: 20)
            try storage.log.segments.compact(upTo: 15)
            storage.close()
        }
        #expect {
            try openStorage(directory.path)
        } throws: { isInconsistentLog($0, saying: "compacted up to 15, beyond the snapshot metadata's 0") }
    }

    @Test func anInterruptedBootstrapIsFinished() throws {
        do {
            let storage = try openStorage(directory.path)
            let batch = WriteBatch(for: storage.database)
            try batch.put(
                StorageKeys.snapshot, RecordCodec.encode(SnapshotMetadata(index: 1, term: 1, conf: conf)),
                in: .raftState)
            try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: 1), in: .stateA)
            try storage.database.write(batch, durability: .synced)
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.firstIndex() == 2 && storage.log.lastIndex() == 1)
        #expect(try storage.log.initialState().0 == HardState(term: 1, vote: 0, commit: 1))
        #expect(throws: StorageError.self) { try storage.bootstrap(conf) }
    }
}
