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
        var snapshot = SnapshotMetadata()
        if let bytes = try database.get(StorageKeys.snapshot, in: .raftState) {
            snapshot = try RecordCodec.decodeSnapshotMetadata(bytes)
        }
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
