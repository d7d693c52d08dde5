import Raft

/// The Raft log, hard state and membership of one node: implements `RaftLogStorage`.
///
/// - Layout (format 2, docs/storage.md): entries and the hard state in a `SegmentLog`
///   (preallocated segment files in `<database>/raft-log/`: one positional write and one
///   `fdatasync` per write); membership and the snapshot metadata (the compaction point) in
///   RocksDB's `raft_state`, where the state machine's batches and a snapshot installation's
///   switch record them together with the state.
/// - Durability: `append`, `setHardState`, `setConfState`, `applySnapshot` and `compact` are
///   synced before they return. Appending many entries in one call, or entries together with the
///   hard state (`append(_:hardState:)`), costs one sync: that is the group commit.
/// - The two parts agree by order: a new compaction point (compaction, snapshot installation,
///   bootstrap) is written to RocksDB first, synced, then to the segment log; opening brings
///   the segment log to RocksDB's point when a crash came between (`reconcile`). Before a
///   compaction the state store makes its applied index durable up to the new point
///   (`StateStore.makeDurable`: a flush of the state when its writes skip the WAL; otherwise
///   the compaction's own synced write, which makes every earlier unsynced state write durable,
///   RocksDB's WAL being one ordered file), so the state's stored applied index never falls
///   below a compaction point.
/// - Integrity: every record carries a CRC-32C, checked when the store opens (which replays the
///   whole log) and on every read. Once corruption is seen, every call throws it: the node
///   refuses to serve from a corrupt log.
/// - Hot metadata (the compaction point, membership, the newest entries) lives in memory and
///   is updated only after the write that it mirrors succeeded.
/// - Thread safety: every method runs under one internal lock (then the segment log's own), so
///   calls are serialised. The class is `Sendable`; synced writes block the calling thread, so
///   call it from a dedicated thread, not from an event loop or the cooperative pool.
public final class RaftLogStore: RaftLogStorage, Sendable {
    struct State: Sendable {
        var confState = ConfState()
        var snapshot = SnapshotMetadata()
        /// The newest entries as appended, so recent reads skip the files (`RecentEntries`).
        var recent = RecentEntries()
        /// Set when corruption was found; every later call throws it.
        var corruption: StorageError?

        var firstIndex: UInt64 { snapshot.index + 1 }

        func checkHealthy() throws {
            if let corruption { throw corruption }
        }
    }

    let database: Database
    let segments: SegmentLog
    private let state: Locked<State>
    /// Makes the state machine's applied index durable up to an index and returns the durable
    /// applied index, called before compacting (set by `NodeStorage`).
    private let appliedIndexSource = Locked<(@Sendable (UInt64) throws -> UInt64)?>(nil)

    /// Loads the metadata from RocksDB and brings the segment log (opened and verified by the
    /// caller) to its compaction point.
    init(database: Database, segments: SegmentLog) throws {
        self.database = database
        self.segments = segments
        state = Locked(try Self.load(from: database, segments: segments))
    }

    func guardCompaction(with appliedIndex: @escaping @Sendable (UInt64) throws -> UInt64) {
        appliedIndexSource.withLock { $0 = appliedIndex }
    }

    private static func load(from database: Database, segments: SegmentLog) throws -> State {
        var state = State()
        if let bytes = try database.get(StorageKeys.confState, in: .raftState) {
            state.confState = try RecordCodec.decodeConfState(bytes)
        }
        state.snapshot = try NodeStorage.storedSnapshot(database)
        try reconcile(segments, with: state.snapshot)
        return state
    }

    /// Finishes what a crash interrupted between the RocksDB write of a compaction point and the
    /// segment log's: a compaction (the log holds the point's entry: compact up to it) or a
    /// snapshot installation or bootstrap (it does not: restart the log empty after it, its
    /// hard state's term at least the snapshot's, as a node that learns of a term does).
    static func reconcile(_ segments: SegmentLog, with snapshot: SnapshotMetadata) throws {
        let point = try segments.compactionPoint()
        if point.index == snapshot.index {
            guard point.term == snapshot.term else {
                throw StorageError.inconsistentLog(
                    "the log's compaction point \(point.index) has term \(point.term), the snapshot metadata says \(snapshot.term)"
                )
            }
            return
        }
        guard point.index < snapshot.index else {
            throw StorageError.inconsistentLog(
                "the log is compacted up to \(point.index), beyond the snapshot metadata's \(snapshot.index)")
        }
        if snapshot.index <= (try segments.lastIndex()), try segments.term(at: snapshot.index) == snapshot.term {
            try segments.compact(upTo: snapshot.index)
            return
        }
        var hardState = try segments.hardState()
        if hardState.term < snapshot.term {
            hardState = HardState(term: snapshot.term, vote: 0, commit: hardState.commit)
        }
        try segments.reset(toIndex: snapshot.index, term: snapshot.term, hardState: hardState)
    }

    private static func isCorruption(_ error: Error) -> Bool {
        switch error as? StorageError {
        case .corruptEntry, .corruptRecord, .inconsistentLog: return true
        default: return false
        }
    }

    /// Runs `body` under the lock, refusing to if corruption was seen, and latching corruption
    /// that `body` finds.
    private func withHealthyState<Result>(_ body: (inout State) throws -> Result) throws -> Result {
        try state.withLock { state in
            try state.checkHealthy()
            do {
                return try body(&state)
            } catch {
                if Self.isCorruption(error) { state.corruption = error as? StorageError }
                throw error
            }
        }
    }

    // MARK: read side

    public func initialState() throws -> (HardState, ConfState) {
        try withHealthyState { (try segments.hardState(), $0.confState) }
    }

    public func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        try withHealthyState { state in
            guard low >= state.firstIndex else { throw RaftStorageError.compacted }
            guard high <= (try segments.lastIndex()) + 1, low <= high else { throw RaftStorageError.unavailable }
            guard low < high else { return [] }
            if let kept = state.recent.entries(from: low, to: high, maxBytes: maxBytes) { return kept }
            return try segments.entries(from: low, to: high, maxBytes: maxBytes)
        }
    }

    public func term(at index: UInt64) throws -> UInt64 {
        try withHealthyState { state in
            if index == state.snapshot.index { return state.snapshot.term }
            guard index > state.snapshot.index else { throw RaftStorageError.compacted }
            return try segments.term(at: index)
        }
    }

    public func firstIndex() throws -> UInt64 {
        try withHealthyState { $0.firstIndex }
    }

    public func lastIndex() throws -> UInt64 {
        try withHealthyState { _ in try segments.lastIndex() }
    }

    /// The metadata of the last compaction point or installed snapshot; `data` is empty because
    /// the state travels as chunks (see `StateStore.makeSnapshot`).
    public func snapshot() throws -> Snapshot {
        try withHealthyState { Snapshot(metadata: $0.snapshot) }
    }

    /// The hard state, membership and log bounds, read together.
    public func status() throws -> LogStatus {
        try withHealthyState {
            LogStatus(
                hardState: try segments.hardState(), confState: $0.confState, snapshot: $0.snapshot,
                firstIndex: $0.firstIndex, lastIndex: try segments.lastIndex())
        }
    }

    // MARK: write side

    public func append(_ entries: [Entry]) throws {
        try append(entries, hardState: nil)
    }

    /// Appends entries and persists the hard state with one synced write (group commit).
    /// Entries at or before the compaction point are skipped; a conflicting suffix is truncated.
    /// The contract's checks (`RaftLogStorageRules`) come first: a refusal writes nothing.
    public func append(_ entries: [Entry], hardState: HardState?) throws {
        try withHealthyState { state in
            let firstIndex = state.firstIndex
            try segments.append(entries, hardState: hardState)
            state.recent.appended(entries.drop { $0.index < firstIndex })
        }
    }

    public func setHardState(_ hardState: HardState) throws {
        try append([], hardState: hardState)
    }

    public func setConfState(_ conf: ConfState) throws {
        try withHealthyState { state in
            let batch = WriteBatch(for: database)
            try batch.put(StorageKeys.confState, RecordCodec.encode(conf), in: .raftState)
            try database.write(batch, durability: .synced)
            state.confState = conf
        }
    }

    /// Replaces the log with the snapshot's position: every entry is discarded, the first index
    /// becomes `snapshot.index + 1`, the membership the snapshot's, and the commit index at least
    /// the snapshot's index. A snapshot equal to the stored one is a no-op (the state store's
    /// installation has recorded it already); an older one is refused, and so is one beyond the
    /// state machine's applied index: the state must be installed first, by `SnapshotInstaller`,
    /// whose commit moves the log too.
    public func applySnapshot(_ snapshot: Snapshot) throws {
        let applied = try durableAppliedIndex(through: snapshot.metadata.index)
        try withHealthyState { state in
            guard
                try RaftLogStorageRules.mustApplySnapshot(snapshot.metadata, current: state.snapshot, applied: applied)
            else { return }
            try replaceLog(with: snapshot.metadata, in: &state, hardState: nil) { _ in }
        }
    }

    /// The state machine's durable applied index, made at least `index` if the state is applied
    /// that far (before taking the log lock: the state lock comes first); without a state store,
    /// no entry counts as unapplied.
    private func durableAppliedIndex(through index: UInt64) throws -> UInt64 {
        guard let source = appliedIndexSource.withLock({ $0 }) else { return .max }
        return try source(index)
    }

    /// The installation's commit: the log part of the switch. The snapshot metadata goes in one
    /// synced RocksDB batch with whatever `addToBatch` adds (the state family switch), then the
    /// segment log restarts after it.
    func installSnapshot(_ metadata: SnapshotMetadata, addToBatch: (WriteBatch) throws -> Void) throws {
        try RaftLogStorageRules.checkIndex(metadata.index)
        try withHealthyState { state in
            guard metadata.index >= state.snapshot.index else {
                throw RaftStorageError.snapshotOutOfDate(current: state.snapshot.index, offered: metadata.index)
            }
            try replaceLog(with: metadata, in: &state, hardState: nil, addToBatch: addToBatch)
        }
    }

    /// The log part of `NodeStorage.bootstrap`: only on a log that was never written.
    func bootstrap(_ metadata: SnapshotMetadata, hardState: HardState, addToBatch: (WriteBatch) throws -> Void) throws {
        try withHealthyState { state in
            let (lastIndex, stored) = (try segments.lastIndex(), try segments.hardState())
            guard lastIndex == 0, state.snapshot.index == 0, stored == HardState() else {
                throw StorageError.alreadyInitialized("the log ends at \(lastIndex) and the hard state is \(stored)")
            }
            try replaceLog(with: metadata, in: &state, hardState: hardState, addToBatch: addToBatch)
        }
    }

    /// RocksDB first (the snapshot metadata, membership and `addToBatch`'s part, synced), then
    /// the segment log restarts after the snapshot with `hardState` (or the stored one), the
    /// commit index at least the snapshot's: a snapshot holds committed entries only (as in
    /// Raft's MemoryLogStorage), which keeps `applied <= commit` after installing. A crash
    /// between the two is finished at open (`reconcile`).
    private func replaceLog(
        with metadata: SnapshotMetadata, in state: inout State, hardState: HardState?,
        addToBatch: (WriteBatch) throws -> Void
    ) throws {
        let batch = WriteBatch(for: database)
        try batch.put(StorageKeys.snapshot, RecordCodec.encode(metadata), in: .raftState)
        try batch.put(StorageKeys.confState, RecordCodec.encode(metadata.conf), in: .raftState)
        try addToBatch(batch)
        try database.write(batch, durability: .synced)
        state.snapshot = metadata
        state.confState = metadata.conf
        state.recent.removeAll()
        try segments.reset(toIndex: metadata.index, term: metadata.term, hardState: hardState)
    }

    /// Discards entries up to and including `index`, which the state machine must have applied.
    /// The state's applied index is made durable up to `index` first (a flush of the state, if
    /// its writes skip the WAL and it is behind), then the new compaction point's synced RocksDB
    /// write (which makes logged, unsynced state writes durable too), so the stored applied index
    /// is at least `index` before any entry up to it is gone.
    public func compact(upTo index: UInt64) throws {
        let applied = try durableAppliedIndex(through: index)
        try withHealthyState { state in
            try RaftLogStorageRules.checkCompaction(
                upTo: index, snapshotIndex: state.snapshot.index, lastIndex: try segments.lastIndex(), applied: applied)
            let metadata = SnapshotMetadata(index: index, term: try segments.term(at: index), conf: state.confState)
            let batch = WriteBatch(for: database)
            try batch.put(StorageKeys.snapshot, RecordCodec.encode(metadata), in: .raftState)
            try database.write(batch, durability: .synced)
            state.snapshot = metadata
            state.recent.discard(through: index)
            try segments.compact(upTo: index)
        }
    }

    /// Adds the membership to a state batch (applied with its configuration change entry) and
    /// records it in memory once `write` succeeded.
    func withConfState(_ conf: ConfState?, write: (_ addToBatch: (WriteBatch) throws -> Void) throws -> Void) throws {
        try withHealthyState { state in
            try write { batch in
                if let conf { try batch.put(StorageKeys.confState, RecordCodec.encode(conf), in: .raftState) }
            }
            if let conf { state.confState = conf }
        }
    }
}

/// The log store's metadata, read at one instant.
public struct LogStatus: Sendable, Hashable {
    public var hardState: HardState
    public var confState: ConfState
    public var snapshot: SnapshotMetadata
    public var firstIndex: UInt64
    public var lastIndex: UInt64
}
