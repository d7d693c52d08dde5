import Raft
import TestSupport
import Testing

@testable import SandboxStorage

/// `RecentEntries` against a plain array of the whole log: random appends (some replacing a
/// suffix), compactions and clears; every answer it gives equals the log's, it answers the
/// newest entries, and it stays within its bounds.
@Suite struct RecentEntriesTests {
    @Test(arguments: [UInt64(1), 2, 3, 4])
    func answersLikeTheWholeLog(seed: UInt64) {
        var random = TestRandom(seed: seed)
        var recent = RecentEntries()
        var log: [Entry] = []  // every entry after `compacted`
        var compacted: UInt64 = 0
        var term: UInt64 = 1
        var answered = 0
        for step in 0..<2_000 {
            let last = log.last?.index ?? compacted
            switch random.below(20) {
            case 0..<14:
                var start = last + 1
                if random.below(5) == 0, !log.isEmpty {
                    start = compacted + 1 + random.below(UInt64(log.count))
                    term += 1
                }
                let size = Int(random.below(3_000))
                let fresh = (start...(start + random.below(40))).map {
                    Entry(term: term, index: $0, data: [UInt8](repeating: UInt8($0 & 0xFF), count: size))
                }
                log.removeLast(log.count - Int(start - compacted - 1))
                log.append(contentsOf: fresh)
                recent.appended(fresh)
                #expect(recent.lastIndex == fresh.last!.index, "step \(step)")
            case 14..<17:
                guard !log.isEmpty else { continue }
                let index = compacted + 1 + random.below(UInt64(log.count))
                log.removeFirst(Int(index - compacted))
                compacted = index
                recent.discard(through: index)
            case 17:
                recent.removeAll()
            default:
                break
            }
            if let first = recent.firstIndex, let kept = recent.lastIndex {
                #expect(first > compacted && kept == log.last?.index, "step \(step)")
                #expect(kept - first + 1 <= UInt64(RecentEntries.maxEntries))
            }
            guard let lastIndex = log.last?.index else { continue }
            let low = compacted + 1 + random.below(lastIndex - compacted)
            let high = low + random.below(lastIndex - low + 2)
            let maxBytes = Int(random.below(20_000))
            if let kept = recent.entries(from: low, to: high, maxBytes: maxBytes) {
                answered += 1
                #expect(kept == Self.read(log, from: low, to: high, maxBytes: maxBytes), "step \(step)")
            }
        }
        #expect(answered > 500, "the kept entries answered \(answered) reads")
    }

    @Test func boundedByCountAndBytes() {
        var recent = RecentEntries()
        recent.appended((1...UInt64(RecentEntries.maxEntries + 100)).map { Entry(term: 1, index: $0) })
        #expect(recent.firstIndex == 101)
        #expect(recent.lastIndex == UInt64(RecentEntries.maxEntries + 100))
        let big = [UInt8](repeating: 1, count: RecentEntries.maxBytes / 4)
        recent.appended(
            (UInt64(RecentEntries.maxEntries + 101)...UInt64(RecentEntries.maxEntries + 110)).map {
                Entry(term: 1, index: $0, data: big)
            })
        // Only what fits in maxBytes stays: the last four quarter-size entries (exactly full).
        #expect(recent.firstIndex == UInt64(RecentEntries.maxEntries + 107))
        #expect(recent.entries(from: 1, to: 2, maxBytes: .max) == nil)
    }

    /// The store's read rule: the first entry always, then while the payload bytes fit.
    private static func read(_ log: [Entry], from low: UInt64, to high: UInt64, maxBytes: Int) -> [Entry] {
        var result: [Entry] = []
        var total = 0
        for entry in log where entry.index >= low && entry.index < high {
            total += entry.data.count
            if !result.isEmpty, total > maxBytes { break }
            result.append(entry)
        }
        return result
    }
}
