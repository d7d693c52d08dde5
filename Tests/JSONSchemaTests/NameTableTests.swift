import JSON
import TestSupport
import Testing

@testable import JSONSchema

/// `NameTable` (and `SmallString` under it) must find exactly what a byte-for-byte search finds,
/// whatever way the strings were built (literals, decoded bytes, substrings, long, non-ASCII,
/// canonically equivalent but different code points).
@Suite struct NameTableTests {
    static let pieces = ["a", "b", "é", "e\u{301}", "😀", "key", "_", "0", "fifteen-bytes!!", "sixteen-bytes!!!"]

    static func name(_ random: inout SeededGenerator) -> String {
        (0..<random.below(4)).map { _ in random.pick(pieces) }.joined()
    }

    /// The same text built another way (so its storage may differ).
    static func rebuilt(_ text: String, _ random: inout SeededGenerator) -> String {
        switch random.below(3) {
        case 0: return String(decoding: Array(text.utf8), as: UTF8.self)
        case 1: return String(("x" + text).dropFirst())
        default: return text
        }
    }

    @Test func lookupsAgreeWithAByteSearch() {
        var random = SeededGenerator(seed: 11)
        var hits = 0
        for _ in 0..<300 {
            let names = (0..<random.below(12)).map { _ in Self.name(&random) }
            let table = NameTable.allocate(names)
            defer { table.deallocate() }
            for _ in 0..<20 {
                let probe = Self.rebuilt(random.chance(50) ? random.pick(names + [""]) : Self.name(&random), &random)
                let expected = names.firstIndex { Array($0.utf8) == Array(probe.utf8) }
                #expect(table.index(of: probe) == expected, "\(names) / \(probe)")
                if expected != nil { hits += 1 }
            }
        }
        #expect(hits > 1_000)
    }

    @Test func smallStringWordsAreEqualExactlyWhenTheBytesAre() {
        #expect(SmallString.isAvailable)
        var random = SeededGenerator(seed: 12)
        for _ in 0..<2_000 {
            let left = Self.rebuilt(Self.name(&random), &random)
            let right = Self.rebuilt(random.chance(30) ? left : Self.name(&random), &random)
            guard let leftWords = SmallString.words(of: left), let rightWords = SmallString.words(of: right) else {
                #expect(left.utf8.count > 15 || right.utf8.count > 15, "\(left) / \(right) not small")
                continue
            }
            #expect((leftWords == rightWords) == (Array(left.utf8) == Array(right.utf8)), "\(left) / \(right)")
        }
    }
}
