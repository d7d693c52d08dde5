import TestSupport
import Testing

@testable import SandboxState

/// The batch's write table: the last write of each key, handed to the store in byte order.
@Suite struct StateWritesTests {
    /// Keys like the state's (a table prefix, identifiers that share long prefixes, zero
    /// separators, big-endian numbers), some of them prefixes of others.
    func randomKey(_ random: inout SeededGenerator) -> [UInt8] {
        let tables: [[UInt8]] = [Array("i/".utf8), Array("j/".utf8), Array("a/".utf8), Array("m/idem".utf8), []]
        var key = tables[Int(random.next() % UInt64(tables.count))]
        let agent = Array("agent-\(random.next() % 30)".utf8)
        key += agent.prefix(Int(random.next() % UInt64(agent.count + 1)))
        for _ in 0..<Int(random.next() % 12) {
            key.append([0, 1, 0x7f, 0x80, 0xff, UInt8(ascii: "a")][Int(random.next() % 6)])
        }
        return key
    }

    @Test func sortedIsByteOrderAndKeepsTheLastWrite() {
        var random = SeededGenerator(seed: 10)
        for round in 0..<200 {
            var writes = StateWrites()
            var expected: [[UInt8]: [UInt8]?] = [:]
            for step in 0..<Int(random.next() % 300) {
                let key = randomKey(&random)
                if random.next() % 4 == 0 {
                    writes.delete(key)
                    expected[key] = .some(nil)
                } else {
                    let value = [UInt8(truncatingIfNeeded: step), UInt8(truncatingIfNeeded: round)]
                    writes.put(key, value)
                    expected[key] = .some(value)
                }
            }
            let sorted = writes.sorted
            #expect(sorted.map(\.key) == expected.keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(sorted.allSatisfy { expected[$0.key] == .some($0.value) })
            #expect(writes.count == expected.count)
        }
    }

    /// Writes handed over already in key order (the overlay's commit) come out as they went in,
    /// and writes made on top of them afterwards replace theirs key by key.
    @Test func orderedWritesStayAsGivenAndLaterWritesReplaceThem() {
        var random = SeededGenerator(seed: 11)
        for round in 0..<100 {
            var expected: [[UInt8]: [UInt8]?] = [:]
            for step in 0..<Int(random.next() % 100) {
                let value = [UInt8(truncatingIfNeeded: step), UInt8(truncatingIfNeeded: round)]
                expected[randomKey(&random)] = random.next() % 4 == 0 ? .some(nil) : .some(value)
            }
            let ordered = expected.sorted { $0.key.lexicographicallyPrecedes($1.key) }.map { ($0.key, $0.value) }
            var writes = StateWrites(ordered: ordered)
            #expect(writes.sorted.map(\.key) == ordered.map(\.0))
            #expect(writes.count == expected.count)
            for step in 0..<Int(random.next() % 20) {
                let key = randomKey(&random)
                if random.next() % 3 == 0 {
                    writes.delete(key)
                    expected[key] = .some(nil)
                } else {
                    writes.put(key, [UInt8(truncatingIfNeeded: step)])
                    expected[key] = .some([UInt8(truncatingIfNeeded: step)])
                }
            }
            let sorted = writes.sorted
            #expect(sorted.map(\.key) == expected.keys.sorted { $0.lexicographicallyPrecedes($1) })
            #expect(sorted.allSatisfy { expected[$0.key] == .some($0.value) })
            #expect(writes.count == expected.count)
        }
    }
}
