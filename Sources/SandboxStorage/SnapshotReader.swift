import Raft

/// Streams a point-in-time snapshot of the state as chunks (made by `StateStore.makeSnapshot`).
///
/// Holds a RocksDB snapshot and iterator until the last chunk was read or `close()` is called.
/// Not Sendable: read it from one thread.
public final class SnapshotReader {
    /// Index and term of the last applied entry the snapshot contains, and the membership.
    public let metadata: SnapshotMetadata
    private let cursor: Cursor
    private let maxChunkBytes: Int
    private var sequence: UInt32 = 0
    private var finished = false

    init(metadata: SnapshotMetadata, cursor: Cursor, maxChunkBytes: Int) {
        self.metadata = metadata
        self.cursor = cursor
        self.maxChunkBytes = maxChunkBytes
    }

    /// The next chunk, or nil after the last one (there is always at least one chunk).
    public func nextChunk() throws -> SnapshotChunk? {
        guard !finished else { return nil }
        if sequence == 0 { try cursor.seekToFirst() }
        var records: [UInt8] = []
        records.reserveCapacity(maxChunkBytes + 4096)
        var count: UInt32 = 0
        var more = true
        while more, records.count < maxChunkBytes {
            more = try cursor.visit(limit: 4096) { key, value in
                records.appendBigEndian(UInt32(key.count - 1))
                records.append(contentsOf: UnsafeRawBufferPointer(rebasing: key[1...]))
                records.appendBigEndian(UInt32(value.count))
                records.append(contentsOf: value)
                count += 1
                return records.count < maxChunkBytes
            }
        }
        let chunk = SnapshotChunk(
            metadataIndex: metadata.index, term: metadata.term, sequence: sequence, isLast: !more, recordCount: count,
            records: records)
        sequence += 1
        if !more { close() }
        return chunk
    }

    /// Releases the RocksDB snapshot; `nextChunk` then returns nil.
    public func close() {
        finished = true
        cursor.close()
    }
}
