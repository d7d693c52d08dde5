import CRocksDB

/// An iterator over one column family, optionally bounded to `[lowerBound, upperBound)` and
/// optionally reading through a `ReadView`.
///
/// Not Sendable: owned by one thread. Released in deinit, by `close()`, or when the database closes.
final class Cursor {
    let database: Database
    let family: ColumnFamily
    private let resource = NativeResource(releaseOrder: 0)
    /// Keeps the view's snapshot alive while this cursor reads through it.
    private let view: ReadView?

    init(
        database: Database, family: ColumnFamily, lowerBound: [UInt8]? = nil, upperBound: [UInt8]? = nil,
        view: ReadView? = nil
    ) throws {
        self.database = database
        self.family = family
        self.view = view
        let options = rocksdb_readoptions_create()!
        resource.readOptions = options
        rocksdb_readoptions_set_verify_checksums(options, 1)
        if let lowerBound {
            rocksdb_readoptions_set_iterate_lower_bound(options, resource.keep(lowerBound), lowerBound.count)
        }
        if let upperBound {
            rocksdb_readoptions_set_iterate_upper_bound(options, resource.keep(upperBound), upperBound.count)
        }
        if let view {
            guard let snapshot = view.snapshotHandle else { throw StorageError.closed }
            rocksdb_readoptions_set_snapshot(options, snapshot)
        }
        do {
            try database.withFamily(family) { handle, familyHandle in
                resource.iterator = rocksdb_create_iterator_cf(handle, options, familyHandle)
            }
        } catch {
            resource.release(database: nil)
            throw error
        }
        database.register(resource)
    }

    deinit { database.release(resource) }

    func close() { database.release(resource) }

    private func withIterator<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try database.withOpenHandle { _ in
            guard let iterator = resource.iterator else { throw StorageError.closed }
            return try body(iterator)
        }
    }

    func seek(to key: [UInt8]) throws {
        try withIterator { iterator in
            key.withCharPointer { rocksdb_iter_seek(iterator, $0, $1) }
        }
    }

    func seekToFirst() throws {
        try withIterator { rocksdb_iter_seek_to_first($0) }
    }

    func seekToLast() throws {
        try withIterator { rocksdb_iter_seek_to_last($0) }
    }

    /// Visits entries from the current position, moving past each one, until `body` returns
    /// false (after that entry), `limit` entries were visited, or the range ends. Returns whether
    /// the cursor still has entries.
    /// The buffers passed to `body` are valid only during the call. A read error (for example a
    /// RocksDB checksum mismatch) is thrown once the iterator stops.
    @discardableResult
    func visit(
        limit: Int, _ body: (_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws -> Bool
    ) throws -> Bool {
        try withIterator { iterator in
            var visited = 0
            while visited < limit, rocksdb_iter_valid(iterator) != 0 {
                var keyLength = 0
                var valueLength = 0
                let key = rocksdb_iter_key(iterator, &keyLength)
                let value = rocksdb_iter_value(iterator, &valueLength)
                let proceed = try body(
                    UnsafeRawBufferPointer(start: key, count: keyLength),
                    UnsafeRawBufferPointer(start: value, count: valueLength))
                rocksdb_iter_next(iterator)
                visited += 1
                if !proceed { break }
            }
            if rocksdb_iter_valid(iterator) != 0 { return true }
            try withRocksDBError("iterate \(family.name)") { error in rocksdb_iter_get_error(iterator, error) }
            return false
        }
    }
}
