/// Everything SandboxStorage reports. Messages name what failed and what to do about it.
///
/// The Raft read contract's own errors (`RaftStorageError.compacted`, `.unavailable`) are thrown
/// as they are, so the Raft core can match on them.
public enum StorageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// RocksDB returned an error; `message` is RocksDB's own text.
    case rocksDB(operation: String, message: String)
    /// The storage was closed; the call did nothing.
    case closed
    /// A log entry failed verification (checksum, format, or position). The log store refuses
    /// every further call until the node is repaired (see docs/storage.md, "Corruption").
    case corruptEntry(index: UInt64, reason: String)
    /// A metadata record (hard state, membership, snapshot metadata, applied index) failed
    /// verification.
    case corruptRecord(name: String, reason: String)
    /// The log on disk is not contiguous or disagrees with its metadata.
    case inconsistentLog(String)
    /// The database was written by an unknown format version.
    case unsupportedFormat(found: UInt8, supported: UInt8)
    /// `append` got entries whose indices are not consecutive.
    case nonContiguousEntries(expected: UInt64, found: UInt64)
    /// `append` got entries that would leave a hole after the last index.
    case appendGap(lastIndex: UInt64, firstNewIndex: UInt64)
    /// `append` got an entry whose term is lower than the entry before it.
    case termRegression(index: UInt64, term: UInt64, previousTerm: UInt64)
    /// `append` would change or remove an entry at or before the persisted commit index.
    case committedEntryConflict(index: UInt64, reason: String)
    /// A hard state whose commit index is beyond the log it would be stored with. Persist the
    /// entries with it (`append(_:hardState:)`) or before it.
    case commitBeyondLog(commit: UInt64, lastIndex: UInt64)
    /// `compact(upTo:)` asked to discard entries the state machine has not applied yet.
    case compactionBeyondApplied(index: UInt64, applied: UInt64)
    /// `applySnapshot` got a snapshot older than the one the store already has.
    case snapshotOutOfDate(current: UInt64, offered: UInt64)
    /// `applySnapshot` got a snapshot beyond the state machine's applied index: the state must be
    /// installed first (`StateStore.beginInstall`), or the entries in between would be lost.
    case snapshotStateMissing(snapshotIndex: UInt64, applied: UInt64)
    /// A state batch claims an applied index that is not after the current one.
    case appliedIndexRegression(current: UInt64, offered: UInt64)
    /// An entry or snapshot index beyond `RaftLogStore.maxIndex` (so that `index + 1` never
    /// overflows anywhere in the store).
    case indexTooLarge(index: UInt64, limit: UInt64)
    /// A key or value exceeds the store's limits.
    case tooLarge(what: String, size: Int, limit: Int)
    /// A snapshot chunk failed validation (checksum, order, or belongs to another snapshot).
    case invalidSnapshotChunk(String)
    /// `bootstrap` on a node that already has a log, state or hard state.
    case alreadyInitialized(String)
    /// A snapshot installation is already running on this node.
    case installInProgress
    /// The installation was finished or abandoned already, or is not complete yet.
    case installNotReady(String)

    public var description: String {
        switch self {
        case .rocksDB(let operation, let message):
            return "RocksDB \(operation) failed: \(message)"
        case .closed:
            return "storage is closed"
        case .corruptEntry(let index, let reason):
            return "raft log entry \(index) is corrupt (\(reason)); the node refuses to serve from this log"
                + " — restore the node from a peer (docs/storage.md, Corruption)"
        case .corruptRecord(let name, let reason):
            return "stored \(name) is corrupt (\(reason)) — restore the node from a peer (docs/storage.md, Corruption)"
        case .inconsistentLog(let detail):
            return "raft log is inconsistent: \(detail) — restore the node from a peer (docs/storage.md, Corruption)"
        case .unsupportedFormat(let found, let supported):
            return "database format \(found) is not supported (this build reads format \(supported))"
        case .nonContiguousEntries(let expected, let found):
            return "entries to append are not contiguous: expected index \(expected), found \(found)"
        case .appendGap(let lastIndex, let firstNewIndex):
            return "cannot append entry \(firstNewIndex): the log ends at \(lastIndex), which would leave a gap"
        case .termRegression(let index, let term, let previousTerm):
            return "entry \(index) has term \(term), lower than the term \(previousTerm) of the entry before it"
        case .committedEntryConflict(let index, let reason):
            return "refusing to change committed entry \(index): \(reason)"
        case .commitBeyondLog(let commit, let lastIndex):
            return "hard state commit \(commit) is beyond the last entry \(lastIndex);"
                + " persist the entries with the hard state (append(_:hardState:)) or first"
        case .compactionBeyondApplied(let index, let applied):
            return "cannot compact the log up to \(index): the state machine has applied only up to \(applied)"
        case .snapshotOutOfDate(let current, let offered):
            return "snapshot at index \(offered) is older than the stored snapshot at index \(current)"
        case .snapshotStateMissing(let snapshotIndex, let applied):
            return "cannot move the log to snapshot \(snapshotIndex): the state is applied only up to \(applied);"
                + " install the snapshot's state first (StateStore.beginInstall), which also moves the log"
        case .appliedIndexRegression(let current, let offered):
            return "applied index \(offered) is not after the current applied index \(current);"
                + " the entries were applied already"
        case .indexTooLarge(let index, let limit):
            return "index \(index) exceeds the largest log index this store accepts (\(limit))"
        case .tooLarge(let what, let size, let limit):
            return "\(what) of \(size) bytes exceeds the limit of \(limit) bytes"
        case .invalidSnapshotChunk(let detail):
            return "invalid snapshot chunk: \(detail)"
        case .alreadyInitialized(let detail):
            return "cannot bootstrap a node that already has data: \(detail)"
        case .installInProgress:
            return "a snapshot installation is already in progress on this node"
        case .installNotReady(let detail):
            return "snapshot installation cannot continue: \(detail)"
        }
    }
}
