/// The write rules of the `RaftLogStorage` contract, checked in one order by every store
/// (`MemoryLogStorage`, and the RocksDB store in SandboxStorage), so that both refuse the same
/// input with the same `RaftStorageError`. Each check changes nothing; a store writes only once
/// its checks passed. The contract suite states each rule as a test against both stores.
public enum RaftLogStorageRules {
    /// Rule 2: no index beyond `maxIndex`.
    public static func checkIndex(_ index: UInt64) throws {
        let limit = maxIndex
        guard index <= limit else { throw RaftStorageError.indexTooLarge(index: index, limit: limit) }
    }

    /// 2^63 − 1 (see `RaftLogStorage.maxIndex`).
    public static var maxIndex: UInt64 { UInt64(Int64.max) }

    /// Rule 3, on the batch alone: indices within bounds and consecutive.
    public static func checkBatch(_ entries: [Entry]) throws {
        guard let first = entries.first, let last = entries.last else { return }
        try checkIndex(first.index)
        // first.index <= 2^63 - 1 and offset < 2^63: the sum cannot overflow.
        for (offset, entry) in entries.enumerated() where entry.index != first.index + UInt64(offset) {
            throw RaftStorageError.nonContiguousEntries(expected: first.index + UInt64(offset), found: entry.index)
        }
        try checkIndex(last.index)
    }

    /// Rule 3, against the log: `entries` (a checked batch without the entries at or before the
    /// compaction point) must start at most one past `lastIndex`, keep terms from going down
    /// (from the term before its first entry on), and leave committed entries as they are.
    /// `term(at:)` answers for the compaction point and every entry of the log.
    public static func checkAppend(
        _ entries: ArraySlice<Entry>, lastIndex: UInt64, commit: UInt64, term: (UInt64) throws -> UInt64
    ) throws {
        guard let first = entries.first, let last = entries.last else { return }
        guard first.index <= lastIndex + 1 else {
            throw RaftStorageError.appendGap(lastIndex: lastIndex, firstNewIndex: first.index)
        }
        var previousTerm = try term(first.index - 1)
        for entry in entries {
            guard entry.term >= previousTerm else {
                throw RaftStorageError.termRegression(index: entry.index, term: entry.term, previousTerm: previousTerm)
            }
            previousTerm = entry.term
        }
        let committed = min(commit, lastIndex)
        guard first.index <= committed else { return }
        for entry in entries where entry.index <= committed {
            let stored = try term(entry.index)
            guard stored == entry.term else {
                throw RaftStorageError.committedEntryChanged(
                    index: entry.index, term: entry.term, committedTerm: stored)
            }
        }
        guard last.index >= committed else {
            throw RaftStorageError.committedEntryRemoved(index: last.index + 1, commit: committed)
        }
    }

    /// Rule 4.
    public static func checkHardState(_ hardState: HardState, lastIndex: UInt64) throws {
        guard hardState.commit <= lastIndex else {
            throw RaftStorageError.commitBeyondLog(commit: hardState.commit, lastIndex: lastIndex)
        }
    }

    /// Rule 5: compaction up to `index` of a log whose compaction point is `snapshotIndex`.
    public static func checkCompaction(
        upTo index: UInt64, snapshotIndex: UInt64, lastIndex: UInt64, applied: UInt64
    ) throws {
        guard index > snapshotIndex else { throw RaftStorageError.compacted }
        guard index <= lastIndex else { throw RaftStorageError.unavailable }
        guard index <= applied else { throw RaftStorageError.compactionBeyondApplied(index: index, applied: applied) }
    }

    /// Rule 6: whether the log must move to `offered` (false: it is the current snapshot, a
    /// no-op), or the refusal.
    public static func mustApplySnapshot(
        _ offered: SnapshotMetadata, current: SnapshotMetadata, applied: UInt64
    ) throws -> Bool {
        try checkIndex(offered.index)
        if offered == current { return false }
        guard offered.index > current.index else {
            throw RaftStorageError.snapshotOutOfDate(current: current.index, offered: offered.index)
        }
        guard offered.index <= applied else {
            throw RaftStorageError.snapshotStateMissing(snapshotIndex: offered.index, applied: applied)
        }
        return true
    }

    /// The state side of rule 6: a snapshot's state is installed only over an older state.
    public static func checkStateInstallation(_ offered: SnapshotMetadata, applied: UInt64) throws {
        try checkIndex(offered.index)
        guard offered.index > applied else {
            throw RaftStorageError.snapshotOutOfDate(current: applied, offered: offered.index)
        }
    }

    /// The state machine's applied index only moves forward.
    public static func checkApplied(_ offered: UInt64, current: UInt64) throws {
        guard offered > current else {
            throw RaftStorageError.appliedIndexRegression(current: current, offered: offered)
        }
    }
}
