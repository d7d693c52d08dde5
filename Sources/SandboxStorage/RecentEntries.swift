import Raft

/// The newest entries of the log, kept in memory as they were appended, so that handing
/// committed entries to the state machine (and sending recent entries to followers) does not
/// read back and decode what was written a moment ago. A contiguous run ending at the log's last
/// index, bounded by ``maxEntries`` and ``maxBytes`` (the oldest leave first). It only mirrors
/// the log: an append replaces the suffix it conflicts with, compaction and a snapshot drop what
/// they discard, and a read it cannot answer whole goes to the segment files.
struct RecentEntries: Sendable {
    static let maxEntries = 8_192
    static let maxBytes = 8 << 20

    private var entries: [Entry] = []
    /// Position of the oldest kept entry in `entries` (the front is trimmed lazily).
    private var head = 0
    private var bytes = 0

    var isEmpty: Bool { head == entries.count }
    var firstIndex: UInt64? { isEmpty ? nil : entries[head].index }
    var lastIndex: UInt64? { entries.last.map(\.index) }

    /// Records entries just written at the end of the log (contiguous, the first may replace a
    /// suffix). A run that does not join what is kept replaces it.
    mutating func appended(_ fresh: some Collection<Entry>) {
        guard let first = fresh.first else { return }
        if let kept = firstIndex, let last = lastIndex, first.index >= kept, first.index <= last + 1 {
            discard(from: first.index)
        } else {
            removeAll()
        }
        for entry in fresh {
            entries.append(entry)
            bytes += entry.data.count
        }
        trim()
    }

    /// Drops the entries at or before `index` (compaction).
    mutating func discard(through index: UInt64) {
        while head < entries.count, entries[head].index <= index {
            bytes -= entries[head].data.count
            head += 1
        }
        compactStorage()
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        head = 0
        bytes = 0
    }

    /// The entries `low..<high` under the same `maxBytes` rule as the store's read (the first
    /// entry always, then as many as fit), or nil when they are not all kept.
    func entries(from low: UInt64, to high: UInt64, maxBytes: Int) -> [Entry]? {
        guard let first = firstIndex, let last = lastIndex, low >= first, high <= last + 1, low < high else {
            return nil
        }
        let start = head + Int(low - first)
        let end = head + Int(high - first)
        var result: [Entry] = []
        var total = 0
        for position in start..<end {
            let entry = entries[position]
            total += entry.data.count
            if !result.isEmpty, total > maxBytes { break }
            result.append(entry)
        }
        return result
    }

    /// Drops the kept entries at or after `index`.
    private mutating func discard(from index: UInt64) {
        while entries.count > head, let last = entries.last, last.index >= index {
            bytes -= last.data.count
            entries.removeLast()
        }
        if isEmpty { removeAll() }
    }

    private mutating func trim() {
        while entries.count - head > Self.maxEntries || (bytes > Self.maxBytes && entries.count - head > 1) {
            bytes -= entries[head].data.count
            head += 1
        }
        compactStorage()
    }

    /// Moves the kept entries to the front once the trimmed part is at least half the array.
    private mutating func compactStorage() {
        if isEmpty {
            removeAll()
        } else if head > 0, head * 2 >= entries.count {
            entries.removeFirst(head)
            head = 0
        }
    }
}
