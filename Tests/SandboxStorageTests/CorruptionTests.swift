import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct CorruptionTests {
    let directory = TemporaryDirectory("corruption")

    /// Damages entry 5's record in its segment file while the store is open (the entries are
    /// written before a reopen: the newest entries a running store appended are answered from
    /// memory, `RecentEntries`, and only older ones are read back). The read path catches it by
    /// the record's checksum, names the entry, and the store then refuses to serve.
    @Test func damagedEntryIsReportedByIndexAndTheStoreRefusesToServe() throws {
        let entries = randomEntries(count: 10, seed: 5)
        do {
            let writer = try openStorage(directory.path)
            for entry in entries { try writer.log.append([entry]) }
            writer.close()
            let storage = try openStorage(directory.path)
            let flipped = try flipByte(
                of: Array(entries[4].data[64..<96]), inFilesEndingWith: ".wal", under: "raft-log")
            try #require(flipped, "entry 5's payload was not found in a segment file")

            #expect(try storage.log.entries(from: 1, to: 5, maxBytes: .max).count == 4)
            #expect {
                try storage.log.entries(from: 3, to: 8, maxBytes: .max)
            } throws: { error in
                guard case .corruptEntry(5, _) = error as? StorageError else { return false }
                return true
            }
            // From now on the store refuses everything, even reads of healthy entries.
            #expect(throws: StorageError.self) { try storage.log.lastIndex() }
            #expect(throws: StorageError.self) { try storage.log.entries(from: 1, to: 2, maxBytes: .max) }
            #expect(throws: StorageError.self) { try storage.log.append(makeEntries(11...11, term: 1)) }
            storage.close()
        }
        // Reopening verifies the whole log and refuses to open: later writes follow the damage.
        #expect {
            try openStorage(directory.path)
        } throws: { error in
            guard case .corruptEntry(5, _) = error as? StorageError else { return false }
            return "\(error)".contains("raft log entry 5 is corrupt")
        }
    }

    /// Flips one byte of a state write inside RocksDB's WAL after closing: the open fails with
    /// RocksDB's corruption message rather than silently dropping the writes after it. (State
    /// writes are in the WAL with `logStateWrites`; without it the WAL holds the log's
    /// metadata and membership changes' batches, read the same way.)
    @Test func flippedByteInTheWALFailsTheOpen() throws {
        let values = randomEntries(count: 50, seed: 11).map(\.data)
        do {
            let storage = try openStorage(directory.path, logStateWrites: true)
            for (offset, value) in values.enumerated() {
                var batch = StateBatch()
                batch.put(Array("key-\(offset)".utf8), value)
                try storage.state.apply(batch, appliedIndex: UInt64(offset) + 1)
            }
            storage.close()
        }
        let flipped = try flipByte(of: Array(values[20][64..<96]), inFilesEndingWith: ".log")
        try #require(flipped, "value 21 was not found in the WAL")
        #expect {
            try openStorage(directory.path, logStateWrites: true)
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

    /// Flips a bit in the first database file (by suffix, in `under` or the database's own
    /// directory) that contains `needle`.
    private func flipByte(of needle: [UInt8], inFilesEndingWith suffix: String, under: String? = nil) throws -> Bool {
        let folder = under.map { "\(directory.path)/\($0)" } ?? directory.path
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(suffix) }
        for file in files where try flipByte(of: needle, inFile: "\(folder)/\(file)") { return true }
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
