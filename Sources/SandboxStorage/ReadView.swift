import CRocksDB

/// A consistent point-in-time view of the whole database (a RocksDB snapshot): reads through it
/// see every family as of the moment it was taken, whatever is written afterwards.
///
/// Not Sendable: owned by one thread. Released in deinit, by `close()`, or when the database closes.
final class ReadView {
    let database: Database
    private let resource = NativeResource(releaseOrder: 1)

    init(database: Database) throws {
        self.database = database
        try database.withOpenHandle { handle in
            resource.snapshot = rocksdb_create_snapshot(handle)
            let options = rocksdb_readoptions_create()!
            rocksdb_readoptions_set_verify_checksums(options, 1)
            rocksdb_readoptions_set_snapshot(options, resource.snapshot)
            resource.readOptions = options
        }
        database.register(resource)
    }

    deinit { database.release(resource) }

    func close() { database.release(resource) }

    func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        guard let options = resource.readOptions else { throw StorageError.closed }
        return try database.get(key, in: family, readOptions: options)
    }

    /// Snapshot handle for cursors reading through this view (valid while the view is open).
    var snapshotHandle: OpaquePointer? { resource.snapshot }
}
