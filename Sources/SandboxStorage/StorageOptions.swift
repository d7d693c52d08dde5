/// Tuning knobs of a node's database. The defaults are the documented production choice
/// (docs/storage.md, "Options"); tests shrink the memory figures.
public struct StorageOptions: Sendable, Hashable {
    /// Memtable size of the raft log family, which holds a format 1 database's log until it is
    /// migrated (the log is in the segment files since format 2).
    public var logWriteBufferBytes: Int = 4 << 20
    /// Size of each segment file of the Raft log (`SegmentLog`), made zero-filled ahead of need.
    public var logSegmentBytes: Int = 16 << 20
    /// Memtable size of each state family.
    public var stateWriteBufferBytes: Int = 64 << 20
    /// Length of the key prefix (the internal prefix byte, the table's letter, `/` and the
    /// key's first byte after it) by which a state family's memtable keeps an insertion point per
    /// prefix (`memtable_insert_with_hint_prefix_extractor`). An insert then starts from the last
    /// one of its prefix and repairs that search path from the bottom up, which costs the log of
    /// the distance between the two instead of a search from the top: apply writes each table's
    /// keys close to the previous ones (audit records and the time index in order, an agent's
    /// keys together), and the fourth byte gives each of the keys every batch rewrites
    /// (`m/audit`, `m/clock`, `m/digest`, `m/idem`) a point of its own, right at its previous
    /// version (with 3 they shared one and each searched across the others' versions: about
    /// 42,000 instructions per batch, bench/README.md "State machine"). 0: RocksDB's single
    /// insertion point, which is searched afresh from the top whenever the key does not land
    /// right after the previous one.
    public var stateInsertHintPrefixBytes: Int = 4
    /// Whether the writers RocksDB joins into one write group (the apply thread's unsynced state
    /// batch queued behind the Raft loop's synced log append) insert into the memtables each on
    /// its own thread at once (`allow_concurrent_memtable_write`, RocksDB's default), or the
    /// group's leader inserts every batch in turn. The concurrent path ignores the insertion
    /// points of `stateInsertHintPrefixBytes` (RocksDB's `MemTable::Add` uses them only when
    /// inserting alone); a writer alone in its group inserts serially either way.
    public var concurrentMemtableWrites: Bool = true
    /// Whether an unsynced write (the state machine's batch) keeps one insertion point per
    /// memtable across its keys when it inserts concurrently
    /// (`WriteOptions::memtable_insert_hint_per_batch`): the batch's keys are sorted, so each
    /// starts from the previous one. RocksDB ignores it on the serial path.
    public var stateInsertHintPerBatch: Bool = false
    /// Whether the state machine's writes go to RocksDB's WAL. Off (the default), they go to the
    /// memtable only, as etcd's backend keeps its writes in memory between commits: the Raft log
    /// is the durable record, so a crash loses only state that is re-applied from the log at the
    /// next start. The state is made durable by flushing its family (`StateStore.makeDurable`),
    /// which a log compaction does first, so the stored applied index never falls below a
    /// compaction point; a membership change's batch is written after such a flush, logged and
    /// synced. On: every batch in the WAL, unsynced, made durable by the next synced write (the
    /// layout before; 4-5 µs more CPU per decide, mostly the kernel copying WAL bytes).
    public var logStateWrites: Bool = false
    /// Memtables per family before writes stall (one being written, one being flushed).
    public var maxWriteBuffersPerFamily: Int = 2
    /// Cap on the memtables of all families together.
    public var totalWriteBufferBytes: Int = 256 << 20
    /// WAL size that forces the families holding the oldest WAL to flush, so a rarely written
    /// family (raft_state) never pins gigabytes of WAL.
    public var maxTotalWALBytes: Int = 256 << 20
    /// RocksDB starts the write-back of its WAL each time this many bytes were appended to it
    /// (`wal_bytes_per_sync`: `sync_file_range` without waiting, from the writing thread), so
    /// the state machine's unsynced batches reach the disk as they come. A synced RocksDB write
    /// (the log's compaction point, on the Raft loop) syncs the WAL, and with it every byte of
    /// those batches still in the page cache: left to the kernel's periodic write-back, 5 s of
    /// them, which held every node's Raft loop 20-40 ms at each compaction (bench/README.md,
    /// "Bursts of slow decisions"). 0: off.
    public var walBytesPerSync: UInt64 = 512 << 10
    /// Shared LRU block cache.
    public var blockCacheBytes: Int = 64 << 20
    /// Flush and compaction threads.
    public var backgroundJobs: Int = 2
    /// Space reserved ahead for the MANIFEST file (RocksDB's default; the simulator, which opens
    /// many small databases on a tmpfs, uses less).
    public var manifestPreallocationBytes: Int = 4 << 20
    /// RocksDB's informational LOG files: rolled at this size, and this many kept.
    public var infoLogFileBytes: Int = 8 << 20
    public var infoLogFilesKept: Int = 4
    /// Free space the database's file system must have: below it the database is not opened
    /// (`StorageError.diskFull`) and a running node stops (see `DiskSpace`). 0 turns the check
    /// off.
    public var minimumFreeBytes: UInt64 = 64 << 20

    public init() {}

    /// Small memtables and cache, for tests and tools that open many databases.
    public static var small: StorageOptions {
        var options = StorageOptions()
        options.logWriteBufferBytes = 4 << 20
        options.logSegmentBytes = 1 << 20
        options.stateWriteBufferBytes = 8 << 20
        options.totalWriteBufferBytes = 32 << 20
        options.maxTotalWALBytes = 64 << 20
        options.blockCacheBytes = 8 << 20
        return options
    }
}
