/// The log as the core sees it: stable entries in the runtime's storage, followed by unstable
/// ones not yet persisted, with the commit and applied indices.
final class RaftLog {
    let storage: any RaftLogStorage
    let invariants: InvariantMonitor
    let seam: MutationSeam
    @exclusivity(unchecked) var unstable: UnstableLog
    /// Highest index known to be committed.
    @exclusivity(unchecked) private(set) var committed: UInt64
    /// Highest index the runtime acknowledged as applied (`advance` or `acknowledgeApplied`).
    @exclusivity(unchecked) private(set) var applied: UInt64
    /// Highest index handed to the runtime for applying (at least `applied`): entries up to it
    /// are never handed out again.
    @exclusivity(unchecked) private(set) var applying: UInt64
    /// The batches handed out and not yet acknowledged as applied: last index and entry bytes.
    @exclusivity(unchecked) private var unappliedBatches: [(last: UInt64, bytes: Int)] = []
    /// Entry bytes handed out and not yet acknowledged as applied.
    @exclusivity(unchecked) private(set) var unappliedBytes = 0

    /// Throws what the storage threw when it cannot tell where its log begins and ends.
    init(storage: any RaftLogStorage, invariants: InvariantMonitor, seam: MutationSeam) throws {
        self.storage = storage
        self.invariants = invariants
        self.seam = seam
        let first = try storage.firstIndex()
        let last = try storage.lastIndex()
        unstable = UnstableLog(offset: last + 1)
        committed = first - 1
        applied = first - 1
        applying = first - 1
    }

    /// A storage read other than a compacted/unavailable position failed: the storage is
    /// broken and the node stops (`RaftNode.failure`). `placeholder` stands in for the answer
    /// so the current operation can finish; what it computes is discarded.
    func read<T>(_ what: String, placeholder: T, _ body: () throws -> T) -> T {
        do {
            return try body()
        } catch {
            invariants.storageFailed(what, error)
            return placeholder
        }
    }

    func firstIndex() -> UInt64 {
        if let index = unstable.firstIndexIfSnapshot { return index }
        return read("reading the first index", placeholder: applied + 1) { try storage.firstIndex() }
    }

    func lastIndex() -> UInt64 {
        if let index = unstable.lastIndex { return index }
        return read("reading the last index", placeholder: unstable.offset - 1) { try storage.lastIndex() }
    }

    /// The last index that is durable (persisted by the runtime).
    var stableLastIndex: UInt64 { unstable.offset - 1 }

    var lastTerm: UInt64 { term(at: lastIndex()) ?? 0 }

    /// The term at `index`, or `nil` if it is compacted or beyond the log.
    func term(at index: UInt64) -> UInt64? {
        switch lookUpTerm(at: index) {
        case .success(let term): return term
        case .failure: return nil
        }
    }

    func lookUpTerm(at index: UInt64) -> Result<UInt64, RaftStorageError> {
        let dummy = firstIndex() - 1
        if index < dummy { return .failure(.compacted) }
        if index > lastIndex() { return .failure(.unavailable) }
        if let term = unstable.term(at: index) { return .success(term) }
        do {
            return .success(try storage.term(at: index))
        } catch let error as RaftStorageError where error == .compacted || error == .unavailable {
            return .failure(error)
        } catch {
            invariants.storageFailed("reading the term at \(index)", error)
            return .failure(.unavailable)
        }
    }

    func matchTerm(_ index: UInt64, _ term: UInt64) -> Bool { self.term(at: index) == term }

    /// Raft §5.4.1: is a log ending at `index`/`term` at least as up to date as this one?
    func isUpToDate(index: UInt64, term: UInt64) -> Bool {
        let last = lastTerm
        return term > last || (term == last && index >= lastIndex())
    }

    /// Entries in `[low, high)`, at most `maxBytes` (but at least one entry).
    func entries(from low: UInt64, to high: UInt64, maxBytes: Int) -> Result<[Entry], RaftStorageError> {
        if low >= high { return .success([]) }
        if low < firstIndex() { return .failure(.compacted) }
        guard invariants.require(high <= lastIndex() + 1, "entries [\(low), \(high)) beyond last index \(lastIndex())")
        else { return .failure(.unavailable) }
        var result: [Entry] = []
        var bytes = 0
        if low < unstable.offset {
            let stableHigh = min(high, unstable.offset)
            do {
                result = try storage.entries(from: low, to: stableHigh, maxBytes: maxBytes)
            } catch let error as RaftStorageError where error == .compacted {
                return .failure(.compacted)
            } catch {
                invariants.storageFailed("reading entries [\(low), \(stableHigh))", error)
                return .failure(.unavailable)
            }
            for entry in result { bytes += entry.data.count }
            if UInt64(result.count) < stableHigh - low || bytes >= maxBytes { return .success(result) }
        }
        if high > unstable.offset {
            let unstableLow = max(low, unstable.offset)
            for entry in unstable.slice(from: unstableLow, to: high) {
                if !result.isEmpty && bytes + entry.data.count > maxBytes { break }
                bytes += entry.data.count
                result.append(entry)
            }
        }
        return .success(result)
    }

    /// The first index among `newEntries` whose term differs from this log's (0 if none).
    func findConflict(_ newEntries: [Entry]) -> UInt64 {
        for entry in newEntries where !matchTerm(entry.index, entry.term) {
            return entry.index
        }
        return 0
    }

    /// The largest index at or below `index` whose term is at most `term`, with that term:
    /// where a leader should probe after a rejection (fast back-off, thesis §5.3 optimisation).
    func findConflictByTerm(index: UInt64, term: UInt64) -> (index: UInt64, term: UInt64) {
        var probe = min(index, lastIndex())
        let floor = firstIndex() - 1
        while probe > floor {
            guard let probeTerm = self.term(at: probe) else { return (probe, 0) }
            if probeTerm <= term { return (probe, probeTerm) }
            probe -= 1
        }
        return (probe, self.term(at: probe) ?? 0)
    }

    /// Follower side of AppendEntries (Raft §5.3): appends if the log matches at
    /// `index`/`logTerm`; returns the last index of the new entries, or nil on mismatch.
    func maybeAppend(
        index: UInt64, logTerm: UInt64, commit: UInt64, entries newEntries: [Entry]
    ) -> UInt64? {
        guard matchTerm(index, logTerm) else { return nil }
        let lastNew = index + UInt64(newEntries.count)
        let conflict = findConflict(newEntries)
        if conflict != 0 {
            guard
                invariants.require(conflict > committed, "conflict at \(conflict) within committed prefix \(committed)")
            else { return nil }
            let start = Int(conflict - (index + 1))
            if seam.breaks(.keepConflictingSuffix) {
                appendKeepingConflicts(newEntries[start...])
            } else {
                append(Array(newEntries[start...]))
            }
        }
        if seam.breaks(.commitUnverifiedEntries) { return commitUnverified(commit, lastNew: lastNew) }
        commitTo(min(commit, lastNew))
        return lastNew
    }

    /// Appends entries (truncating any unstable conflicting suffix); returns the new last index.
    @discardableResult
    func append(_ newEntries: [Entry]) -> UInt64 {
        guard let first = newEntries.first else { return lastIndex() }
        guard invariants.require(first.index > committed, "append at \(first.index) overwrites committed \(committed)")
        else { return lastIndex() }
        unstable.truncateAndAppend(newEntries)
        return lastIndex()
    }

    func commitTo(_ index: UInt64) {
        guard index > committed else { return }
        guard invariants.require(index <= lastIndex(), "commit \(index) beyond last index \(lastIndex())") else {
            return
        }
        committed = index
    }

    /// Commits `index` if it belongs to `term` (Raft §5.4.2: only current-term entries are
    /// committed by counting replicas).
    func maybeCommit(index: UInt64, term: UInt64) -> Bool {
        guard index > committed else { return false }
        if self.term(at: index) == term {
            commitTo(index)
            return true
        }
        return false
    }

    /// The state machine's applied index found at start (at most the commit index).
    func recoverApplied(_ index: UInt64) {
        guard invariants.require(index <= committed, "applied \(index) beyond commit \(committed)") else { return }
        applied = max(applied, index)
        applying = max(applying, index)
    }

    /// The runtime applied every entry handed out up to `index`. An index at or below `applied`
    /// is a late acknowledgement (a snapshot moved past it): nothing to do.
    func appliedTo(_ index: UInt64) {
        guard index > applied else { return }
        guard invariants.require(index <= applying, "applied \(index) beyond the entries handed out (\(applying))")
        else { return }
        applied = index
        let done = unappliedBatches.prefix { $0.last <= index }
        unappliedBytes -= done.reduce(0) { $0 + $1.bytes }
        unappliedBatches.removeFirst(done.count)
    }

    /// The last index that may be handed out for applying.
    var applyLimit: UInt64 { committed }

    /// Whether committed entries wait to be handed out: none while a snapshot is pending, nor
    /// while `maxUnappliedBytes` of handed-out entries wait for their acknowledgement.
    func hasEntriesToApply(maxUnappliedBytes: Int) -> Bool {
        unstable.snapshot == nil && applyLimit > applying && unappliedBytes < maxUnappliedBytes
    }

    /// The next committed entries to apply (at most `maxBytes`, at least one), marked as handed
    /// out: the next call continues after them.
    func takeEntriesToApply(maxBytes: Int, maxUnappliedBytes: Int) -> [Entry] {
        guard hasEntriesToApply(maxUnappliedBytes: maxUnappliedBytes) else { return [] }
        let low = max(applying + 1, firstIndex())
        switch entries(from: low, to: applyLimit + 1, maxBytes: maxBytes) {
        case .success(let entries):
            guard let last = entries.last else { return [] }
            var bytes = 0
            for entry in entries { bytes += entry.data.count }
            applying = last.index
            unappliedBatches.append((last.index, bytes))
            unappliedBytes += bytes
            return entries
        case .failure(let error):
            invariants.fail("committed entries unavailable: \(error)")
            return []
        }
    }

    /// The snapshot to send a follower behind the compacted log. `compacted`, `unavailable` and
    /// `snapshotTemporarilyUnavailable` mean "not now, ask again later"; any other error (a
    /// refusal or a broken disk) is a storage failure: the node stops.
    func snapshot() -> Result<Snapshot, RaftStorageError> {
        if let snapshot = unstable.snapshot { return .success(snapshot) }
        do {
            return .success(try storage.snapshot())
        } catch let error as RaftStorageError where error.isRetryable {
            return .failure(error)
        } catch {
            invariants.storageFailed("reading the snapshot", error)
            return .failure(.unavailable)
        }
    }

    /// Replaces the log with a snapshot received from the leader.
    func restore(_ snapshot: Snapshot) {
        guard invariants.require(snapshot.metadata.index > committed, "snapshot not beyond commit \(committed)") else {
            return
        }
        committed = snapshot.metadata.index
        unstable.restore(snapshot)
    }

    /// Called once the runtime installed a snapshot: the state machine is at its index.
    func snapshotInstalled(at index: UInt64) {
        unstable.markSnapshotStable(at: index)
        if index > applied { applied = index }
        if index > applying { applying = index }
        unappliedBatches.removeAll { $0.last <= index }
        unappliedBytes = unappliedBatches.reduce(0) { $0 + $1.bytes }
    }
}
