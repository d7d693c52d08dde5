import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// What only the RocksDB log store has. The `RaftLogStorage` contract itself is one suite run
/// against this store and `MemoryLogStorage`: `Contract/RaftLogStorageContractTests.swift`.
@Suite struct RaftLogStoreTests {
    let directory = TemporaryDirectory("log")

    /// A snapshot index beyond the cap leaves no installation behind: another can begin.
    @Test func aRefusedInstallationCanBeFollowedByAnother() throws {
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(throws: RaftStorageError.indexTooLarge(index: .max, limit: RaftLogStore.maxIndex)) {
            try storage.state.beginInstall(SnapshotMetadata(index: .max, term: 1, conf: ConfState(voters: [1])))
        }
        let installer = try storage.state.beginInstall(
            SnapshotMetadata(index: 5, term: 1, conf: ConfState(voters: [1])))
        installer.abort()
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

    /// Hard states alone (a new term, a vote, a commit index) are written, read back at once and
    /// after a reopen, and checked against the log as entries are.
    @Test func hardStatesAloneAreWrittenAndChecked() throws {
        do {
            let storage = try openStorage(directory.path)
            let log = storage.log
            try log.append(makeEntries(1...4, term: 2), hardState: nil)
            try log.append([], hardState: HardState(term: 2, vote: 1, commit: 0))
            try log.append([], hardState: HardState(term: 2, vote: 1, commit: 3))
            #expect(try log.initialState().0.commit == 3)
            try log.append([], hardState: HardState(term: 3, vote: 0, commit: 3))
            try log.append([], hardState: HardState(term: 3, vote: 2, commit: 3))
            try log.append(makeEntries(5...5, term: 3), hardState: nil)
            try log.setHardState(HardState(term: 3, vote: 2, commit: 5))
            #expect(throws: RaftStorageError.self) {
                try log.append([], hardState: HardState(term: 3, vote: 2, commit: 6))
            }
            storage.close()
        }
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        #expect(try storage.log.initialState().0 == HardState(term: 3, vote: 2, commit: 5))
    }

    /// Bootstrap is for an empty node only.
    @Test func bootstrapRefusesANodeWithData() throws {
        let conf = ConfState(voters: [1, 2, 3])
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        try storage.bootstrap(conf)
        #expect(throws: StorageError.self) { try storage.bootstrap(conf) }
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
