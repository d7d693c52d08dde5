import Raft

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything one node persists, in one RocksDB database: the Raft log store (`log`) and the
/// state machine store (`state`), which share the database so that a snapshot installation can
/// switch both with one atomic write.
///
/// Open it once per node; `close()` releases every handle (later calls throw
/// `StorageError.closed`). Thread safety: see `RaftLogStore` and `StateStore`.
public final class NodeStorage: Sendable {
    /// The database format this build writes and reads.
    public static let formatVersion: UInt8 = 1

    public let path: String
    /// Free space the node needs on the database's file system (`StorageOptions.minimumFreeBytes`).
    public let minimumFreeBytes: UInt64
    public let log: RaftLogStore
    public let state: StateStore
    let database: Database

    /// Opens (creating if needed) the database in directory `path`, verifies the whole log, and
    /// clears leftovers of an interrupted snapshot installation. Throws `StorageError.diskFull`,
    /// opening nothing, when the file system holding `path` has less than
    /// `options.minimumFreeBytes` free.
    public init(path: String, options: StorageOptions = StorageOptions()) throws {
        if let shortage = DiskSpace.shortage(at: path, minimum: options.minimumFreeBytes) { throw shortage }
        self.path = path
        self.minimumFreeBytes = options.minimumFreeBytes
        let database = try Database(path: path, options: options)
        do {
            try Self.checkFormat(database)
            let log = try RaftLogStore(database: database)
            let state = try StateStore(database: database, log: log)
            let (snapshot, applied) = (try log.snapshot().metadata, state.appliedIndex())
            if applied < snapshot.index {
                throw StorageError.inconsistentLog(
                    "the state is applied up to \(applied) but the log was compacted up to \(snapshot.index)")
            }
            // Weak: the state store holds the log store, so a strong capture would be a cycle.
            log.guardCompaction { [weak state] in state?.appliedIndex() ?? 0 }
            self.database = database
            self.log = log
            self.state = state
        } catch {
            database.close()
            throw error
        }
    }

    private static func checkFormat(_ database: Database) throws {
        if let bytes = try database.get(StorageKeys.format, in: .meta) {
            guard bytes.count == 1, bytes[0] == formatVersion else {
                throw StorageError.unsupportedFormat(found: bytes.first ?? 0, supported: formatVersion)
            }
            return
        }
        let batch = WriteBatch(for: database)
        try batch.put(StorageKeys.format, [formatVersion], in: .meta)
        try database.write(batch, durability: .synced)
    }

    /// Makes this empty node a founding member of a new cluster, in one synced write: the log
    /// starts at the bootstrap snapshot (index 1, term 1, membership `conf`), the hard state is
    /// term 1 with index 1 committed, and the state is applied up to 1 (as Raft's
    /// `MemoryLogStorage(bootstrap:)`). Nodes that join later get a snapshot instead. Refused with
    /// `StorageError.alreadyInitialized` on a node that has any log, hard state or state.
    public func bootstrap(_ conf: ConfState) throws {
        try state.bootstrap(
            SnapshotMetadata(index: 1, term: 1, conf: conf), hardState: HardState(term: 1, vote: 0, commit: 1))
    }

    /// Releases the database. Idempotent; also done when the object goes away.
    public func close() {
        database.close()
    }

    public var isOpen: Bool { database.isOpen }
}
