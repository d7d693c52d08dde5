/// The term of every entry in the log, kept in memory as runs (terms change rarely, so a log
/// of millions of entries has a handful of runs). Lets `term(at:)` answer without a disk read.
struct TermIndex: Sendable, Equatable {
    struct Run: Sendable, Equatable {
        var firstIndex: UInt64
        var term: UInt64
    }

    private(set) var runs: [Run] = []

    /// The term of `index`, which the caller has checked lies inside the log.
    func term(at index: UInt64) -> UInt64? {
        var low = 0
        var high = runs.count
        // First run whose firstIndex > index, minus one.
        while low < high {
            let middle = (low + high) / 2
            if runs[middle].firstIndex <= index { low = middle + 1 } else { high = middle }
        }
        return low == 0 ? nil : runs[low - 1].term
    }

    /// Records that entry `index` (the next after the current last) has `term`.
    mutating func append(index: UInt64, term: UInt64) {
        if let last = runs.last, last.term == term { return }
        runs.append(Run(firstIndex: index, term: term))
    }

    /// Forgets entries at and after `index`.
    mutating func truncate(from index: UInt64) {
        while let last = runs.last, last.firstIndex >= index { runs.removeLast() }
    }

    /// Forgets entries before `index`.
    mutating func discard(before index: UInt64) {
        while runs.count >= 2, runs[1].firstIndex <= index { runs.removeFirst() }
        if !runs.isEmpty, runs[0].firstIndex < index { runs[0].firstIndex = index }
    }

    mutating func removeAll() { runs.removeAll() }
}
