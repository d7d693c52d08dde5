/// Waiters by log index, with their number kept as they come and go: `ProposalWaiters.count` is
/// read for every proposal the loop queues (the bound on waiting proposals), and summing the
/// table there made a pass over n proposals cost n times the entries waiting to be applied (a
/// pass with 18,511 proposals took 24 s in a debug build, and the loop lost its leadership).
struct IndexedWaiters<Element> {
    private(set) var byIndex: [UInt64: [Element]] = [:]
    /// The waiters at every index together.
    private(set) var count = 0

    var isEmpty: Bool { byIndex.isEmpty }

    mutating func append(_ element: Element, at index: UInt64) {
        byIndex[index, default: []].append(element)
        count += 1
    }

    /// The waiters at `index` (or nil), no longer kept.
    mutating func removeValue(forKey index: UInt64) -> [Element]? {
        guard let removed = byIndex.removeValue(forKey: index) else { return nil }
        count -= removed.count
        return removed
    }

    /// Keeps `elements` at `index` in place of what was there (none: nothing at `index`).
    mutating func replace(at index: UInt64, with elements: [Element]) {
        count += elements.count - (byIndex[index]?.count ?? 0)
        byIndex[index] = elements.isEmpty ? nil : elements
    }

    mutating func removeAll() {
        byIndex = [:]
        count = 0
    }

    subscript(index: UInt64) -> [Element]? { byIndex[index] }
}
