import CRocksDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// One RocksDB database with the node's column families: the only type that calls RocksDB.
///
/// Handles are released deterministically: `close()` (or deinit) releases every iterator and
/// snapshot still open, then the column families and the database, and later calls throw
/// `StorageError.closed`. Every RocksDB error comes back as `StorageError.rocksDB` carrying
/// RocksDB's message; the C string is freed with `rocksdb_free`.
final class Database: @unchecked Sendable {
    // Why @unchecked Sendable is safe: `handle` and `families` are set in init and cleared only
    // by close(), with `lock` held for writing; every other use of a C handle happens inside
    // `withFamily`/`withOpenHandle`, which hold `lock` for reading and check that the database
    // is still open. RocksDB's rocksdb_t supports concurrent reads and writes from many threads;
    // the option objects are never modified after init. `resources` has its own lock.
    let path: String
    private let lock = ReadWriteLock()
    private var handle: OpaquePointer?
    private var families: [OpaquePointer]
    private let syncedWrite: OpaquePointer
    private let unsyncedWrite: OpaquePointer
    private let unloggedWrite: OpaquePointer
    private let defaultRead: OpaquePointer
    private let flushWait: OpaquePointer
    private let resources = Locked<[ObjectIdentifier: NativeResource]>([:])

    /// How a write batch reaches the disk.
    enum Durability {
        /// Written to the WAL and fdatasync'ed before the call returns.
        case synced
        /// Written to the WAL (in the OS page cache); made durable by the next synced write,
        /// since the WAL is one ordered file shared by every family.
        case unsynced
        /// Memtable only, no WAL: durable only after an explicit `flush` of the family.
        case unlogged
    }

    init(path: String, options: StorageOptions) throws {
        self.path = path
        let dbOptions = rocksdb_options_create()!
        defer { rocksdb_options_destroy(dbOptions) }
        rocksdb_options_set_create_if_missing(dbOptions, 1)
        rocksdb_options_set_create_missing_column_families(dbOptions, 1)
        rocksdb_options_set_paranoid_checks(dbOptions, 1)
        // A torn record at the very end of the WAL (a write cut by the crash, never reported
        // durable) is dropped; any other damage fails the open instead of silently losing the
        // writes after it (the default, point-in-time recovery, would do the latter).
        rocksdb_options_set_wal_recovery_mode(dbOptions, Int32(rocksdb_tolerate_corrupted_tail_records_recovery))
        rocksdb_options_set_use_fsync(dbOptions, 0)
        rocksdb_options_set_bytes_per_sync(dbOptions, 1 << 20)
        rocksdb_options_set_wal_bytes_per_sync(dbOptions, options.walBytesPerSync)
        rocksdb_options_set_max_total_wal_size(dbOptions, UInt64(options.maxTotalWALBytes))
        rocksdb_options_set_db_write_buffer_size(dbOptions, options.totalWriteBufferBytes)
        rocksdb_options_set_max_background_jobs(dbOptions, Int32(options.backgroundJobs))
        rocksdb_options_set_max_open_files(dbOptions, 512)
        rocksdb_options_set_max_log_file_size(dbOptions, options.infoLogFileBytes)
        rocksdb_options_set_keep_log_file_num(dbOptions, options.infoLogFilesKept)
        rocksdb_options_set_max_manifest_file_size(dbOptions, 64 << 20)
        rocksdb_options_set_manifest_preallocation_size(dbOptions, options.manifestPreallocationBytes)
        rocksdb_options_set_allow_concurrent_memtable_write(dbOptions, options.concurrentMemtableWrites ? 1 : 0)
        // RocksDB's close flushes memtables holding writes that skipped the WAL, unless told not
        // to (not settable after the open in this C API): the owner flushes what it must keep
        // (`NodeStorage.close()` flushes the state), and `NodeStorage.closeAsIfCrashed()` can
        // then leave the files as a killed process would.
        let openOptions = rocksdb_options_create()!
        defer { rocksdb_options_destroy(openOptions) }
        try withRocksDBError("set avoid_flush_during_shutdown") { error in
            rocksdb_get_options_from_string(dbOptions, "avoid_flush_during_shutdown=true", openOptions, error)
        }

        let cache = rocksdb_cache_create_lru(options.blockCacheBytes)!
        defer { rocksdb_cache_destroy(cache) }
        var familyOptions: [OpaquePointer] = []
        defer { familyOptions.forEach { rocksdb_options_destroy($0) } }
        for family in ColumnFamily.allCases {
            let familyOption = rocksdb_options_create_copy(dbOptions)!
            familyOptions.append(familyOption)
            if family.isState, options.stateInsertHintPrefixBytes > 0 {
                // Not in RocksDB's C API as a setter; its options-string parser knows it.
                let setting =
                    "memtable_insert_with_hint_prefix_extractor=rocksdb.CappedPrefix.\(options.stateInsertHintPrefixBytes)"
                try withRocksDBError("set the state families' memtable insertion hints") { error in
                    rocksdb_get_options_from_string(dbOptions, setting, familyOption, error)
                }
            }
            let table = rocksdb_block_based_options_create()!
            defer { rocksdb_block_based_options_destroy(table) }
            rocksdb_block_based_options_set_block_cache(table, cache)
            rocksdb_block_based_options_set_block_size(table, 16 << 10)
            if family.isState {
                // Point lookups by key: a Bloom filter saves a disk read per miss.
                rocksdb_block_based_options_set_filter_policy(table, rocksdb_filterpolicy_create_bloom_full(10))
                // The same for the memtable: most lookups of apply's hot path (a request id
                // not seen before) miss, and a miss then costs a filter probe, not a skiplist walk.
                rocksdb_options_set_memtable_prefix_bloom_size_ratio(familyOption, 0.02)
                rocksdb_options_set_memtable_whole_key_filtering(familyOption, 1)
            }
            rocksdb_options_set_block_based_table_factory(familyOption, table)
            rocksdb_options_set_compression(familyOption, Int32(rocksdb_lz4_compression))
            rocksdb_options_set_bottommost_compression(familyOption, Int32(rocksdb_lz4_compression))
            rocksdb_options_set_level_compaction_dynamic_level_bytes(familyOption, 1)
            rocksdb_options_set_max_write_buffer_number(familyOption, Int32(options.maxWriteBuffersPerFamily))
            let bufferBytes: Int
            switch family {
            case .raftLog: bufferBytes = options.logWriteBufferBytes
            case .stateA, .stateB: bufferBytes = options.stateWriteBufferBytes
            case .meta, .raftState: bufferBytes = 1 << 20
            }
            rocksdb_options_set_write_buffer_size(familyOption, bufferBytes)
        }

        var names = ColumnFamily.allCases.map { strdupOrFail($0.name) }
        defer { names.forEach { free($0) } }
        var handles = [OpaquePointer?](repeating: nil, count: ColumnFamily.allCases.count)
        let database = try names.withUnsafeMutableBufferPointer { namePointers in
            try withRocksDBError("open \(path)") { error in
                namePointers.baseAddress!.withMemoryRebound(
                    to: UnsafePointer<CChar>?.self, capacity: namePointers.count
                ) { constNames in
                    familyOptions.map { Optional($0) }.withUnsafeBufferPointer { optionPointers in
                        rocksdb_open_column_families(
                            openOptions, path, Int32(namePointers.count), constNames, optionPointers.baseAddress,
                            &handles, error)
                    }
                }
            }
        }
        guard let database else {
            throw StorageError.rocksDB(operation: "open \(path)", message: "no database handle returned")
        }
        handle = database
        families = handles.map { $0! }
        syncedWrite = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_sync(syncedWrite, 1)
        unsyncedWrite = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_set_memtable_insert_hint_per_batch(unsyncedWrite, options.stateInsertHintPerBatch ? 1 : 0)
        unloggedWrite = rocksdb_writeoptions_create()!
        rocksdb_writeoptions_disable_WAL(unloggedWrite, 1)
        defaultRead = rocksdb_readoptions_create()!
        rocksdb_readoptions_set_verify_checksums(defaultRead, 1)
        flushWait = rocksdb_flushoptions_create()!
        rocksdb_flushoptions_set_wait(flushWait, 1)
    }

    deinit {
        close()
        rocksdb_writeoptions_destroy(syncedWrite)
        rocksdb_writeoptions_destroy(unsyncedWrite)
        rocksdb_writeoptions_destroy(unloggedWrite)
        rocksdb_readoptions_destroy(defaultRead)
        rocksdb_flushoptions_destroy(flushWait)
    }

    var isOpen: Bool { lock.withReadLock { handle != nil } }

    /// Releases every open iterator and snapshot, then the families and the database. Idempotent.
    func close() {
        lock.withWriteLock {
            guard let database = handle else { return }
            let open = resources.withLock { resources in
                defer { resources.removeAll() }
                return resources.values.sorted { $0.releaseOrder < $1.releaseOrder }
            }
            for resource in open { resource.release(database: database) }
            for family in families { rocksdb_column_family_handle_destroy(family) }
            families = []
            rocksdb_close(database)
            handle = nil
        }
    }

    // MARK: handles

    /// Runs `body` with the database and family handles, holding the lock for reading.
    func withFamily<Result>(
        _ family: ColumnFamily, _ body: (_ database: OpaquePointer, _ family: OpaquePointer) throws -> Result
    ) throws -> Result {
        try lock.withReadLock {
            guard let database = handle else { throw StorageError.closed }
            Self.disablePerfCounters()
            return try body(database, families[family.rawValue])
        }
    }

    func withOpenHandle<Result>(_ body: (OpaquePointer) throws -> Result) throws -> Result {
        try lock.withReadLock {
            guard let database = handle else { throw StorageError.closed }
            Self.disablePerfCounters()
            return try body(database)
        }
    }

    /// RocksDB counts perf statistics per thread unless told otherwise (`kEnableCount`): every
    /// key comparison in the memtable then updates the calling thread's perf context, which the
    /// shared library reaches through `__tls_get_addr` — 6% of a decide's apply. Nothing here
    /// reads those counts, so each call into the database turns them off for its thread (a
    /// thread-local store; threads come from pools, so there is no one place to do it once).
    @inline(__always)
    static func disablePerfCounters() { rocksdb_set_perf_level(Int32(rocksdb_disable)) }

    func register(_ resource: NativeResource) {
        resources.withLock { $0[ObjectIdentifier(resource)] = resource }
    }

    /// Releases one iterator or snapshot (when its owner goes away) unless close() did already.
    func release(_ resource: NativeResource) {
        lock.withReadLock {
            if let database = handle { resource.release(database: database) }
        }
        resources.withLock { _ = $0.removeValue(forKey: ObjectIdentifier(resource)) }
    }

    // MARK: reads and writes

    func get(_ key: [UInt8], in family: ColumnFamily) throws -> [UInt8]? {
        try get(key, in: family, readOptions: defaultRead)
    }

    func get(_ key: [UInt8], in family: ColumnFamily, readOptions: OpaquePointer) throws -> [UInt8]? {
        try withFamily(family) { database, familyHandle in
            var length = 0
            let value = try key.withCharPointer { keyPointer, keyLength in
                try withRocksDBError("get from \(family.name)") { error in
                    rocksdb_get_cf(database, readOptions, familyHandle, keyPointer, keyLength, &length, error)
                }
            }
            guard let value else { return nil }
            defer { rocksdb_free(value) }
            return [UInt8](UnsafeRawBufferPointer(start: value, count: length))
        }
    }

    func write(_ batch: WriteBatch, durability: Durability) throws {
        let options: OpaquePointer
        switch durability {
        case .synced: options = syncedWrite
        case .unsynced: options = unsyncedWrite
        case .unlogged: options = unloggedWrite
        }
        try withOpenHandle { database in
            try withRocksDBError("write batch of \(batch.count) operations") { error in
                rocksdb_write(database, options, batch.handle, error)
            }
        }
    }

    /// Writes the family's memtables to SST files (synced) and waits for it.
    func flush(_ family: ColumnFamily) throws {
        try withFamily(family) { database, familyHandle in
            try withRocksDBError("flush \(family.name)") { error in
                rocksdb_flush_cf(database, flushWait, familyHandle, error)
            }
        }
    }

    /// Compacts a key range so deleted data leaves the disk. Blocks until done.
    func compactRange(_ family: ColumnFamily, from start: [UInt8], to end: [UInt8]) throws {
        try withFamily(family) { database, familyHandle in
            start.withCharPointer { startPointer, startLength in
                end.withCharPointer { endPointer, endLength in
                    rocksdb_compact_range_cf(database, familyHandle, startPointer, startLength, endPointer, endLength)
                }
            }
        }
    }

    /// A RocksDB property of a family (for example `rocksdb.estimate-num-keys`), or nil.
    func property(_ name: String, of family: ColumnFamily) throws -> String? {
        try withFamily(family) { database, familyHandle in
            guard let value = rocksdb_property_value_cf(database, familyHandle, name) else { return nil }
            defer { rocksdb_free(value) }
            return String(cString: value)
        }
    }

    var readOptions: OpaquePointer { defaultRead }
}

/// Calls a RocksDB function that reports failure through `char** errptr`.
func withRocksDBError<Result>(
    _ operation: @autoclosure () -> String, _ body: (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> Result
) throws -> Result {
    var error: UnsafeMutablePointer<CChar>? = nil
    let result = withUnsafeMutablePointer(to: &error) { body($0) }
    if let error {
        let message = String(cString: error)
        rocksdb_free(error)
        throw StorageError.rocksDB(operation: operation(), message: message)
    }
    return result
}

private func strdupOrFail(_ string: String) -> UnsafeMutablePointer<CChar> {
    guard let copy = strdup(string) else { fatalError("out of memory copying a column family name") }
    return copy
}

extension Array where Element == UInt8 {
    /// The bytes as a C pointer and length; an empty array yields a valid pointer and length 0.
    func withCharPointer<Result>(_ body: (UnsafePointer<CChar>, Int) throws -> Result) rethrows -> Result {
        try withUnsafeBytes { raw in
            if let base = raw.baseAddress, raw.count > 0 {
                return try body(base.assumingMemoryBound(to: CChar.self), raw.count)
            }
            return try withUnsafePointer(to: CChar(0)) { try body($0, 0) }
        }
    }
}
