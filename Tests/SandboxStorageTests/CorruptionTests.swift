import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct CorruptionTests {
    let directory = TemporaryDirectory("corruption")

    /// Writes a damaged record for entry 5 straight into RocksDB (a test-only path); the store's
    /// normal read path must catch it by the entry checksum and then refuse to serve. (The
    /// entries are written before a reopen: the newest entries a running store appended are
    /// answered from memory, `RecentEntries`, and only older ones are read back.)
    @Test func damagedEntryIsReportedByIndexAndTheStoreRefusesToServe() throws {
        do {
            let writer = try openStorage(directory.path)
            try writer.log.append(makeEntries(1...10, term: 1))
            writer.close()
            let storage = try openStorage(directory.path)
            var record = RecordCodec.encode(makeEntries(5...5, term: 1)[0])
            record[25] ^= 0x01  // a byte of the payload
            let batch = WriteBatch(for: storage.database)
            try batch.put(StorageKeys.log(5), record, in: .raftLog)
            try storage.database.write(batch, durability: .synced)

            #expect(try storage.log.entries(from: 1, to: 5, maxBytes: .max).count == 4)
            #expect {
                try storage.log.entries(from: 3, to: 8, maxBytes: .max)
            } throws: { error in
                guard case .corruptEntry(5, let reason) = error as? StorageError else { return false }
                return reason.hasPrefix("checksum mismatch")
            }
            // From now on the store refuses everything, even reads of healthy entries.
            #expect(throws: StorageError.self) { try storage.log.lastIndex() }
            #expect(throws: StorageError.self) { try storage.log.entries(from: 1, to: 2, maxBytes: .max) }
            #expect(throws: StorageError.self) { try storage.log.append(makeEntries(11...11, term: 1)) }
            storage.close()
        }
        // Reopening verifies the whole log and refuses to open.
        #expect {
            try openStorage(directory.path)
        } throws: { error in
            guard case .corruptEntry(5, _) = error as? StorageError else { return false }
            return "\(error)".contains("raft log entry 5 is corrupt")
        }
    }

    @Test func holeInTheLogIsReported() throws {
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(makeEntries(1...10, term: 1))
            let batch = WriteBatch(for: storage.database)
            try batch.delete(StorageKeys.log(6), in: .raftLog)
            try storage.database.write(batch, durability: .synced)
            storage.close()
        }
        #expect(throws: StorageError.inconsistentLog("entries 6 to 6 are missing")) { try openStorage(directory.path) }
    }

    /// Flips one byte of an entry inside an SST file after closing: RocksDB's block checksum
    /// (checked on every read) catches it, and the store reports the entry it was reading.
    @Test func flippedByteInAnSSTFileIsDetected() throws {
        let entries = randomEntries(count: 200, seed: 7)
        do {
            let storage = try openStorage(directory.path)
            try storage.log.append(entries)
            try storage.database.flush(.raftLog)
            storage.close()
        }
        let flipped = try flipByte(of: Array(entries[149].data[100..<132]), inFilesEndingWith: ".sst")
        try #require(flipped, "entry 150's payload was not found in any SST file")
        #expect {
            try openStorage(directory.path)
        } throws: { error in
            guard case .corruptEntry(let index, let reason) = error as? StorageError else { return false }
            return index <= 150 && reason.contains("Corruption")
        }
    }

    /// Flips one byte of an entry inside the WAL after closing: the open fails with RocksDB's
    /// corruption message rather than silently dropping the writes after it.
    @Test func flippedByteInTheWALFailsTheOpen() throws {
        let entries = randomEntries(count: 50, seed: 11)
        do {
            let storage = try openStorage(directory.path)
            for entry in entries { try storage.log.append([entry]) }
            storage.close()
        }
        let flipped = try flipByte(of: Array(entries[20].data[64..<96]), inFilesEndingWith: ".log")
        try #require(flipped, "entry 21's payload was not found in the WAL")
        #expect {
            try openStorage(directory.path)
        } throws: { error in
            guard case .rocksDB(_, let message) = error as? StorageError else { return false }
            return message.contains("Corruption")
        }
    }

    /// Entries 1... of term 1 with 256 incompressible bytes each (findable in files even when
    /// LZ4-compressed).
    private func randomEntries(count: UInt64, seed: UInt64) -> [Entry] {
        var random = TestRandom(seed: seed)
        return (1...count).map { index in
            Entry(term: 1, index: index, data: (0..<256).map { _ in UInt8(truncatingIfNeeded: random.next()) })
        }
    }

    /// Flips a bit in the first database file (by suffix) that contains `needle`.
    private func flipByte(of needle: [UInt8], inFilesEndingWith suffix: String) throws -> Bool {
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).filter { $0.hasSuffix(suffix) }
        for file in files where try flipByte(of: needle, inFile: "\(directory.path)/\(file)") { return true }
        return false
    }

    /// Finds `needle` in the file and flips one bit in its middle. Returns whether it was found.
    private func flipByte(of needle: [UInt8], inFile path: String) throws -> Bool {
        var contents = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        guard contents.count >= needle.count else { return false }
        for start in 0...(contents.count - needle.count) where contents[start] == needle[0] {
            if Array(contents[start..<start + needle.count]) == needle {
                contents[start + needle.count / 2] ^= 0x20
                try Data(contents).write(to: URL(fileURLWithPath: path))
                return true
            }
        }
        return false
    }
}
