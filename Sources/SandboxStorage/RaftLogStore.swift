import Raft

/// The Raft log, hard state and membership of one node, in RocksDB: implements `RaftLogStorage`.
///
/// - Durability: `append`, `setHardState`, `setConfState`, `applySnapshot` and `compact` each
///   write one RocksDB write batch, synced (WAL fdatasync) before they return. Appending many
///   entries in one call, or entries together with the hard state (`append(_:hardState:)`), costs
///   one sync: that is the group commit.
/// - Integrity: every entry carries a CRC-32C, checked on every read and for the whole log when
///   the store opens (which also checks that the log is contiguous). Once a corrupt entry is
///   seen, every call throws that error: the node refuses to serve from a corrupt log.
/// - Hot metadata (first and last index, the term of every entry as runs, hard state,
///   membership, snapshot metadata) lives in memory and is updated only after the write that
///   it mirrors succeeded.
/// - Thread safety: every method runs under one internal lock, so calls are serialised and the
///   in-memory metadata always matches the disk. The class is `Sendable` (its stored properties
///   are immutable references to thread-safe objects); synced writes block the calling thread,
///   so call it from a dedicated thread, not from an event loop or the cooperative pool.
public final class RaftLogStore: RaftLogStorage, Sendable {
    struct State: Sendable {
        var hardState = HardState()
        var confState = ConfState()
        var snapshot = SnapshotMetadata()
        var lastIndex: UInt64 = 0
        var terms = TermIndex()
        /// The newest entries as appended, so recent reads skip RocksDB (`RecentEntries`).
        var recent = RecentEntries()
        /// Set when corruption was found; every later call throws it.
        var corruption: StorageError?

        var firstIndex: UInt64 { snapshot.index + 1 }

        func checkHealthy() throws {
            if let corruption { throw corruption }
        }
    }

    let database: Database
    private let state: Locked<State>
    /// The state machine's applied index, read before compacting (set by `NodeStorage`).
    private let appliedIndexSource = Locked<(@Sendable () -> UInt64)?>(nil)

    /// Loads the metadata and verifies every entry of the log (checksums and contiguity).
    init(database: Database) throws {
        self.database = database
        state = Locked(try Self.load(from: database))
    }

    func guardCompaction(with appliedIndex: @escaping @Sendable () -> UInt64) {
        appliedIndexSource.withLock { $0 = appliedIndex }
    }

    private static func load(from database: Database) throws -> State {
        var state = State()
        if let bytes = try database.get(StorageKeys.hardState, in: .raftState) {
            state.hardState = try RecordCodec.decodeHardState(bytes)
        }
        if let bytes = try database.get(StorageKeys.confState, in: .raftState) {
            state.confState = try RecordCodec.decodeConfState(bytes)
        }
        if let bytes = try database.get(StorageKeys.snapshot, in: .raftState) {
            state.snapshot = try RecordCodec.decodeSnapshotMetadata(bytes)
            guard state.snapshot.index <= maxIndex else {
                throw StorageError.corruptRecord(
                    name: "snapshot metadata", reason: "index \(state.snapshot.index) exceeds \(maxIndex)")
            }
        }
        let cursor = try Cursor(database: database, family: .raftLog)
        defer { cursor.close() }
        try cursor.seekToFirst()
        var expected = state.firstIndex
        var terms = TermIndex()
        var more = true
        do {
            while more {
                more = try cursor.visit(limit: 4096) { key, value in
                    let index = try checkPosition(key, expected: expected)
                    let term = try RecordCodec.verifyEntry(value, at: index)
                    if let previous = terms.term(at: index &- 1), term < previous {
                        throw StorageError.corruptEntry(
                            index: index, reason: "term \(term) is lower than the previous entry's term \(previous)")
                    }
                    terms.append(index: index, term: term)
                    expected += 1
                    return true
                }
            }
        } catch let error as StorageError {
            throw unreadable(error, at: expected)
        }
        state.terms = terms
        state.lastIndex = expected - 1
        if state.hardState.commit > state.lastIndex {
            throw StorageError.inconsistentLog(
                "hard state commit \(state.hardState.commit) is beyond the last entry \(state.lastIndex)")
        }
        return state
    }

    /// The index stored in `key`, which must be `expected`.
    private static func checkPosition(_ key: UnsafeRawBufferPointer, expected: UInt64) throws -> UInt64 {
        guard let index = StorageKeys.logIndex(key) else {
            throw StorageError.inconsistentLog("a raft_log key of \(key.count) bytes follows entry \(expected - 1)")
        }
        if index < expected {
            throw StorageError.inconsistentLog("entry \(index) precedes the first index \(expected)")
        }
        if index > expected {
            throw StorageError.inconsistentLog("entries \(expected) to \(index - 1) are missing")
        }
        return index
    }

    /// RocksDB's own checksum failures (a damaged SST block or WAL record) become corruption of
    /// the entry the read was after.
    private static func unreadable(_ error: StorageError, at index: UInt64) -> StorageError {
        if case .rocksDB(_, let message) = error, message.contains("Corruption") {
            return .corruptEntry(index: index, reason: "RocksDB cannot read it or a later entry: \(message)")
        }
        return error
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
        try withHealthyState { ($0.hardState, $0.confState) }
    }

    public func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        try withHealthyState { state in
            guard low >= state.firstIndex else { throw RaftStorageError.compacted }
            guard high <= state.lastIndex + 1, low <= high else { throw RaftStorageError.unavailable }
            guard low < high else { return [] }
            if database.isOpen, let kept = state.recent.entries(from: low, to: high, maxBytes: maxBytes) {
                return kept
            }
            let cursor = try Cursor(
                database: database, family: .raftLog, lowerBound: StorageKeys.log(low),
                upperBound: StorageKeys.log(high))
            defer { cursor.close() }
            try cursor.seek(to: StorageKeys.log(low))
            var result: [Entry] = []
            var bytes = 0
            var expected = low
            var full = false
            var more = true
            do {
                while more, !full {
                    more = try cursor.visit(limit: 1024) { key, value in
                        let index = try Self.checkPosition(key, expected: expected)
                        let entry = try RecordCodec.decodeEntry(value, at: index)
                        bytes += entry.data.count
                        if !result.isEmpty, bytes > maxBytes {
                            full = true
                            return false
                        }
                        result.append(entry)
                        expected += 1
                        return true
                    }
                }
            } catch let error as StorageError {
                throw Self.unreadable(error, at: expected)
            }
            if !full, expected != high {
                throw StorageError.inconsistentLog("entries \(expected) to \(high - 1) are missing")
            }
            return result
        }
    }

    public func term(at index: UInt64) throws -> UInt64 {
        try withHealthyState { state in
            if index == state.snapshot.index { return state.snapshot.term }
            guard index > state.snapshot.index else { throw RaftStorageError.compacted }
            guard index <= state.lastIndex else { throw RaftStorageError.unavailable }
            guard let term = state.terms.term(at: index) else {
                throw StorageError.inconsistentLog("no term known for entry \(index)")
            }
            return term
        }
    }

    public func firstIndex() throws -> UInt64 {
        try withHealthyState { $0.firstIndex }
    }

    public func lastIndex() throws -> UInt64 {
        try withHealthyState { $0.lastIndex }
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
                hardState: $0.hardState, confState: $0.confState, snapshot: $0.snapshot,
                firstIndex: $0.firstIndex, lastIndex: $0.lastIndex)
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
        try write(entries, hardState: hardState, syncOnlyWhenNeeded: false)
    }

    /// Like `append(_:hardState:)`, but without waiting for the disk when nothing needs it
    /// (etcd's rule): when there are no entries and the hard state changes only its commit
    /// index. A commit index is learnt again from the leader, so losing it in a crash is
    /// harmless; entries, term and vote vouch for what this node told its peers and are always
    /// synced. The unsynced write is in the WAL, which is one ordered file: a crash loses it
    /// only together with every later write (the state machine's unsynced applies included),
    /// and the next synced write makes it durable. Returns whether the write was synced.
    @discardableResult
    public func appendSyncingOnlyWhenNeeded(_ entries: [Entry], hardState: HardState?) throws -> Bool {
        try write(entries, hardState: hardState, syncOnlyWhenNeeded: true)
    }

    /// Both appends; returns whether the write was synced.
    @discardableResult
    private func write(_ entries: [Entry], hardState: HardState?, syncOnlyWhenNeeded: Bool) throws -> Bool {
        try withHealthyState { state in
            let synced =
                !syncOnlyWhenNeeded || !entries.isEmpty
                || hardState.map { $0.term != state.hardState.term || $0.vote != state.hardState.vote } ?? false
            try RaftLogStorageRules.checkBatch(entries)
            // Entries already compacted are committed and identical: skip them.
            let fresh = entries.drop { $0.index < state.firstIndex }
            try RaftLogStorageRules.checkAppend(fresh, lastIndex: state.lastIndex, commit: state.hardState.commit) {
                try Self.term(at: $0, in: state)
            }
            let newLast = fresh.last?.index ?? state.lastIndex
            if let hardState { try RaftLogStorageRules.checkHardState(hardState, lastIndex: newLast) }
            let batch = WriteBatch(for: database)
            if !fresh.isEmpty {
                // The buffer sized once: a batch of many entries regrew it several times.
                let perEntry = MemoryLayout<UInt64>.size + RecordCodec.entryOverhead + FamilyWriter.recordOverheadBytes
                let expectedBytes = fresh.reduce(0) { $0 + perEntry + $1.data.count }
                try batch.withFamily(.raftLog, expectedBytes: expectedBytes) { writer in
                    var record: [UInt8] = []
                    for entry in fresh {
                        RecordCodec.encode(entry, into: &record)
                        writer.put(key: StorageKeys.log(entry.index), value: record)
                    }
                }
                if newLast < state.lastIndex {
                    try batch.deleteRange(
                        from: StorageKeys.log(newLast + 1), to: StorageKeys.log(state.lastIndex + 1), in: .raftLog)
                }
            }
            if let hardState { try batch.put(StorageKeys.hardState, RecordCodec.encode(hardState), in: .raftState) }
            guard batch.count > 0 else { return false }
            try database.write(batch, durability: synced ? .synced : .unsynced)
            if let first = fresh.first {
                state.terms.truncate(from: first.index)
                for entry in fresh { state.terms.append(index: entry.index, term: entry.term) }
                state.lastIndex = newLast
                state.recent.appended(fresh)
            }
            if let hardState { state.hardState = hardState }
            return synced
        }
    }

    /// The term of the compaction point or of an entry of the log.
    private static func term(at index: UInt64, in state: State) throws -> UInt64 {
        if index == state.snapshot.index { return state.snapshot.term }
        guard let term = state.terms.term(at: index) else {
            throw StorageError.inconsistentLog("no term known for entry \(index)")
        }
        return term
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
        let applied = appliedIndex()
        try withHealthyState { state in
            guard
                try RaftLogStorageRules.mustApplySnapshot(snapshot.metadata, current: state.snapshot, applied: applied)
            else { return }
            try replaceLog(with: snapshot.metadata, in: &state) { _ in }
        }
    }

    /// The state machine's applied index (read before taking the log lock: the state lock comes
    /// first); without a state store, no entry counts as unapplied.
    private func appliedIndex() -> UInt64 {
        appliedIndexSource.withLock { $0 }?() ?? .max
    }

    /// The installation's commit: the log part of the switch, written in one synced batch with
    /// whatever `addToBatch` adds (the state family switch).
    func installSnapshot(_ metadata: SnapshotMetadata, addToBatch: (WriteBatch) throws -> Void) throws {
        try RaftLogStorageRules.checkIndex(metadata.index)
        try withHealthyState { state in
            guard metadata.index >= state.snapshot.index else {
                throw RaftStorageError.snapshotOutOfDate(current: state.snapshot.index, offered: metadata.index)
            }
            try replaceLog(with: metadata, in: &state, addToBatch: addToBatch)
        }
    }

    /// The log part of `NodeStorage.bootstrap`: only on a log that was never written.
    func bootstrap(_ metadata: SnapshotMetadata, hardState: HardState, addToBatch: (WriteBatch) throws -> Void) throws {
        try withHealthyState { state in
            guard state.lastIndex == 0, state.snapshot.index == 0, state.hardState == HardState() else {
                throw StorageError.alreadyInitialized(
                    "the log ends at \(state.lastIndex) and the hard state is \(state.hardState)")
            }
            try replaceLog(with: metadata, in: &state) { batch in
                try batch.put(StorageKeys.hardState, RecordCodec.encode(hardState), in: .raftState)
                try addToBatch(batch)
            }
            state.hardState = hardState
        }
    }

    private func replaceLog(
        with metadata: SnapshotMetadata, in state: inout State, addToBatch: (WriteBatch) throws -> Void
    ) throws {
        let batch = WriteBatch(for: database)
        try batch.put(StorageKeys.snapshot, RecordCodec.encode(metadata), in: .raftState)
        try batch.put(StorageKeys.confState, RecordCodec.encode(metadata.conf), in: .raftState)
        let end = max(state.lastIndex, metadata.index)
        if end >= state.firstIndex {
            try batch.deleteRange(from: StorageKeys.log(state.firstIndex), to: StorageKeys.log(end + 1), in: .raftLog)
        }
        // A snapshot holds committed entries only: the commit index is at least its index
        // (as in Raft's MemoryLogStorage), which keeps `applied <= commit` after installing.
        var hardState = state.hardState
        if hardState.commit < metadata.index {
            hardState.commit = metadata.index
            try batch.put(StorageKeys.hardState, RecordCodec.encode(hardState), in: .raftState)
        }
        try addToBatch(batch)
        try database.write(batch, durability: .synced)
        state.snapshot = metadata
        state.confState = metadata.conf
        state.lastIndex = metadata.index
        state.hardState = hardState
        state.terms.removeAll()
        state.recent.removeAll()
    }

    /// Discards entries up to and including `index`, which the state machine must have applied.
    public func compact(upTo index: UInt64) throws {
        let applied = appliedIndex()
        try withHealthyState { state in
            try RaftLogStorageRules.checkCompaction(
                upTo: index, snapshotIndex: state.snapshot.index, lastIndex: state.lastIndex, applied: applied)
            guard let term = state.terms.term(at: index) else {
                throw StorageError.inconsistentLog("no term known for entry \(index)")
            }
            let metadata = SnapshotMetadata(index: index, term: term, conf: state.confState)
            let batch = WriteBatch(for: database)
            try batch.put(StorageKeys.snapshot, RecordCodec.encode(metadata), in: .raftState)
            try batch.deleteRange(
                from: StorageKeys.log(state.firstIndex), to: StorageKeys.log(index + 1), in: .raftLog)
            try database.write(batch, durability: .synced)
            state.snapshot = metadata
            state.terms.discard(before: index + 1)
            state.recent.discard(through: index)
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
