import TestSupport
import Testing

@testable import SandboxState

/// `newestIDs`: the highest ids of a forward-only index, read backwards in bounded windows.
@Suite struct NewestQueryTests {
    /// A reader that counts its scans and the pairs they return.
    final class CountingReader: StateReading {
        let inner = MemoryStateStorage()
        var scans = 0
        var pairs = 0

        func value(for key: [UInt8]) throws -> [UInt8]? { try inner.value(for: key) }
        func scan(prefix: [UInt8], after: [UInt8]?, limit: Int) throws -> [(key: [UInt8], value: [UInt8])] {
            let page = try inner.scan(prefix: prefix, after: after, limit: limit)
            scans += 1
            pairs += page.count
            return page
        }
    }

    static let prefix: [UInt8] = [0x7f, 0x01]

    func reader(with ids: [UInt64]) throws -> CountingReader {
        let reader = CountingReader()
        var writes = StateWrites()
        for id in ids { writes.put(Self.prefix + StateKeys.bigEndian(id), []) }
        // A neighbouring index must not leak in.
        writes.put([0x7f, 0x02] + StateKeys.bigEndian(UInt64(5)), [])
        try reader.inner.commit(writes, appliedIndex: 1)
        return reader
    }

    @Test func matchesTheSortedIndexForDenseSparseAndMixedIDs() throws {
        var random = SeededGenerator(seed: 14)
        for round in 0..<60 {
            let count = Int.random(in: 0...400, using: &random)
            let ids: Set<UInt64> =
                switch round % 3 {
                case 0: Set((0..<count).map { _ in UInt64.random(in: 1...600, using: &random) })
                case 1: Set((0..<count).map { _ in UInt64.random(in: 1...(1 << 40), using: &random) })
                default:
                    Set(
                        (0..<count).map { index in
                            index % 2 == 0 ? UInt64(index + 1) : UInt64.random(in: 1...UInt64.max - 1, using: &random)
                        })
                }
            let reader = try reader(with: Array(ids))
            let limit = Int.random(in: 1...120, using: &random)
            let before = Bool.random(using: &random) ? UInt64.max : UInt64.random(in: 0...(1 << 41), using: &random)
            let expected = Array(ids.filter { $0 < before }.sorted(by: >).prefix(limit))
            let found = try StateQueries(reader).newestIDs(under: Self.prefix, before: before, limit: limit)
            #expect(found == expected, "round \(round): \(ids.count) ids, limit \(limit), before \(before)")
            // Bounded: each scan reads at most max(4 × limit, 64) + 1 pairs; the number of scans
            // grows with the log of the id range, not with the number of ids.
            // (At most 121 in these rounds.)
            #expect(reader.scans <= 200, "round \(round): \(reader.scans) scans")
            #expect(reader.pairs <= reader.scans * (max(4 * limit, 64) + 1))
        }
    }

    @Test func aDenseIndexCostsOneWindowAfterTheBisection() throws {
        let reader = try reader(with: Array(1...100_000))
        let found = try StateQueries(reader).newestIDs(under: Self.prefix, before: .max, limit: 100)
        #expect(found == Array((99_901...100_000).reversed()))
        // The highest id by bisection (one-key scans), then one window of 200 ids.
        #expect(reader.pairs < 2_000, "\(reader.pairs) pairs read")
    }
}
