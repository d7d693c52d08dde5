/// An in-memory `RaftLogStorage` for tests and the simulator, exactly as strict as the RocksDB
/// store in SandboxStorage: both check the contract's rules with `RaftLogStorageRules`, refuse
/// the same input with the same `RaftStorageError`, and change nothing when they refuse (one
/// contract suite runs against both). "Durable" means "written here": the simulator keeps this
/// object across a simulated crash and throws away everything else.
///
/// The state machine's applied index. The RocksDB store shares its database with the state
/// store, and reads the applied index there to refuse compaction beyond it and a log moved to a
/// snapshot whose state is not installed. This store models the state store's part with the
/// calls a runtime makes there:
/// - `setAppliedIndex(_:)` once entries are applied (as `StateStore.apply(_:appliedIndex:)`;
///   an index that does not move forward is refused);
/// - `installSnapshotState(_:)` for a snapshot received from the leader (as the state
///   installer's `finish()`): the state and the log move to the snapshot in one step, so the
///   `applySnapshot` that follows is a no-op, as on the real store.
/// `applySnapshot` of a snapshot beyond the applied index is refused (`snapshotStateMissing`).
///
/// `entries[0]` is a placeholder standing for the snapshot point (its index and term), so
/// `firstIndex == entries[0].index + 1` always holds.
public final class MemoryLogStorage: RaftLogStorage {
    @exclusivity(unchecked) public private(set) var hardState = HardState()
    @exclusivity(unchecked) public private(set) var confState: ConfState
    /// The state machine's applied index, as the runtime recorded it.
    @exclusivity(unchecked) public private(set) var appliedIndex: UInt64 = 0
    @exclusivity(unchecked) private var latestSnapshot: Snapshot
    @exclusivity(unchecked) private var entries: [Entry]

    /// An empty log, for a node that joins an existing cluster: it learns the log and the
    /// membership from the leader (a snapshot first, since every log starts at a snapshot).
    public init() {
        confState = ConfState()
        latestSnapshot = Snapshot()
        entries = [Entry(term: 0, index: 0)]
    }

    /// The log of a founding member of a new cluster: the bootstrap snapshot at index 1, term 1,
    /// carrying the initial membership (and `data`, the initial state machine, if any), with
    /// that index committed and applied (as `NodeStorage.bootstrap`). Nodes that join later
    /// receive this (or a later) snapshot, so they learn the membership without replaying it
    /// from entries.
    public convenience init(bootstrap conf: ConfState, data: [UInt8] = []) {
        self.init()
        let snapshot = Snapshot(metadata: SnapshotMetadata(index: 1, term: 1, conf: conf), data: data)
        latestSnapshot = snapshot
        entries = [Entry(term: 1, index: 1)]
        confState = conf
        hardState = HardState(term: 1, vote: 0, commit: 1)
        appliedIndex = 1
    }

    private var offset: UInt64 { entries[0].index }

    // MARK: read side

    public func initialState() throws -> (HardState, ConfState) { (hardState, confState) }

    public func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry] {
        if low <= offset { throw RaftStorageError.compacted }
        guard high <= lastIndexValue + 1, low <= high else { throw RaftStorageError.unavailable }
        var result: [Entry] = []
        var bytes = 0
        for position in Int(low - offset)..<Int(high - offset) {
            let entry = entries[position]
            if !result.isEmpty && bytes + entry.data.count > maxBytes { break }
            bytes += entry.data.count
            result.append(entry)
        }
        return result
    }

    public func term(at index: UInt64) throws -> UInt64 {
        if index < offset { throw RaftStorageError.compacted }
        guard index <= lastIndexValue else { throw RaftStorageError.unavailable }
        return entries[Int(index - offset)].term
    }

    public func firstIndex() throws -> UInt64 { offset + 1 }

    public func lastIndex() throws -> UInt64 { lastIndexValue }

    private var lastIndexValue: UInt64 { offset + UInt64(entries.count) - 1 }

    public func snapshot() throws -> Snapshot { latestSnapshot }

    // MARK: write side

    public func append(_ newEntries: [Entry]) throws {
        try RaftLogStorageRules.checkBatch(newEntries)
        // Entries already compacted are committed and identical: skip them.
        let fresh = newEntries.drop { $0.index <= offset }
        try RaftLogStorageRules.checkAppend(fresh, lastIndex: lastIndexValue, commit: hardState.commit) {
            try term(at: $0)
        }
        guard let start = fresh.first?.index else { return }
        entries.removeSubrange(Int(start - offset)...)
        entries.append(contentsOf: fresh)
    }

    public func setHardState(_ state: HardState) throws {
        try RaftLogStorageRules.checkHardState(state, lastIndex: lastIndexValue)
        hardState = state
    }

    public func setConfState(_ conf: ConfState) throws {
        confState = conf
    }

    /// Moves the log to `snapshot` once its state is installed (`installSnapshotState`, which
    /// did it already: then this is a no-op), or once the state machine applied up to its
    /// index by itself.
    public func applySnapshot(_ snapshot: Snapshot) throws {
        let current = latestSnapshot.metadata
        guard
            try RaftLogStorageRules.mustApplySnapshot(snapshot.metadata, current: current, applied: appliedIndex)
        else { return }
        replaceLog(with: snapshot)
    }

    public func compact(upTo index: UInt64) throws {
        try RaftLogStorageRules.checkCompaction(
            upTo: index, snapshotIndex: offset, lastIndex: lastIndexValue, applied: appliedIndex)
        let term = entries[Int(index - offset)].term
        entries.removeFirst(Int(index - offset))
        entries[0] = Entry(term: term, index: index)
        if latestSnapshot.metadata.index != index {
            latestSnapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, conf: confState))
        }
    }

    // MARK: the state machine's part (see the type's documentation)

    /// Records that the state machine applied the entries up to `index`, as a state store
    /// records it with their effects. Refuses an index that does not move forward.
    public func setAppliedIndex(_ index: UInt64) throws {
        try RaftLogStorageRules.checkApplied(index, current: appliedIndex)
        appliedIndex = index
    }

    /// Installs a snapshot received from the leader: its state (`data`) and the log move to it
    /// in one step, as the state installer's `finish()` does on the RocksDB store. Refuses a
    /// snapshot not beyond the applied index (`snapshotOutOfDate`).
    public func installSnapshotState(_ snapshot: Snapshot) throws {
        // The log's snapshot is never beyond the applied index (compaction and applySnapshot
        // stop there), so a snapshot beyond the applied index is beyond the log's too.
        try RaftLogStorageRules.checkStateInstallation(snapshot.metadata, applied: appliedIndex)
        replaceLog(with: snapshot)
        appliedIndex = snapshot.metadata.index
    }

    /// Records the state machine's snapshot at `index` (applied, after the compaction point and
    /// within the log) with the membership as of that index, ready for `compact(upTo: index)`.
    public func createSnapshot(at index: UInt64, conf: ConfState, data: [UInt8]) throws {
        try RaftLogStorageRules.checkCompaction(
            upTo: index, snapshotIndex: latestSnapshot.metadata.index, lastIndex: lastIndexValue,
            applied: appliedIndex)
        let term = entries[Int(index - offset)].term
        latestSnapshot = Snapshot(metadata: SnapshotMetadata(index: index, term: term, conf: conf), data: data)
    }

    /// The log restarts after the snapshot, with its membership, and a commit index at least its
    /// index (a snapshot holds committed entries only).
    private func replaceLog(with snapshot: Snapshot) {
        let meta = snapshot.metadata
        latestSnapshot = snapshot
        entries = [Entry(term: meta.term, index: meta.index)]
        confState = meta.conf
        if hardState.commit < meta.index { hardState.commit = meta.index }
    }

    /// Number of entries held (for tests).
    public var entryCount: Int { entries.count - 1 }
}
