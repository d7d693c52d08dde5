/// Errors a `RaftLogStorage` reports for positions it cannot serve.
public enum RaftStorageError: Error, Sendable, Hashable {
    /// The requested index is at or before the last snapshot: it was compacted away.
    case compacted
    /// The requested index is after the last entry.
    case unavailable
    /// A snapshot is being produced; ask again later.
    case snapshotTemporarilyUnavailable
}

/// The storage protocol the Raft core reads its log through, and the runtime writes through.
///
/// Read side (used by the core): `initialState`, `entries`, `term`, `firstIndex`, `lastIndex`,
/// `snapshot`. Write side (used by the runtime when it handles a `Ready`): `append`,
/// `setHardState`, `applySnapshot`, `compact`.
///
/// Contract: `append` and `setHardState` are durable (synced) when they return; messages that
/// depend on them are sent only afterwards. `append` with entries whose first index is at or
/// before `lastIndex` truncates the conflicting suffix first. Indices are contiguous:
/// `firstIndex ... lastIndex`, where `firstIndex == snapshot.index + 1`.
/// Implementations: `MemoryLogStorage` (Raft, for tests and the simulator) and the RocksDB
/// store in SandboxStorage.
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
    /// The latest snapshot.
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
