import CRocksDB

/// A RocksDB write batch: every operation in it becomes durable together or not at all.
///
/// Not Sendable: a batch is built and written by one thread.
final class WriteBatch {
    let database: Database
    private(set) var handle: OpaquePointer
    private(set) var byteCount = 0

    init(for database: Database) {
        self.database = database
        handle = rocksdb_writebatch_create()!
    }

    deinit { rocksdb_writebatch_destroy(handle) }

    var count: Int { Int(rocksdb_writebatch_count(handle)) }

    func put(_ key: [UInt8], _ value: [UInt8], in family: ColumnFamily) throws {
        try database.withFamily(family) { _, familyHandle in
            key.withCharPointer { keyPointer, keyLength in
                value.withCharPointer { valuePointer, valueLength in
                    rocksdb_writebatch_put_cf(handle, familyHandle, keyPointer, keyLength, valuePointer, valueLength)
                }
            }
        }
        byteCount += key.count + value.count
    }

    func delete(_ key: [UInt8], in family: ColumnFamily) throws {
        try database.withFamily(family) { _, familyHandle in
            key.withCharPointer { keyPointer, keyLength in
                rocksdb_writebatch_delete_cf(handle, familyHandle, keyPointer, keyLength)
            }
        }
        byteCount += key.count
    }

    /// Deletes every key in `[start, end)` with one range tombstone.
    func deleteRange(from start: [UInt8], to end: [UInt8], in family: ColumnFamily) throws {
        try database.withFamily(family) { _, familyHandle in
            start.withCharPointer { startPointer, startLength in
                end.withCharPointer { endPointer, endLength in
                    rocksdb_writebatch_delete_range_cf(
                        handle, familyHandle, startPointer, startLength, endPointer, endLength)
                }
            }
        }
        byteCount += start.count + end.count
    }

    /// Runs `body` with a writer bound to `family`, taking the database lock once for all of its
    /// operations (the fast path for many keys). `expectedBytes` (keys and values) sizes the
    /// writer's buffer at once.
    func withFamily(
        _ family: ColumnFamily, expectedBytes: Int = 0, _ body: (inout FamilyWriter) throws -> Void
    ) throws {
        var writer = try database.withFamily(family) { _, familyHandle in
            var writer = FamilyWriter(
                familyID: rocksdb_column_family_handle_get_id(familyHandle), capacity: expectedBytes)
            try body(&writer)
            return writer
        }
        append(&writer)
    }

    /// Adds the writer's records: RocksDB's batch is made once from the bytes laid out in Swift
    /// (`rocksdb_writebatch_create_from` copies them), behind the batch's records so far.
    private func append(_ writer: inout FamilyWriter) {
        guard writer.recordCount > 0 else { return }
        var size = 0
        let existing = rocksdb_writebatch_data(handle, &size)!
        let existingCount = UInt32(rocksdb_writebatch_count(handle))
        if existingCount > 0 {
            // The header and records so far, then the writer's records (without its header).
            writer.bytes.replaceSubrange(
                0..<FamilyWriter.headerBytes,
                with: UnsafeRawBufferPointer(start: existing, count: size))
        }
        writer.setCount(existingCount + writer.recordCount)
        let combined = writer.bytes.withUnsafeBufferPointer { bytes in
            bytes.withMemoryRebound(to: CChar.self) { rocksdb_writebatch_create_from($0.baseAddress, $0.count)! }
        }
        rocksdb_writebatch_destroy(handle)
        handle = combined
        byteCount += writer.byteCount
    }

    func clear() {
        rocksdb_writebatch_clear(handle)
        byteCount = 0
    }
}

/// Adds operations on one family to a batch; valid only inside `WriteBatch.withFamily`.
///
/// The operations are laid out as RocksDB's write batch stores them (`WriteBatchInternal`: a
/// 12-byte header, the sequence number and the count, little-endian; then per operation its
/// type, the family's id and the length-prefixed key and value, lengths as varint32), so the
/// batch takes them in one call instead of one C call per operation.
struct FamilyWriter {
    static let headerBytes = 12
    /// RocksDB's record types (`ValueType` in dbformat.h): a put or delete in the default
    /// family, and in another family (followed by the family's id).
    private static let put: UInt8 = 0x1
    private static let delete: UInt8 = 0x0
    private static let familyPut: UInt8 = 0x5
    private static let familyDelete: UInt8 = 0x4

    private let familyID: UInt32
    /// The header (the count filled in by `setCount`), then the records.
    fileprivate var bytes: [UInt8]
    fileprivate private(set) var recordCount: UInt32 = 0
    fileprivate private(set) var byteCount = 0

    /// Bytes a record adds to its key and value at most: its type, the family's id, the prefix
    /// and two lengths.
    static let recordOverheadBytes = 17

    fileprivate init(familyID: UInt32, capacity: Int) {
        self.familyID = familyID
        bytes = [UInt8](repeating: 0, count: Self.headerBytes)
        bytes.reserveCapacity(Self.headerBytes + max(capacity, 1024))
    }

    mutating func put(key: [UInt8], value: [UInt8]) {
        key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in
                record(familyID == 0 ? Self.put : Self.familyPut)
                lengthPrefixed(nil, key)
                lengthPrefixed(nil, value)
            }
        }
        byteCount += key.count + value.count
    }

    /// Puts the key `prefix + key`.
    mutating func put(prefix: UInt8, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        record(familyID == 0 ? Self.put : Self.familyPut)
        lengthPrefixed(prefix, key)
        lengthPrefixed(nil, value)
        byteCount += 1 + key.count + value.count
    }

    mutating func delete(prefix: UInt8, key: UnsafeRawBufferPointer) {
        record(familyID == 0 ? Self.delete : Self.familyDelete)
        lengthPrefixed(prefix, key)
        byteCount += 1 + key.count
    }

    fileprivate mutating func setCount(_ count: UInt32) {
        for byte in 0..<4 { bytes[8 + byte] = UInt8(truncatingIfNeeded: count >> (8 * byte)) }
    }

    private mutating func record(_ type: UInt8) {
        recordCount += 1
        bytes.append(type)
        if familyID != 0 { varint(familyID) }
    }

    /// The length of `prefix + data` as a varint32, then the bytes.
    private mutating func lengthPrefixed(_ prefix: UInt8?, _ data: UnsafeRawBufferPointer) {
        varint(UInt32(data.count + (prefix == nil ? 0 : 1)))
        if let prefix { bytes.append(prefix) }
        bytes.append(contentsOf: data)
    }

    private mutating func varint(_ value: UInt32) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }
}
