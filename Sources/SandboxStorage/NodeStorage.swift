import Dispatch
import Foundation
import Raft
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Everything one node persists: the Raft log store (`log`: its entries and hard state in a
/// segment log in `<path>/raft-log/`, its membership and compaction point in RocksDB) and the
/// state machine store (`state`, in RocksDB), which share the database so that a snapshot
/// installation can switch the state and the log's metadata with one atomic write.
///
/// Open it once per node; `close()` releases every handle (later calls throw
/// `StorageError.closed`). Thread safety: see `RaftLogStore` and `StateStore`. A thread of its
/// own makes the segment log's next file ahead of need and deletes compacted ones
/// (`SegmentLog.prepareSpare`), so the Raft loop's appends never zero-fill a file.
public final class NodeStorage: Sendable {
    /// The database format this build writes and reads (1, the log in RocksDB, is migrated).
    public static let formatVersion: UInt8 = 2

    public let path: String
    /// Free space the node needs on the database's file system (`StorageOptions.minimumFreeBytes`).
    public let minimumFreeBytes: UInt64
    public let log: RaftLogStore
    public let state: StateStore
    let database: Database
    private let spareMaker: SpareSegmentMaker

    /// Opens (creating if needed) the database in directory `path`, verifies the whole log, and
    /// clears leftovers of an interrupted snapshot installation. Throws `StorageError.diskFull`,
    /// opening nothing, when the file system holding `path` has less than
    /// `options.minimumFreeBytes` free.
    public init(path: String, options: StorageOptions = StorageOptions()) throws {
        if let shortage = DiskSpace.shortage(at: path, minimum: options.minimumFreeBytes) { throw shortage }
        self.path = path
        self.minimumFreeBytes = options.minimumFreeBytes
        let database = try Database(path: path, options: options)
        var segments: SegmentLog?
        do {
            let segmentDirectory = path + "/" + Self.segmentDirectoryName
            let segmentOptions = SegmentLogOptions(segmentBytes: options.logSegmentBytes)
            try Self.prepareFormat(database, segmentDirectory: segmentDirectory, options: segmentOptions)
            let opened = try SegmentLog(directory: segmentDirectory, options: segmentOptions)
            segments = opened
            let log = try RaftLogStore(database: database, segments: opened)
            let state = try StateStore(database: database, log: log, logsWrites: options.logStateWrites)
            let (snapshot, applied) = (try log.snapshot().metadata, state.appliedIndex())
            if applied < snapshot.index {
                throw StorageError.inconsistentLog(
                    "the state is applied up to \(applied) but the log was compacted up to \(snapshot.index)")
            }
            // Weak: the state store holds the log store, so a strong capture would be a cycle.
            log.guardCompaction { [weak state] index in try state?.makeDurable(through: index) ?? 0 }
            self.database = database
            self.log = log
            self.state = state
            spareMaker = SpareSegmentMaker(segments: opened)
        } catch {
            segments?.close()
            database.close()
            throw error
        }
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

    /// Flushes the state (best effort: what a failed flush loses is re-applied from the log at
    /// the next start), then releases the database and the segment log (after the spare maker
    /// stopped). Idempotent; also done when the object goes away.
    public func close() {
        if database.isOpen { try? state.flush() }
        closeAsIfCrashed()
    }

    /// Closes as a killed process would leave the files: state writes that skipped the WAL and
    /// were not flushed are lost (`StorageOptions.logStateWrites`); everything else stays (the
    /// WAL, synced or not, is replayed at the next open). For simulated crashes.
    public func closeAsIfCrashed() {
        spareMaker.stop()
        log.segments.close()
        database.close()
    }

    deinit { close() }

    public var isOpen: Bool { database.isOpen }
}

/// The thread that keeps the segment log's next file ready and deletes compacted segments: it
/// calls `SegmentLog.prepareSpare()` every `interval` (a 16 MiB segment lasts seconds at full
/// load, and an append that finds no spare makes one itself, so a late check costs one slow
/// append, never a wrong one). Errors are left to the append path, which reports them.
final class SpareSegmentMaker: Sendable {
    static let interval = DispatchTimeInterval.milliseconds(100)
    private let wake = DispatchSemaphore(value: 0)
    private let finished = DispatchSemaphore(value: 0)
    private let stopping = Atomic<Bool>(false)

    /// Starts the thread, which holds the maker until `stop()`.
    init(segments: SegmentLog) {
        let thread = Thread { [self] in
            while !stopping.load(ordering: .acquiring) {
                try? segments.prepareSpare()
                _ = wake.wait(timeout: .now() + Self.interval)
            }
            finished.signal()
        }
        thread.name = "segment-spare"
        thread.start()
    }

    /// Stops the thread and waits until it no longer touches the log. Idempotent.
    func stop() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        wake.signal()
        finished.wait()
    }
}
