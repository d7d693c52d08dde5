import Foundation
import Raft
import TestSupport
import Testing

@testable import SandboxStorage

@Suite struct SnapshotTests {
    let directory = TemporaryDirectory("snapshot")

    /// A source node with `keys` keys, applied up to `applied` (entries of term 2 in its log).
    static func makeSource(at path: String, keys: Int, applied: UInt64, keyPrefix: String = "key/") throws
        -> NodeStorage
    {
        let storage = try openStorage(path)
        try storage.log.append(
            makeEntries(1...applied, term: 2), hardState: HardState(term: 2, vote: 1, commit: applied))
        try storage.log.setConfState(ConfState(voters: [1, 2, 3]))
        let perBatch = max(1, keys / Int(applied))
        var written = 0
        for index in 1...applied {
            var batch = StateBatch()
            let end = index == applied ? keys : min(keys, written + perBatch)
            while written < end {
                batch.put(key(written, prefix: keyPrefix), value(written))
                written += 1
            }
            try storage.state.apply(batch, appliedIndex: index)
        }
        return storage
    }

    static func key(_ number: Int, prefix: String = "key/") -> [UInt8] {
        [UInt8](prefix.utf8) + UInt64(number).bigEndianBytes
    }

    static func value(_ number: Int) -> [UInt8] {
        [UInt8]("value-\(number)-") + [UInt8](repeating: UInt8(truncatingIfNeeded: number), count: number % 24)
    }

    /// Streams every chunk of a snapshot of `source` through the wire form into `target`.
    static func transfer(from source: NodeStorage, to target: NodeStorage, maxChunkBytes: Int = 64 << 10) throws
        -> (metadata: SnapshotMetadata, chunks: Int)
    {
        let reader = try source.state.makeSnapshot(maxChunkBytes: maxChunkBytes)
        let installer = try target.state.beginInstall(reader.metadata)
        var chunks = 0
        while let chunk = try reader.nextChunk(), chunks < 1_000_000 {
            #expect(chunk.uncompressedByteCount <= UInt32(maxChunkBytes + 64))
            try installer.add(encoded: chunk.encoded())
            chunks += 1
        }
        try installer.finish()
        return (reader.metadata, chunks)
    }

    @Test func snapshotOfAMillionKeysRoundTrips() throws {
        let keys = 1_000_000
        let source = try Self.makeSource(at: directory.subpath("source"), keys: keys, applied: 50)
        defer { source.close() }
        let target = try openStorage(directory.subpath("target"))
        // The target has state of its own, which the snapshot must replace entirely.
        var old = StateBatch()
        for number in 0..<1000 { old.put([UInt8]("old/\(number)"), [1]) }
        try target.log.append(makeEntries(1...3, term: 1))
        try target.state.apply(old, appliedIndex: 3)
        let (metadata, chunks) = try Self.transfer(from: source, to: target, maxChunkBytes: 1 << 20)
        #expect(metadata == SnapshotMetadata(index: 50, term: 2, conf: ConfState(voters: [1, 2, 3])))
        #expect(chunks > 10)
        target.close()

        let reopened = try openStorage(directory.subpath("target"))
        defer { reopened.close() }
        #expect(reopened.state.appliedIndex() == 50)
        #expect(try reopened.log.firstIndex() == 51)
        #expect(try reopened.log.lastIndex() == 50)
        #expect(try reopened.log.term(at: 50) == 2)
        #expect(try reopened.log.initialState().1 == ConfState(voters: [1, 2, 3]))
        #expect(try reopened.log.initialState().0.commit == 50)
        #expect(try reopened.state.scan(prefix: [UInt8]("old/"), limit: 10).isEmpty)
        var count = 0
        var after: [UInt8]?
        var mismatches = 0
        while count < keys + 1 {
            let page = try reopened.state.scan(prefix: [], startingAfter: after, limit: 50_000)
            for entry in page {
                if entry.key != Self.key(count) || entry.value != Self.value(count) { mismatches += 1 }
                count += 1
            }
            guard let last = page.last else { break }
            after = last.key
        }
        #expect(count == keys)
        #expect(mismatches == 0)
        // The log continues after the snapshot.
        try reopened.log.append(makeEntries(51...52, term: 3))
        #expect(try reopened.log.lastIndex() == 52)
    }

    @Test func snapshotIsAPointInTimeView() throws {
        let source = try Self.makeSource(at: directory.subpath("source"), keys: 3000, applied: 3)
        defer { source.close() }
        let reader = try source.state.makeSnapshot(maxChunkBytes: 4096)
        // Changes after the snapshot was taken are not in it.
        try source.log.append(makeEntries(4...4, term: 2))
        var batch = StateBatch()
        batch.put(Self.key(0), [UInt8]("changed"))
        batch.put([UInt8]("new"), [1])
        try source.state.apply(batch, appliedIndex: 4)
        var records: [[UInt8]: [UInt8]] = [:]
        var chunks = 0
        while let chunk = try reader.nextChunk(), chunks < 10_000 {
            chunks += 1
            try chunk.forEachRecord { records[Array($0)] = Array($1) }
        }
        #expect(reader.metadata.index == 3)
        #expect(records.count == 3000)
        #expect(records[Self.key(0)] == Self.value(0))
        #expect(records[[UInt8]("new")] == nil)
        #expect(chunks > 1)
        #expect(try reader.nextChunk() == nil)
    }

    @Test func emptyStateMakesOneEmptyLastChunk() throws {
        let source = try openStorage(directory.subpath("source"))
        defer { source.close() }
        let reader = try source.state.makeSnapshot()
        let chunk = try #require(try reader.nextChunk())
        #expect(chunk.isLast)
        #expect(chunk.recordCount == 0)
        #expect(try SnapshotChunk(decoding: chunk.encoded()) == chunk)
        #expect(try reader.nextChunk() == nil)
    }

    @Test func damagedOrMisorderedChunksAreRefusedAndTheOldStateStays() throws {
        let source = try Self.makeSource(at: directory.subpath("source"), keys: 2000, applied: 4)
        defer { source.close() }
        let target = try Self.makeSource(at: directory.subpath("target"), keys: 10, applied: 2, keyPrefix: "old/")
        defer { target.close() }
        let reader = try source.state.makeSnapshot(maxChunkBytes: 4096)
        var chunks: [SnapshotChunk] = []
        while let chunk = try reader.nextChunk(), chunks.count < 10_000 { chunks.append(chunk) }
        #expect(chunks.count > 3)

        // Every flipped byte of the wire form is caught.
        let wire = chunks[1].encoded()
        for position in stride(from: 0, to: wire.count, by: max(1, wire.count / 200)) {
            var damaged = wire
            damaged[position] ^= 0x04
            #expect(throws: StorageError.self) { try SnapshotChunk(decoding: damaged) }
        }
        // A chunk whose compressed records do not match their checksum.
        var tampered = chunks[0]
        tampered.payloadChecksum ^= 1
        let installer = try target.state.beginInstall(reader.metadata)
        #expect(throws: StorageError.self) { try installer.add(tampered) }
        // Out of order, and from another snapshot.
        #expect(throws: StorageError.invalidSnapshotChunk("chunk 1 out of order, expected 0")) {
            try installer.add(chunks[1])
        }
        var foreign = chunks[0]
        foreign.snapshotTerm = 9
        #expect(throws: StorageError.self) { try installer.add(foreign) }
        // A second installation at once is refused.
        #expect(throws: StorageError.installInProgress) { try target.state.beginInstall(reader.metadata) }
        try installer.add(chunks[0])
        #expect(throws: StorageError.self) { try installer.finish() }  // the last chunk is missing
        installer.abort()
        // The abandoned installation left the old state untouched.
        #expect(target.state.appliedIndex() == 2)
        #expect(try target.state.get(Self.key(0, prefix: "old/")) == Self.value(0))
        #expect(try target.state.get(Self.key(0)) == nil)
        // An older snapshot than the state is refused.
        #expect(throws: RaftStorageError.snapshotOutOfDate(current: 2, offered: 1)) {
            try target.state.beginInstall(SnapshotMetadata(index: 1, term: 2))
        }
        // And a full, valid transfer works afterwards.
        let (metadata, _) = try Self.transfer(from: source, to: target)
        #expect(target.state.appliedIndex() == metadata.index)
        #expect(try target.state.get(Self.key(0, prefix: "old/")) == nil)
        #expect(try target.state.get(Self.key(1999)) == Self.value(1999))
    }

    /// A chunk from the network whose compressed length (consistent with its size and checksum)
    /// is beyond anything LZ4 makes of the largest payload is refused at decoding; LZ4's Int32
    /// lengths would otherwise trap on a payload over 2 GiB.
    @Test func chunkWithAnOversizedCompressedPayloadIsRefused() throws {
        let chunk = SnapshotChunk(metadataIndex: 3, term: 1, sequence: 0, isLast: true, recordCount: 0, records: [])
        var header = Array(chunk.encoded().prefix(SnapshotChunk.headerBytes))
        let length = SnapshotChunk.maxCompressedBytes + 1
        var lengthField: [UInt8] = []
        lengthField.appendBigEndian(UInt32(length))
        header.replaceSubrange(36..<40, with: lengthField)  // the compressed length field
        var wire = header + [UInt8](repeating: 0x5A, count: length)
        wire.appendBigEndian(CRC32C.checksum(wire))
        #expect(
            throws: StorageError.invalidSnapshotChunk(
                "compressed length \(length) exceeds \(SnapshotChunk.maxCompressedBytes)")
        ) { try SnapshotChunk(decoding: wire) }
    }

    @Test func abandonedInstallationLeavesTheOldStateAndNoLeftovers() throws {
        let source = try Self.makeSource(at: directory.subpath("source"), keys: 5000, applied: 5)
        defer { source.close() }
        let targetPath = directory.subpath("target")
        do {
            let target = try Self.makeSource(at: targetPath, keys: 100, applied: 2, keyPrefix: "old/")
            let reader = try source.state.makeSnapshot(maxChunkBytes: 4096)
            let installer = try target.state.beginInstall(reader.metadata)
            for _ in 0..<3 { try installer.add(try #require(try reader.nextChunk())) }
            // Simulate a crash half-way, after RocksDB flushed part of the installation to an
            // SST file: the process goes away without finishing. Closing the database first
            // keeps the installer from cleaning up, as a crash would.
            let inactive: ColumnFamily = target.state.activeFamily() == .stateA ? .stateB : .stateA
            try target.database.flush(inactive)
            let files = try FileManager.default.contentsOfDirectory(atPath: targetPath).filter { $0.hasSuffix(".sst") }
            #expect(!files.isEmpty)
            target.close()
            _ = installer
        }
        let target = try openStorage(targetPath)
        defer { target.close() }
        #expect(target.state.appliedIndex() == 2)
        #expect(try target.state.scan(prefix: [UInt8]("old/"), limit: 1000).count == 100)
        #expect(try target.state.get(Self.key(0)) == nil)
        let inactive: ColumnFamily = target.state.activeFamily() == .stateA ? .stateB : .stateA
        let cursor = try Cursor(database: target.database, family: inactive)
        try cursor.seekToFirst()
        var leftovers = 0
        try cursor.visit(limit: 10) { _, _ in
            leftovers += 1
            return true
        }
        cursor.close()
        #expect(leftovers == 0, "the inactive state family still holds \(leftovers)+ keys after reopening")
    }

    /// `finish()` in its two halves, as the cluster runtime calls them on two threads: a
    /// prepared installation (flushed to SST files) is still invisible, and aborting it then
    /// leaves the old state; `commit()` before `prepare()` is refused and changes nothing.
    @Test func aPreparedInstallationIsInvisibleUntilCommitted() throws {
        let source = try Self.makeSource(at: directory.subpath("source"), keys: 3000, applied: 5)
        defer { source.close() }
        let target = try Self.makeSource(at: directory.subpath("target"), keys: 100, applied: 2, keyPrefix: "old/")
        defer { target.close() }
        for commitsIt in [false, true] {
            let reader = try source.state.makeSnapshot(maxChunkBytes: 8192)
            let installer = try target.state.beginInstall(reader.metadata)
            while let chunk = try reader.nextChunk() { try installer.add(chunk) }
            #expect(throws: StorageError.self) { try installer.commit() }  // not prepared
            try installer.prepare()
            try installer.prepare()  // again: nothing more to do
            #expect(target.state.appliedIndex() == 2)
            #expect(try target.state.scan(prefix: [UInt8]("old/"), limit: 1000).count == 100)
            #expect(try target.state.get(Self.key(0)) == nil)
            guard commitsIt else {
                installer.abort()
                #expect(try target.state.scan(prefix: [UInt8]("old/"), limit: 1000).count == 100)
                continue
            }
            try installer.commit()
            #expect(throws: StorageError.self) { try installer.commit() }  // once
            #expect(target.state.appliedIndex() == 5)
            #expect(try target.state.get(Self.key(0)) == Self.value(0))
            #expect(try target.state.scan(prefix: [UInt8]("old/"), limit: 1000).isEmpty)
        }
    }
}
