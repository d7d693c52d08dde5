/// Entries (and possibly a snapshot) the core has accepted but the runtime has not yet
/// persisted. `entries[0]` has index `offset`.
struct UnstableLog {
    var snapshot: Snapshot?
    var entries: [Entry] = []
    var offset: UInt64

    init(offset: UInt64) {
        self.offset = offset
    }

    /// The first index when a snapshot is pending.
    var firstIndexIfSnapshot: UInt64? { snapshot.map { $0.metadata.index + 1 } }

    /// The last index held here, if any.
    var lastIndex: UInt64? {
        if !entries.isEmpty { return offset + UInt64(entries.count) - 1 }
        return snapshot?.metadata.index
    }

    func term(at index: UInt64) -> UInt64? {
        if index < offset {
            if let snapshot, snapshot.metadata.index == index { return snapshot.metadata.term }
            return nil
        }
        guard let last = lastIndex, index <= last else { return nil }
        return entries[Int(index - offset)].term
    }

    /// Entries up to `index` (with `term`) are now durable.
    mutating func markStable(upTo index: UInt64, term: UInt64) {
        guard let entryTerm = self.term(at: index), entryTerm == term, index >= offset else { return }
        let count = Int(index - offset + 1)
        if count >= entries.count {
            entries.removeAll(keepingCapacity: true)
        } else {
            entries.removeFirst(count)
        }
        offset = index + 1
    }

    mutating func markSnapshotStable(at index: UInt64) {
        if let snapshot, snapshot.metadata.index == index { self.snapshot = nil }
    }

    mutating func restore(_ snapshot: Snapshot) {
        offset = snapshot.metadata.index + 1
        entries.removeAll()
        self.snapshot = snapshot
    }

    /// Appends, truncating whatever unstable entries conflict with `newEntries`.
    mutating func truncateAndAppend(_ newEntries: [Entry]) {
        guard let first = newEntries.first else { return }
        let after = first.index
        if after == offset + UInt64(entries.count) {
            entries.append(contentsOf: newEntries)
        } else if after <= offset {
            offset = after
            entries = newEntries
        } else {
            entries.removeSubrange(Int(after - offset)...)
            entries.append(contentsOf: newEntries)
        }
    }

    func slice(from low: UInt64, to high: UInt64) -> ArraySlice<Entry> {
        precondition(
            low >= offset && high <= offset + UInt64(entries.count) && low <= high, "unstable slice out of bounds")
        return entries[Int(low - offset)..<Int(high - offset)]
    }
}
