import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// A format 1 database (the Raft log and hard state in RocksDB) is moved to format 2 (both in
/// the segment log) when it opens, and what Raft sees of it does not change.
@Suite struct FormatMigrationTests {
    let directory = TemporaryDirectory("migration")

    /// Writes what a format 1 build left: the log compacted up to 10 (term 2), entries 11...2,600
    /// (terms 2 then 3), hard state term 3 / vote 2 / commit 2,500, membership, the state
    /// applied up to 2,400.
    private func writeFormat1() throws -> (entries: [Entry], hardState: HardState, conf: ConfState) {
        let conf = ConfState(voters: [1, 2, 3])
        let hardState = HardState(term: 3, vote: 2, commit: 2_500)
        let entries = makeEntries(11...1_000, term: 2) + makeEntries(1_001...2_600, term: 3)
        let database = try Database(path: directory.path, options: .small)
        defer { database.close() }
        let batch = WriteBatch(for: database)
        try batch.put(StorageKeys.format, [1], in: .meta)
        try batch.put(StorageKeys.hardState, RecordCodec.encode(hardState), in: .raftState)
        try batch.put(StorageKeys.confState, RecordCodec.encode(conf), in: .raftState)
        try batch.put(
            StorageKeys.snapshot, RecordCodec.encode(SnapshotMetadata(index: 10, term: 2, conf: conf)), in: .raftState)
        try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: 2_400), in: .stateA)
        for entry in entries { try batch.put(StorageKeys.log(entry.index), RecordCodec.encode(entry), in: .raftLog) }
        try database.write(batch, durability: .synced)
        return (entries, hardState, conf)
    }

    @Test func aFormat1DatabaseOpensWithTheSameLogInSegments() throws {
        let (entries, hardState, conf) = try writeFormat1()
        // Leftovers of a migration a crash interrupted: a segment file that is not even one.
        let segmentDirectory = directory.path + "/" + NodeStorage.segmentDirectoryName
        try FileManager.default.createDirectory(atPath: segmentDirectory, withIntermediateDirectories: true)
        try Data("half a segment".utf8).write(to: URL(fileURLWithPath: segmentDirectory + "/0000000000000001.wal"))

        // Migrated, then opened again as format 2: the same log both times.
        for _ in 0..<2 {
            let storage = try openStorage(directory.path)
            defer { storage.close() }
            let status = try storage.log.status()
            #expect(status.hardState == hardState && status.confState == conf)
            #expect(status.snapshot == SnapshotMetadata(index: 10, term: 2, conf: conf))
            #expect(status.firstIndex == 11 && status.lastIndex == 2_600)
            #expect(try storage.log.entries(from: 11, to: 2_601, maxBytes: .max) == entries)
            #expect(try storage.log.term(at: 1_000) == 2 && storage.log.term(at: 1_001) == 3)
            #expect(storage.state.appliedIndex() == 2_400)
            #expect(try storage.database.get(StorageKeys.format, in: .meta) == [NodeStorage.formatVersion])
            #expect(try storage.database.get(StorageKeys.hardState, in: .raftState) == nil)
            let cursor = try Cursor(database: storage.database, family: .raftLog)
            defer { cursor.close() }
            try cursor.seekToFirst()
            var left = 0
            try cursor.visit(limit: 10) { _, _ in
                left += 1
                return true
            }
            #expect(left == 0, "the format 1 log is deleted from RocksDB")
        }
        // And it goes on as any log.
        do {
            let storage = try openStorage(directory.path)
            defer { storage.close() }
            try storage.log.append(makeEntries(2_601...2_601, term: 3))
            try storage.log.compact(upTo: 2_400)
        }
        let reopened = try openStorage(directory.path)
        defer { reopened.close() }
        #expect(try reopened.log.firstIndex() == 2_401 && reopened.log.lastIndex() == 2_601)
        #expect(try reopened.log.initialState().0 == hardState)
    }

    @Test func aDamagedFormat1EntryStopsTheMigrationAndChangesNothing() throws {
        _ = try writeFormat1()
        do {
            let database = try Database(path: directory.path, options: .small)
            defer { database.close() }
            var record = RecordCodec.encode(makeEntries(500...500, term: 2)[0])
            record[25] ^= 0x01
            let batch = WriteBatch(for: database)
            try batch.put(StorageKeys.log(500), record, in: .raftLog)
            try database.write(batch, durability: .synced)
        }
        #expect {
            try openStorage(directory.path)
        } throws: { error in
            guard case .corruptEntry(500, _) = error as? StorageError else { return false }
            return true
        }
        let database = try Database(path: directory.path, options: .small)
        defer { database.close() }
        #expect(try database.get(StorageKeys.format, in: .meta) == [1])
        #expect(try database.get(StorageKeys.hardState, in: .raftState) != nil)
    }

    @Test func segmentFilesBesideANewDatabaseAreRefused() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...5, term: 1))
            storage.close()
        }
        // The RocksDB files go; the log stays.
        for name in try FileManager.default.contentsOfDirectory(atPath: directory.path)
        where name != NodeStorage.segmentDirectoryName {
            try FileManager.default.removeItem(atPath: directory.path + "/" + name)
        }
        #expect {
            try openStorage(directory.path)
        } throws: { isInconsistentLog($0, saying: "holds a Raft log but the database beside it is new") }
    }

    /// Format 2 -> 1 (`sandboxd storage-downgrade`) -> 2: RocksDB holds what a format 1 build
    /// reads (entries from the first index, the hard state, format 1, no segment files), and the
    /// next open of a format 2 build gives back the same log.
    @Test func aFormat2DatabaseGoesBackToFormat1AndForwardAgain() throws {
        let conf = ConfState(voters: [1, 2, 3])
        let hardState = HardState(term: 4, vote: 3, commit: 1_900)
        let entries = makeEntries(1...1_500, term: 3) + makeEntries(1_501...2_000, term: 4)
        do {
            let storage = try openStorage(directory.path)
            defer { storage.close() }
            try storage.log.setConfState(conf)
            try storage.log.append(entries, hardState: hardState)
            try storage.state.apply(StateBatch(), appliedIndex: 1_800)
            try storage.log.compact(upTo: 1_200)
        }
        let done = try NodeStorage.downgradeToFormat1(path: directory.path, options: .small)
        #expect(done == FormatDowngrade(converted: true, firstIndex: 1_201, lastIndex: 2_000, hardState: hardState))
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/" + NodeStorage.segmentDirectoryName))
        do {
            let database = try Database(path: directory.path, options: .small)
            defer { database.close() }
            #expect(try database.get(StorageKeys.format, in: .meta) == [1])
            #expect(
                try database.get(StorageKeys.hardState, in: .raftState).map(RecordCodec.decodeHardState) == hardState)
            let cursor = try Cursor(database: database, family: .raftLog)
            defer { cursor.close() }
            try cursor.seekToFirst()
            var stored: [Entry] = []
            var more = true
            while more {
                more = try cursor.visit(limit: 500) { key, value in
                    stored.append(try RecordCodec.decodeEntry(value, at: StorageKeys.logIndex(key) ?? 0))
                    return true
                }
            }
            #expect(stored == Array(entries[1_200...]))
        }
        #expect(try NodeStorage.downgradeToFormat1(path: directory.path, options: .small).converted == false)
        let storage = try openStorage(directory.path)
        defer { storage.close() }
        let status = try storage.log.status()
        #expect(status.hardState == hardState && status.confState == conf)
        #expect(status.firstIndex == 1_201 && status.lastIndex == 2_000)
        #expect(try storage.log.entries(from: 1_201, to: 2_001, maxBytes: .max) == Array(entries[1_200...]))
        #expect(storage.state.appliedIndex() == 1_800)
    }
}
