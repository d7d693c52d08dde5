/// What a `RaftLogStorage` throws: positions it cannot serve (the read side; the core matches on
/// these), and the writes it refuses because they would break the storage contract.
///
/// Every store throws exactly these for the contract's rules — `MemoryLogStorage` and
/// SandboxStorage's RocksDB store alike (one contract suite runs against both) — so a runtime or
/// simulator tested on one store meets the same refusals on the other. Refusals change nothing.
public enum RaftStorageError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The requested index is at or before the last snapshot: it was compacted away.
    case compacted
    /// The requested index is after the last entry (or the range is inverted).
    case unavailable
    /// A snapshot is being produced; ask again later.
    case snapshotTemporarilyUnavailable

    /// An entry or snapshot index beyond `maxIndex` (2^63 − 1), so that `index + 1` never
    /// overflows anywhere in a store.
    case indexTooLarge(index: UInt64, limit: UInt64)
    /// `append` got entries whose indices are not consecutive.
    case nonContiguousEntries(expected: UInt64, found: UInt64)
    /// `append` got entries that would leave a hole after the last index.
    case appendGap(lastIndex: UInt64, firstNewIndex: UInt64)
    /// `append` got an entry whose term is lower than the entry's before it.
    case termRegression(index: UInt64, term: UInt64, previousTerm: UInt64)
    /// `append` would give a committed entry (at or before the persisted commit index) a new term.
    case committedEntryChanged(index: UInt64, term: UInt64, committedTerm: UInt64)
    /// `append` would truncate the log below the persisted commit index (its last entry is
    /// `index - 1`).
    case committedEntryRemoved(index: UInt64, commit: UInt64)
    /// A hard state whose commit index is beyond the last entry. Persist the entries first (or
    /// with it, where the store offers one write for both).
    case commitBeyondLog(commit: UInt64, lastIndex: UInt64)
    /// `compact(upTo:)` (or a snapshot for it) asked to discard entries the state machine has not
    /// applied yet.
    case compactionBeyondApplied(index: UInt64, applied: UInt64)
    /// A snapshot older than (or as old as) what the store already has.
    case snapshotOutOfDate(current: UInt64, offered: UInt64)
    /// `applySnapshot` got a snapshot beyond the state machine's applied index: the snapshot's
    /// state must be installed first (which moves the log too), or the entries in between would be
    /// lost at a crash.
    case snapshotStateMissing(snapshotIndex: UInt64, applied: UInt64)
    /// The state machine's applied index would not move forward: those entries were applied.
    case appliedIndexRegression(current: UInt64, offered: UInt64)

    /// Whether the error means "not now" (a position the store cannot serve, a snapshot being
    /// made) rather than a refusal or a failure.
    var isRetryable: Bool {
        switch self {
        case .compacted, .unavailable, .snapshotTemporarilyUnavailable: return true
        default: return false
        }
    }

    public var description: String {
        switch self {
        case .compacted:
            return "the requested log position was compacted into a snapshot"
        case .unavailable:
            return "the requested log position is beyond the last entry"
        case .snapshotTemporarilyUnavailable:
            return "a snapshot is being produced; ask again later"
        case .indexTooLarge(let index, let limit):
            return "index \(index) exceeds the largest log index a store accepts (\(limit))"
        case .nonContiguousEntries(let expected, let found):
            return "entries to append are not contiguous: expected index \(expected), found \(found)"
        case .appendGap(let lastIndex, let firstNewIndex):
            return "cannot append entry \(firstNewIndex): the log ends at \(lastIndex), which would leave a gap"
        case .termRegression(let index, let term, let previousTerm):
            return "entry \(index) has term \(term), lower than the term \(previousTerm) of the entry before it"
        case .committedEntryChanged(let index, let term, let committedTerm):
            return
                "refusing to change committed entry \(index): term \(term) would replace the committed term \(committedTerm)"
        case .committedEntryRemoved(let index, let commit):
            return
                "refusing to remove committed entry \(index): the append would truncate the log below the commit index \(commit)"
        case .commitBeyondLog(let commit, let lastIndex):
            return
                "hard state commit \(commit) is beyond the last entry \(lastIndex); persist the entries first (or with it)"
        case .compactionBeyondApplied(let index, let applied):
            return "cannot compact the log up to \(index): the state machine has applied only up to \(applied)"
        case .snapshotOutOfDate(let current, let offered):
            return "snapshot at index \(offered) is not newer than the current one at index \(current)"
        case .snapshotStateMissing(let snapshotIndex, let applied):
            return "cannot move the log to snapshot \(snapshotIndex): the state is applied only up to \(applied);"
                + " install the snapshot's state first (the state installer moves the log with it)"
        case .appliedIndexRegression(let current, let offered):
            return
                "applied index \(offered) is not after the current applied index \(current); the entries were applied already"
        }
    }
}
