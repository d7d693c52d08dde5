import Foundation
import Raft

/// The replicated state machine's keys and its applied index, in RocksDB.
///
/// - `apply(_:appliedIndex:)` writes the effects of entries and the new applied index in one
///   atomic write, and refuses an index that is not after the current one: after a crash the
///   node re-applies exactly the entries after `appliedIndex()`, never one twice.
/// - Apply writes are not synced by default: they are in the WAL, which the next synced write
///   (every log append is one) makes durable in order, and whatever a crash loses of them is
///   re-applied from the log, which still holds those entries (compaction, itself synced, can
///   only discard applied entries).
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
        var installing = false

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
    private let state: SharedLocked<State>

    init(database: Database, log: RaftLogStore) throws {
        self.database = database
        self.log = log
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
        state = SharedLocked(State(active: active, appliedIndex: applied))
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
    /// shutdown that calls it, the next open has no state writes to replay from the WAL.
    public func flush() throws {
        try state.withReadLock { state in try database.flush(state.active) }
    }

    /// The index of the last entry whose effects are stored.
    public func appliedIndex() -> UInt64 {
        state.withReadLock { $0.appliedIndex }
    }

    public func get(_ key: [UInt8]) throws -> [UInt8]? {
        try state.withReadLock { state in
            try database.get(StorageKeys.user(key), in: state.active)
        }
    }

    /// Stores one key outside of any applied entry (the applied index does not move).
    public func put(_ key: [UInt8], _ value: [UInt8]) throws {
        var batch = StateBatch()
        batch.put(key, value)
        try write(batch, appliedIndex: nil, confState: nil, sync: false)
    }

    /// Deletes one key outside of any applied entry (the applied index does not move).
    public func delete(_ key: [UInt8]) throws {
        var batch = StateBatch()
        batch.delete(key)
        try write(batch, appliedIndex: nil, confState: nil, sync: false)
    }

    /// Writes the effects of the entries up to `appliedIndex` together with that index; with
    /// `confState`, the membership they produced too. `sync` forces a WAL sync (not needed for
    /// correctness; see the type's documentation).
    public func apply(_ batch: StateBatch, appliedIndex: UInt64, confState: ConfState? = nil, sync: Bool = false)
        throws
    {
        try write(batch, appliedIndex: appliedIndex, confState: confState, sync: sync)
    }

    private func write(_ changes: StateBatch, appliedIndex: UInt64?, confState: ConfState?, sync: Bool) throws {
        try state.withWriteLock { state in
            if let appliedIndex { try RaftLogStorageRules.checkApplied(appliedIndex, current: state.appliedIndex) }
            let batch = WriteBatch(for: database)
            let expectedBytes = changes.byteCount + changes.operations.count * FamilyWriter.recordOverheadBytes
            try batch.withFamily(state.active, expectedBytes: expectedBytes) { writer in
                for operation in changes.operations {
                    switch operation {
                    case .put(let key, let value):
                        try Self.checkSize(key: key, value: value)
                        key.withUnsafeBytes { key in
                            value.withUnsafeBytes { writer.put(prefix: StorageKeys.userPrefix, key: key, value: $0) }
                        }
                    case .delete(let key):
                        try Self.checkSize(key: key, value: [])
                        key.withUnsafeBytes { writer.delete(prefix: StorageKeys.userPrefix, key: $0) }
                    }
                }
            }
            if let appliedIndex {
                try batch.put(StorageKeys.appliedIndex, RecordCodec.encode(number: appliedIndex), in: state.active)
            }
            if let confState {
                try log.withConfState(confState) { addToBatch in
                    try addToBatch(batch)
                    try database.write(batch, durability: sync ? .synced : .unsynced)
                }
            } else {
                try database.write(batch, durability: sync ? .synced : .unsynced)
            }
            if let appliedIndex { state.appliedIndex = appliedIndex }
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
