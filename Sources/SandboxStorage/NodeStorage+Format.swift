import Raft

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The database's format version, and the move of a format 1 database (the Raft log and hard
/// state in RocksDB's `raft_log` and `raft_state`) to format 2 (both in the segment log).
extension NodeStorage {
    /// The segment log's directory inside the database's (RocksDB ignores names it did not make).
    static let segmentDirectoryName = "raft-log"

    /// Entries copied per segment log write while migrating.
    static let migrationBatchEntries = 1024
    static let migrationBatchBytes = 4 << 20

    /// Writes the format of a new database, migrates a format 1 one, refuses anything else.
    /// A new database (no format yet) with segment files beside it is refused: that log belongs
    /// to a database that is gone, and its hard state alone must not be trusted or dropped.
    static func prepareFormat(_ database: Database, segmentDirectory: String, options: SegmentLogOptions) throws {
        let fileSystem = PosixSegmentFileSystem()
        switch try database.get(StorageKeys.format, in: .meta) {
        case [formatVersion]?:
            return
        case [1]?:
            try migrateFromFormat1(database, segmentDirectory: segmentDirectory, options: options)
        case let found?:
            throw StorageError.unsupportedFormat(found: found.first ?? 0, supported: formatVersion)
        case nil:
            if let names = try? fileSystem.fileNames(in: segmentDirectory),
                names.contains(where: { SpareSegments.sequence(inName: $0) != nil })
            {
                throw StorageError.inconsistentLog(
                    "\(segmentDirectory) holds a Raft log but the database beside it is new: move one of them away")
            }
            let batch = WriteBatch(for: database)
            try batch.put(StorageKeys.format, [formatVersion], in: .meta)
            try database.write(batch, durability: .synced)
        }
    }

    /// Copies the format 1 log (entries from the compaction point on, each checked against its
    /// checksum and position) and hard state into a fresh segment log, then one synced RocksDB
    /// write deletes them from RocksDB and records format 2. A crash before that write leaves
    /// format 1, and the next open starts the copy again from an empty directory.
    static func migrateFromFormat1(_ database: Database, segmentDirectory: String, options: SegmentLogOptions) throws {
        try removeSegmentFiles(in: segmentDirectory)
        let snapshot = try storedSnapshot(database)
        var hardState = HardState()
        if let bytes = try database.get(StorageKeys.hardState, in: .raftState) {
            hardState = try RecordCodec.decodeHardState(bytes)
        }
        let segments = try SegmentLog(directory: segmentDirectory, options: options)
        defer { segments.close() }
        if snapshot.index > 0 { try segments.reset(toIndex: snapshot.index, term: snapshot.term) }
        let cursor = try Cursor(database: database, family: .raftLog)
        defer { cursor.close() }
        try cursor.seek(to: StorageKeys.log(snapshot.index + 1))
        var expected = snapshot.index + 1
        var batch: [Entry] = []
        var batchBytes = 0
        var more = true
        while more {
            more = try cursor.visit(limit: migrationBatchEntries) { key, value in
                guard StorageKeys.logIndex(key) == expected else {
                    throw StorageError.inconsistentLog(
                        "format 1 log: entry \(expected) expected, found a key of \(key.count) bytes"
                            + (StorageKeys.logIndex(key).map { " for entry \($0)" } ?? ""))
                }
                let entry = try RecordCodec.decodeEntry(value, at: expected)
                batch.append(entry)
                batchBytes += entry.data.count
                expected += 1
                return batch.count < migrationBatchEntries && batchBytes < migrationBatchBytes
            }
            if !batch.isEmpty {
                try segments.append(batch)
                batch.removeAll(keepingCapacity: true)
                batchBytes = 0
            }
        }
        if hardState != (try segments.hardState()) { try segments.setHardState(hardState) }
        let switchBatch = WriteBatch(for: database)
        try switchBatch.deleteRange(from: StorageKeys.log(0), to: StorageKeys.log(.max), in: .raftLog)
        try switchBatch.delete(StorageKeys.hardState, in: .raftState)
        try switchBatch.put(StorageKeys.format, [formatVersion], in: .meta)
        try database.write(switchBatch, durability: .synced)
    }

    /// The compaction point's metadata in `raft_state` (none: the log starts at 1), its index
    /// within `RaftLogStore.maxIndex`.
    static func storedSnapshot(_ database: Database) throws -> SnapshotMetadata {
        guard let bytes = try database.get(StorageKeys.snapshot, in: .raftState) else { return SnapshotMetadata() }
        let snapshot = try RecordCodec.decodeSnapshotMetadata(bytes)
        guard snapshot.index <= RaftLogStore.maxIndex else {
            throw StorageError.corruptRecord(
                name: "snapshot metadata", reason: "index \(snapshot.index) exceeds \(RaftLogStore.maxIndex)")
        }
        return snapshot
    }

    /// Removes the segment files (and leftovers of making one) in `directory`, if it exists.
    static func removeSegmentFiles(in directory: String) throws {
        let fileSystem = PosixSegmentFileSystem()
        guard access(directory, F_OK) == 0 else { return }
        for name in try fileSystem.fileNames(in: directory)
        where SpareSegments.sequence(inName: name) != nil || name.hasSuffix(".wal.tmp") {
            try fileSystem.removeFile(directory + "/" + name)
        }
        try fileSystem.syncDirectory(directory)
    }
}

/// What `NodeStorage.downgradeToFormat1` did.
public struct FormatDowngrade: Sendable, Equatable {
    /// False when the database was format 1 already (nothing done).
    public var converted: Bool
    public var firstIndex: UInt64
    public var lastIndex: UInt64
    public var hardState: HardState
}

extension NodeStorage {
    /// Converts a stopped node's format 2 database back to format 1, for a rollback to a build
    /// before format 2 (`sandboxd storage-downgrade`, docs/operations.md "Upgrade"): the segment
    /// log's entries (from the first index on, after finishing a step a crash interrupted) and
    /// hard state go back into RocksDB's `raft_log` and `raft_state`, then one synced write
    /// records format 1, then the segment files are removed. A crash before that write leaves
    /// format 2 (the entries already copied are ignored, and cleared by the next attempt); after
    /// it, format 1 with leftover segment files, which a build before format 2 ignores and a
    /// format 2 build migrates afresh.
    public static func downgradeToFormat1(path: String, options: StorageOptions = StorageOptions()) throws
        -> FormatDowngrade
    {
        let database = try Database(path: path, options: options)
        defer { database.close() }
        let segmentDirectory = path + "/" + segmentDirectoryName
        switch try database.get(StorageKeys.format, in: .meta) {
        case [formatVersion]?:
            break
        case [1]?:
            return FormatDowngrade(converted: false, firstIndex: 0, lastIndex: 0, hardState: HardState())
        case let found?:
            throw StorageError.unsupportedFormat(found: found.first ?? 0, supported: formatVersion)
        case nil:
            throw StorageError.inconsistentLog("\(path) holds no node database (no format recorded)")
        }
        let snapshot = try storedSnapshot(database)
        let segments = try SegmentLog(
            directory: segmentDirectory, options: SegmentLogOptions(segmentBytes: options.logSegmentBytes))
        defer { segments.close() }
        try RaftLogStore.reconcile(segments, with: snapshot)
        let (first, last, hardState) = (try segments.firstIndex(), try segments.lastIndex(), try segments.hardState())
        let clear = WriteBatch(for: database)
        try clear.deleteRange(from: StorageKeys.log(0), to: StorageKeys.log(.max), in: .raftLog)
        try database.write(clear, durability: .unsynced)
        var next = first
        while next <= last {
            let entries = try segments.entries(
                from: next, to: min(last + 1, next + UInt64(migrationBatchEntries)), maxBytes: migrationBatchBytes)
            let batch = WriteBatch(for: database)
            for entry in entries {
                try batch.put(StorageKeys.log(entry.index), RecordCodec.encode(entry), in: .raftLog)
            }
            try database.write(batch, durability: .unsynced)
            next += UInt64(entries.count)
        }
        let switchBatch = WriteBatch(for: database)
        try switchBatch.put(StorageKeys.hardState, RecordCodec.encode(hardState), in: .raftState)
        try switchBatch.put(StorageKeys.format, [1], in: .meta)
        try database.write(switchBatch, durability: .synced)
        segments.close()
        try removeSegmentFiles(in: segmentDirectory)
        rmdir(segmentDirectory)
        return FormatDowngrade(converted: true, firstIndex: first, lastIndex: last, hardState: hardState)
    }
}
