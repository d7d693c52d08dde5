import CRocksDB

/// A RocksDB write batch: every operation in it becomes durable together or not at all.
///
/// Not Sendable: a batch is built and written by one thread.
final class WriteBatch {
    let database: Database
    let handle: OpaquePointer
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
    /// operations (the fast path for many keys).
    func withFamily(_ family: ColumnFamily, _ body: (inout FamilyWriter) throws -> Void) throws {
        var writer = try database.withFamily(family) { _, familyHandle in
            var writer = FamilyWriter(batch: handle, family: familyHandle)
            try body(&writer)
            return writer
        }
        byteCount += writer.byteCount
        writer.byteCount = 0
    }

    func clear() {
        rocksdb_writebatch_clear(handle)
        byteCount = 0
    }
}

/// Adds operations on one family to a batch; valid only inside `WriteBatch.withFamily`.
struct FamilyWriter {
    fileprivate let batch: OpaquePointer
    fileprivate let family: OpaquePointer
    fileprivate(set) var byteCount = 0

    mutating func put(key: [UInt8], value: [UInt8]) {
        key.withCharPointer { keyPointer, keyLength in
            value.withCharPointer { valuePointer, valueLength in
                rocksdb_writebatch_put_cf(batch, family, keyPointer, keyLength, valuePointer, valueLength)
            }
        }
        byteCount += key.count + value.count
    }

    /// `prefix + key` of the current operation: one buffer reused by every operation of the
    /// writer, so a put costs RocksDB one contiguous key (its `putv` of two parts allocates two
    /// vectors per call).
    fileprivate var joinedKey: [UInt8] = []

    /// Puts the key `prefix + key`.
    mutating func put(prefix: UInt8, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        join(prefix, key)
        joinedKey.withCharPointer { keyPointer, keyLength in
            // An empty value gets a valid pointer too (to the key, with length 0).
            let valuePointer = charPointer(value) ?? keyPointer
            rocksdb_writebatch_put_cf(batch, family, keyPointer, keyLength, valuePointer, value.count)
        }
        byteCount += 1 + key.count + value.count
    }

    mutating func delete(prefix: UInt8, key: UnsafeRawBufferPointer) {
        join(prefix, key)
        joinedKey.withCharPointer { rocksdb_writebatch_delete_cf(batch, family, $0, $1) }
        byteCount += 1 + key.count
    }

    private mutating func join(_ prefix: UInt8, _ key: UnsafeRawBufferPointer) {
        joinedKey.removeAll(keepingCapacity: true)
        joinedKey.append(prefix)
        joinedKey.append(contentsOf: key)
    }

    private func charPointer(_ bytes: UnsafeRawBufferPointer) -> UnsafePointer<CChar>? {
        bytes.baseAddress?.assumingMemoryBound(to: CChar.self)
    }
}
