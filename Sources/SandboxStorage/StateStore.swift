import Foundation
import Raft

/// The replicated state machine's keys and its applied index, in RocksDB.
///
/// - `apply(_:appliedIndex:)` writes the effects of entries and the new applied index in one
///   atomic write, and refuses an index that is not after the current one: after a crash the
///   node re-applies exactly the entries after `appliedIndex()`, never one twice.
/// - Apply writes are not synced. By default they skip RocksDB's WAL (`StorageOptions.
///   logStateWrites`): they live in the memtable until RocksDB flushes it to an SST file, and a
///   crash loses whatever was not flushed, state at an older applied index which the node
///   re-applies from the log at its next start. `makeDurable()` flushes and moves the
///   *durable* applied index, the one a crash cannot take back; the log's compaction calls it
///   first (`RaftLogStore.compact`), so the log always holds every entry after the stored
///   applied index. The rule that keeps the state whole after a crash: no write to the active
///   family goes to the WAL while that family holds unflushed unlogged writes (replayed on top
///   of an older state it would mix two instants), so a membership change's batch, the one apply
///   write that must be logged (it moves the log's membership with it), comes after a flush.
///   With `logStateWrites` the writes are in the WAL, unsynced, made durable in order by the
///   next synced write (every compaction point is one), and the durable applied index is the
///   applied index.
/// - The keys live in one of two state families; a snapshot installation fills the other one
///   and switches with one atomic write (see `SnapshotInstaller`).
/// - Thread safety: an internal readers-writer lock (the state lock; it is taken before the log
///   store's lock, never after): reads (`get`, `scan`, `makeSnapshot`, `appliedIndex`) run in
///   parallel; writes and the snapshot switch run alone. `Sendable` for the same reasons as
///   `RaftLogStore`.
public final class StateStore: Sendable {
    struct State: Sendable {
        var active: ColumnFamily
        var appliedIndex: UInt64
        /// The applied index a crash cannot take back (flushed, or in the synced WAL).
        var durableAppliedIndex: UInt64
        var installing = false
        /// What the last background flush (`flushInBackground`) threw, until a flush succeeds.
        var flushFailure: StorageError?
        var flushing = false

        var inactive: ColumnFamily { active == .stateA ? .stateB : .stateA }
    }

    /// Largest key accepted (excluding the internal one-byte prefix).
    public static let maxKeyBytes = 64 << 10
    /// Largest value accepted.
    public static let maxValueBytes = 16 << 20
    /// Largest page `scan` returns.
    public static let maxScanLimit = 100_000

    let database: Database
    let log: RaftLogStore
    /// `StorageOptions.logStateWrites`.
    let logsWrites: Bool
    private let state: SharedLocked<State>

    init(database: Database, log: RaftLogStore, logsWrites: Bool) throws {
        self.database = database
        self.log = log
        self.logsWrites = logsWrites
        var active = ColumnFamily.stateA
        if let bytes = try database.get(StorageKeys.activeStateSlot, in: .raftState) {
            switch try RecordCodec.decodeNumber(bytes, name: "active state family") {
            case 0: active = .stateA
            case 1: active = .stateB
            case let other:
                throw StorageError.corruptRecord(name: "active state family", reason: "unknown family \(other)")
            }
        }
        var applied: UInt64 = 0
        if let bytes = try database.get(StorageKeys.appliedIndex, in: active) {
            applied = try RecordCodec.decodeNumber(bytes, name: "applied index")
        }
        // What a store opens with survived: flushed, or replayed from the WAL and flushed again by
        // RocksDB's recovery.
        state = SharedLocked(State(active: active, appliedIndex: applied, durableAppliedIndex: applied))
        // Leftovers of an installation cut short by a crash: the inactive family must be empty.
        let inactive = active == .stateA ? ColumnFamily.stateB : .stateA
        if try !isEmpty(inactive) { try clear(inactive, compact: true) }
    }

    private func isEmpty(_ family: ColumnFamily) throws -> Bool {
        let cursor = try Cursor(database: database, family: family)
        defer { cursor.close() }
        try cursor.seekToFirst()
        var found = false
        try cursor.visit(limit: 1) { _, _ in
            found = true
            return false
        }
        return !found
    }

    /// Deletes everything in a state family (one range tombstone), optionally compacting it so
    /// the space comes back now rather than at RocksDB's next compaction.
    func clear(_ family: ColumnFamily, compact: Bool) throws {
        let batch = WriteBatch(for: database)
        try batch.deleteRange(from: StorageKeys.stateRangeStart, to: StorageKeys.stateRangeEnd, in: family)
        try database.write(batch, durability: .unsynced)
        if compact {
            try database.compactRange(family, from: StorageKeys.stateRangeStart, to: StorageKeys.stateRangeEnd)
        }
    }

    /// Writes the active state family's memtables to SST files and waits for it: after a clean
    /// shutdown that calls it, the next open re-applies no state entry from the log.
    public func flush() throws {
        if logsWrites {
            try state.withReadLock { state in try database.flush(state.active) }
        } else {
            _ = try makeDurable(through: .max)
        }
    }

    /// The index of the last entry whose effects are stored.
    public func appliedIndex() -> UInt64 {
        state.withReadLock { $0.appliedIndex }
    }

    /// The applied index a crash cannot take back: after a crash the store opens at this index
    /// or a later one. Throws what the last background flush threw (`flushInBackground`): a node
    /// whose state cannot be flushed cannot compact its log, and must stop rather than let it grow.
    public func durableAppliedIndex() throws -> UInt64 {
        try state.withReadLock { state in
            if let failure = state.flushFailure { throw failure }
            return logsWrites ? state.appliedIndex : state.durableAppliedIndex
        }
    }

    /// Makes the applied index durable up to `index` (or up to the applied index, if lower) and
    /// returns the durable applied index. Flushes the active family when it is behind, waiting
    /// for the flush (a flush of a full 64 MiB memtable takes a few hundred milliseconds: call it
    /// from a thread that may wait, or use `flushInBackground`). Apply writes go on meanwhile:
    /// the flush covers the writes finished before it, and claims the applied index read then.
    public func makeDurable(through index: UInt64) throws -> UInt64 {
        let (family, applied, durable) = state.withReadLock { ($0.active, $0.appliedIndex, $0.durableAppliedIndex) }
        if logsWrites || durable >= min(index, applied) { return logsWrites ? applied : durable }
        try database.flush(family)
        return state.withWriteLock { state in
            // A snapshot installed meanwhile switched families, and set the durable index itself.
            if state.active == family { state.durableAppliedIndex = max(state.durableAppliedIndex, applied) }
            state.flushFailure = nil
            return state.durableAppliedIndex
        }
    }

    /// Starts `makeDurable` up to the current applied index on a thread of its own, unless one is
    /// under way or nothing is to flush, and returns at once whether it started one: for the
    /// Raft loop, which compacts the log only up to the durable applied index and must not wait
    /// for a flush. A failure is kept and thrown by `durableAppliedIndex()`. `Database.close()`
    /// waits for a flush under way.
    @discardableResult
    public func flushInBackground() -> Bool {
        guard !logsWrites else { return false }
        let start = state.withWriteLock { state in
            guard !state.flushing, state.durableAppliedIndex < state.appliedIndex else { return false }
            state.flushing = true
            return true
        }
        guard start else { return false }
        let thread = Thread { [self] in
            do {
                _ = try makeDurable(through: .max)
            } catch StorageError.closed {
                // The store closed under the flush: its next open has the state it flushed.
            } catch let error as StorageError {
                state.withWriteLock { $0.flushFailure = error }
            } catch {
                state.withWriteLock { $0.flushFailure = .rocksDB(operation: "flush state", message: "\(error)") }
            }
            state.withWriteLock { $0.flushing = false }
        }
        thread.name = "state-flush"
        thread.start()
        return true
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try state.withReadLock { state in
            try database.get(StorageKeys.user(key), in: state.active)
        }
    }

    /// Stores one key outside of any applied entry (the applied index does not move). No log
    /// entry can bring it back after a crash, so it is durable when the call returns (synced:
    /// a flush of the family before it when apply writes skip the WAL).
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        var batch = StateBatch()
        batch.put(key, value)
        try write(batch, appliedIndex: nil, confState: nil, sync: true)
    }

    /// Deletes one key outside of any applied entry (the applied index does not move); durable
    /// when the call returns, as `put`.
    public func delete(_ key: [UInt8]) throws {
        var batch = StateBatch()
        batch.delete(key)
        try write(batch, appliedIndex: nil, confState: nil, sync: true)
    }

    /// Writes the effects of the entries up to `appliedIndex` together with that index; with
    /// `confState`, the membership they produced too. `sync` makes the write durable before the
    /// call returns (not needed for correctness; see the type's documentation); a membership
    /// change's write is always durable when apply writes skip the WAL.
    public func apply(_ batch: StateBatch, appliedIndex: UInt64, confState: ConfState? = nil, sync: Bool = false)
        throws
    {
        try write(batch, appliedIndex: appliedIndex, confState: confState, sync: sync)
    }

    /// The same for changes given as pairs (nil deletes the key), written in the order given:
    /// the state machine's commit hands its writes over in key order this way, with no
    /// ``StateBatch`` made from them (a copy of every key and value reference).
    public func apply(
        changes: [(key: [UInt8], value: [UInt8]?)], appliedIndex: UInt64, confState: ConfState? = nil,
        sync: Bool = false
    ) throws {
        var bytes = 0
        for change in changes { bytes += change.key.count + (change.value?.count ?? 0) }
        try write(
            expectedBytes: bytes + changes.count * FamilyWriter.recordOverheadBytes, appliedIndex: appliedIndex,
            confState: confState, sync: sync
        ) { writer in
            // By position, so each key and value is passed borrowed, not copied out first.
            for i in changes.indices { try Self.add(key: changes[i].key, value: changes[i].value, to: &writer) }
        }
    }

    private func write(_ changes: StateBatch, appliedIndex: UInt64?, confState: ConfState?, sync: Bool) throws {
        try write(
            expectedBytes: changes.byteCount + changes.operations.count * FamilyWriter.recordOverheadBytes,
            appliedIndex: appliedIndex, confState: confState, sync: sync
        ) { writer in
            for operation in changes.operations {
                switch operation {
                case .put(let key, let value): try Self.add(key: key, value: value, to: &writer)
                case .delete(let key): try Self.add(key: key, value: nil, to: &writer)
                }
            }
        }
    }

    /// One change in the state's family (nil deletes the key), its sizes checked.
    private static func add(key: [UInt8], value: [UInt8]?, to writer: inout FamilyWriter) throws {
        if let value {
            try checkSize(key: key, value: value)
            key.withUnsafeBytes { key in
                value.withUnsafeBytes { writer.put(prefix: StorageKeys.userPrefix, key: key, value: $0) }
            }
        } else {
            try checkSize(key: key, value: [])
            key.withUnsafeBytes { writer.delete(prefix: StorageKeys.userPrefix, key: $0) }
        }
    }

    /// Writes what `fill` adds to the state's active family, with the applied index (see
    /// ``apply(_:appliedIndex:confState:sync:)``).
    private func write(
        expectedBytes: Int, appliedIndex: UInt64?, confState: ConfState?, sync: Bool,
        _ fill: (inout FamilyWriter) throws -> Void
    ) throws {
        // A write that must be logged flushes the unlogged writes before it. Most of that flush
        // runs here, before the state lock, so readers (the Raft loop's `durableAppliedIndex()`
        // and `flushInBackground()`) do not wait for a whole memtable's flush: under the lock
        // only what was written since is flushed again, usually nothing.
        if !logsWrites, sync || confState != nil { _ = try makeDurable(through: .max) }
        try state.withWriteLock { state in
            if let appliedIndex { try RaftLogStorageRules.checkApplied(appliedIndex, current: state.appliedIndex) }
            let batch = WriteBatch(for: database)
            try batch.withFamily(state.active, expectedBytes: expectedBytes, fill)
            if let appliedIndex {
                try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: appliedIndex), in: state.active)
            }
            // Unlogged unless the write must be in the WAL: then after a flush of every unlogged
            // write before it, and synced (see the type's documentation).
            let durability: Database.Durability
            if logsWrites {
                durability = sync ? .synced : .unsynced
            } else if sync || confState != nil {
                try database.flush(state.active)
                state.durableAppliedIndex = state.appliedIndex
                state.flushFailure = nil
                durability = .synced
            } else {
                durability = .unlogged
            }
            if let confState {
                try log.withConfState(confState) { addToBatch in
                    try addToBatch(batch)
                    try database.write(batch, durability: durability)
                }
            } else {
                try database.write(batch, durability: durability)
            }
            if let appliedIndex { state.appliedIndex = appliedIndex }
            if durability == .synced { state.durableAppliedIndex = state.appliedIndex }
        }
    }

    static func checkSize(key: some Collection<UInt8>, value: some Collection<UInt8>) throws {
        guard key.count <= maxKeyBytes else {
            throw StorageError.tooLarge(what: "key", size: key.count, limit: maxKeyBytes)
        }
        guard value.count <= maxValueBytes else {
            throw StorageError.tooLarge(what: "value", size: value.count, limit: maxValueBytes)
        }
    }

    /// Up to `limit` keys starting with `prefix`, in key order, strictly after `startAfter` when
    /// given (pass the last key of the previous page to continue).
    public func scan(prefix: [UInt8], startingAfter startAfter: [UInt8]? = nil, limit: Int) throws -> [StateEntry] {
        guard limit > 0 else { return [] }
        guard limit <= Self.maxScanLimit else {
            throw StorageError.tooLarge(what: "scan page", size: limit, limit: Self.maxScanLimit)
        }
        return try state.withReadLock { state in
            let lower = StorageKeys.user(prefix)
            let upper = StorageKeys.upperBound(ofPrefix: prefix).map(StorageKeys.user) ?? StorageKeys.userRangeEnd
            let cursor = try Cursor(database: database, family: state.active, lowerBound: lower, upperBound: upper)
            defer { cursor.close() }
            if let startAfter {
                // The first key after `startAfter` is `startAfter + [0]`.
                let next = StorageKeys.user(startAfter) + [0]
                try cursor.seek(to: next.lexicographicallyPrecedes(lower) ? lower : next)
            } else {
                try cursor.seek(to: lower)
            }
            var result: [StateEntry] = []
            result.reserveCapacity(min(limit, 1024))
            try cursor.visit(limit: limit) { key, value in
                result.append(StateEntry(key: [UInt8](key.dropFirst()), value: [UInt8](value)))
                return true
            }
            return result
        }
    }

    // MARK: snapshots

    /// A point-in-time snapshot of the state at the applied index, read as chunks of at most
    /// `maxChunkBytes` of records (before compression; a single larger record gets a chunk of
    /// its own). The state may change meanwhile; the reader keeps seeing this instant.
    public func makeSnapshot(maxChunkBytes: Int = SnapshotChunk.defaultMaxBytes) throws -> SnapshotReader {
        guard maxChunkBytes > 0, maxChunkBytes <= SnapshotChunk.maxUncompressedBytes / 2 else {
            throw StorageError.tooLarge(
                what: "snapshot chunk size", size: maxChunkBytes, limit: SnapshotChunk.maxUncompressedBytes / 2)
        }
        return try state.withReadLock { state in
            var attempts = 0
            var (view, metadata) = (try ReadView(database: database), SnapshotMetadata())
            while true {
                do {
                    metadata = try snapshotMetadata(in: view, active: state.active)
                    break
                } catch RaftStorageError.compacted where attempts < Self.snapshotViewAttempts {
                    attempts += 1
                    view = try ReadView(database: database)
                }
            }
            let cursor = try Cursor(
                database: database, family: state.active, lowerBound: StorageKeys.userRangeStart,
                upperBound: StorageKeys.userRangeEnd, view: view)
            return SnapshotReader(metadata: metadata, cursor: cursor, maxChunkBytes: maxChunkBytes)
        }
    }

    /// Views taken for one snapshot when compactions keep passing the applied index (each
    /// needs a compaction between two reads a moment apart).
    static let snapshotViewAttempts = 3

    /// Index, term and membership of the state as `view` sees it.
    private func snapshotMetadata(in view: ReadView, active: ColumnFamily) throws -> SnapshotMetadata {
        var applied: UInt64 = 0
        if let bytes = try view.get(StorageKeys.appliedIndex, in: active) {
            applied = try RecordCodec.decodeNumber(bytes, name: "applied index")
        }
        var conf = ConfState()
        if let bytes = try view.get(StorageKeys.confState, in: .raftState) {
            conf = try RecordCodec.decodeConfState(bytes)
        }
        var logSnapshot = SnapshotMetadata()
        if let bytes = try view.get(StorageKeys.snapshot, in: .raftState) {
            logSnapshot = try RecordCodec.decodeSnapshotMetadata(bytes)
        }
        // The applied entry is committed (its term never changes) and in the log unless a
        // compaction since the view passed it: `makeSnapshot` then takes a newer view.
        let term = applied == logSnapshot.index ? logSnapshot.term : try log.term(at: applied)
        return SnapshotMetadata(index: applied, term: term, conf: conf)
    }

    /// Starts installing a snapshot received from the leader into the inactive state family.
    /// Nothing is visible until `SnapshotInstaller.finish()`; a crash before that leaves the
    /// current state, and the leftovers are cleared when the store opens.
    public func beginInstall(_ metadata: SnapshotMetadata) throws -> SnapshotInstaller {
        let target = try state.withWriteLock { state in
            guard !state.installing else { throw StorageError.installInProgress }
            try RaftLogStorageRules.checkStateInstallation(metadata, applied: state.appliedIndex)
            state.installing = true
            return state.inactive
        }
        do {
            try clear(target, compact: false)
        } catch {
            endInstall()
            throw error
        }
        return SnapshotInstaller(store: self, metadata: metadata, target: target)
    }

    func endInstall() {
        state.withWriteLock { $0.installing = false }
    }

    /// The switch: one synced write makes `target` the active family with the snapshot's
    /// applied index, clears the old family, and replaces the log with the snapshot position.
    func commitInstall(_ metadata: SnapshotMetadata, into target: ColumnFamily) throws {
        let previous = try state.withWriteLock { state in
            let previous = state.active
            try log.installSnapshot(metadata) { batch in
                try batch.put(
                    StorageKeys.activeStateSlot, RecordCodec.encode(number: target == .stateA ? 0 : 1), in: .raftState)
                try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: metadata.index), in: target)
                try batch.deleteRange(
                    from: StorageKeys.stateRangeStart, to: StorageKeys.stateRangeEnd, in: previous)
            }
            state.active = target
            state.appliedIndex = metadata.index
            // The chunks were flushed before this synced switch.
            state.durableAppliedIndex = metadata.index
            state.installing = false
            return previous
        }
        reclaimInBackground(previous)
    }

    /// Reclaims the old state's space (already invisible behind its range tombstone) on a thread
    /// of its own: compacting a large state takes seconds, and the caller is the node's loop
    /// thread, which must keep answering its peers. Best effort: the switch is durable, so a
    /// failure here changes nothing (the next install or RocksDB's own compactions reclaim the
    /// space). A later install into the same family is safe meanwhile (its writes are newer than
    /// the tombstone), and `Database.close()` waits for a compaction under way (it holds the
    /// database's lock for reading; after the close it fails at once and is ignored).
    private func reclaimInBackground(_ family: ColumnFamily) {
        let thread = Thread { [database] in
            try? database.compactRange(family, from: StorageKeys.stateRangeStart, to: StorageKeys.stateRangeEnd)
        }
        thread.name = "state-reclaim"
        thread.start()
    }

    /// The state part of `NodeStorage.bootstrap`: applied index 1, the log at the bootstrap
    /// snapshot, in one synced write.
    func bootstrap(_ metadata: SnapshotMetadata, hardState: HardState) throws {
        try state.withWriteLock { state in
            guard state.appliedIndex == 0, !state.installing else {
                throw StorageError.alreadyInitialized("the state is applied up to \(state.appliedIndex)")
            }
            try log.bootstrap(metadata, hardState: hardState) { batch in
                try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: metadata.index), in: state.active)
            }
            state.appliedIndex = metadata.index
            state.durableAppliedIndex = metadata.index
        }
    }

    /// Which family holds the state (for tests).
    func activeFamily() -> ColumnFamily { state.withReadLock { $0.active } }
}

/// One key of the state machine and its value.
public struct StateEntry: Sendable, Hashable {
    public var key: [UInt8]
    public var value: [UInt8]

    public init(key: [UInt8], value: [UInt8]) {
        self.key = key
        self.value = value
    }
}
