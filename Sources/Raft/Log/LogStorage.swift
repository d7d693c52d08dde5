/// The storage protocol the Raft core reads its log through, and the runtime writes through.
///
/// Read side (used by the core): `initialState`, `entries`, `term`, `firstIndex`, `lastIndex`,
/// `snapshot`. Write side (used by the runtime when it handles a `Ready`): `append`,
/// `setHardState`, `setConfState`, `applySnapshot`, `compact`.
///
/// The contract (every rule is a test of the contract suite, run against both implementations:
/// `MemoryLogStorage` here, for tests and the simulator, and `RaftLogStore` in SandboxStorage):
///
/// 1. Durability: every write is durable (synced) when it returns, and atomic; messages that
///    depend on it are sent only afterwards.
/// 2. Indices are contiguous: `firstIndex ... lastIndex`, where `firstIndex == snapshot.index + 1`;
///    `term(at: snapshot.index)` is the snapshot's term. Nothing beyond `maxIndex` (2^63 − 1) is
///    accepted (`indexTooLarge`).
/// 3. `append` takes consecutive entries (`nonContiguousEntries`) that start at most one past
///    the last index (`appendGap`), skips those at or before the compaction point, and
///    truncates a conflicting suffix first. Terms never go down along the log
///    (`termRegression`); committed entries (up to the persisted commit index) are never given
///    another term or removed (`committedEntryChanged`, `committedEntryRemoved`).
/// 4. A hard state's commit index is never beyond the last entry (`commitBeyondLog`).
/// 5. `compact(upTo:)` discards only applied entries (`compactionBeyondApplied`), after the
///    compaction point (`compacted`) and within the log (`unavailable`).
/// 6. A snapshot's state is installed before the log moves to it: `applySnapshot` beyond the
///    state machine's applied index is refused (`snapshotStateMissing`); the same snapshot again is
///    a no-op (the state installer moved the log already); an older one is refused
///    (`snapshotOutOfDate`). The log then starts after the snapshot, its membership is the
///    snapshot's and the commit index at least its index.
/// 7. Reads: `compacted` for positions at or before the compaction point (the snapshot's own
///    index has a term but no entry), `unavailable` beyond the last entry.
///
/// Both stores keep the state machine's applied index beside the log, since rules 5 and 6
/// depend on it: the RocksDB store reads its state store's; `MemoryLogStorage` models it with
/// `setAppliedIndex(_:)` and `installSnapshotState(_:)` (see there).
public protocol RaftLogStorage: AnyObject {
    /// The hard state and membership persisted last.
    func initialState() throws -> (HardState, ConfState)
    /// Entries in `[low, high)`, at most `maxBytes` of entry data in total but always at least
    /// one entry when the range is not empty.
    func entries(from low: UInt64, to high: UInt64, maxBytes: Int) throws -> [Entry]
    /// The term of the entry at `index`; the snapshot's term for the snapshot's index.
    func term(at index: UInt64) throws -> UInt64
    /// The index of the first entry still in the log (snapshot index + 1).
    func firstIndex() throws -> UInt64
    /// The index of the last entry (the snapshot's index when the log is empty).
    func lastIndex() throws -> UInt64
    /// The latest snapshot (the compaction point, or the snapshot installed last). Its `data` is
    /// the store's business: `MemoryLogStorage` keeps the bytes the runtime gave it; the RocksDB
    /// store returns the metadata only (the state streams from its state store).
    func snapshot() throws -> Snapshot

    /// Appends entries durably, truncating any conflicting suffix first.
    func append(_ entries: [Entry]) throws
    /// Persists the hard state durably.
    func setHardState(_ state: HardState) throws
    /// Persists the membership durably.
    func setConfState(_ conf: ConfState) throws
    /// Replaces the log with a snapshot: entries up to its index are discarded.
    func applySnapshot(_ snapshot: Snapshot) throws
    /// Discards entries up to and including `index` (which must have been applied), recording
    /// `index` and its term as the new compaction point.
    func compact(upTo index: UInt64) throws
}

extension RaftLogStorage {
    /// The largest entry or snapshot index a store accepts (2^63 − 1): far beyond any real log,
    /// and it keeps `index + 1` from overflowing on input from the network or a damaged record.
    public static var maxIndex: UInt64 { RaftLogStorageRules.maxIndex }
}
