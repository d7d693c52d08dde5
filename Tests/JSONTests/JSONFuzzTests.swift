import Foundation
import TestSupport
import Testing

@testable import JSON

/// Seeded fuzzing of the parser and serializer, each run asserting a property:
/// - any value the module can hold survives serialize -> parse unchanged (compact and pretty,
///   sorted or not), and serializing is a fixpoint (`serialize(parse(serialize(v))) == serialize(v)`);
/// - any byte string either parses to a value that round-trips, or is refused with a
///   `JSONParseError` whose line and column point inside the input.
/// Replay a failure with `JSON_FUZZ_SEED=n`; `LONG=1` runs ten times the rounds.
@Suite struct JSONFuzzTests {
    static let environment = ProcessInfo.processInfo.environment
    static let seed = UInt64(environment["JSON_FUZZ_SEED"] ?? "") ?? 20_261_130
    static let rounds = environment["LONG"] == "1" ? 50_000 : 5_000

    // MARK: generators

    static let stringPieces = [
        "", "a", "key", "\"", "\\", "/", "\n", "\r\n", "\t", "\u{0}", "\u{1F}", "\u{7F}", "é", "e\u{301}", "ß", "€",
        "😀", "\u{FEFF}", "\u{2028}", "{}[],:", "null", "-0", "1e5", "\u{10FFFF}",
    ]
    static let numberLiterals = [
        "0", "-0", "1", "-1", "0.5", "1.0", "-2.25", "1e30", "1E-7", "0.0075", "3.14159", "9223372036854775807",
        "-9223372036854775808", "9223372036854775808", "12345678901234567890123", "1e400", "-1.5e-400", "100e-2",
    ]

    static func string(_ random: inout SeededGenerator) -> String {
        var text = ""
        for _ in 0..<random.below(4) { text += random.pick(stringPieces) }
        return text
    }

    static func number(_ random: inout SeededGenerator) -> JSONNumber {
        switch random.below(3) {
        case 0: return JSONNumber(Int64.random(in: Int64.min...Int64.max, using: &random))
        case 1: return JSONNumber(Int.random(in: -1000...1000, using: &random))
        default: return JSONNumber(literal: random.pick(numberLiterals))!
        }
    }

    static func value(_ random: inout SeededGenerator, depth: Int) -> JSONValue {
        switch random.below(depth > 0 ? 8 : 5) {
        case 0: return .null
        case 1: return .bool(random.chance(50))
        case 2: return .number(number(&random))
        case 3, 4: return .string(string(&random))
        case 5: return .array((0..<random.below(4)).map { _ in value(&random, depth: depth - 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.below(4) { members[string(&random)] = value(&random, depth: depth - 1) }
            return .object(members)
        }
    }

    /// `text` with 1 to 4 byte edits: replace, delete, or insert a byte that matters to JSON.
    static func mutate(_ text: [UInt8], _ random: inout SeededGenerator) -> [UInt8] {
        var bytes = text
        for _ in 0..<(1 + random.below(4)) {
            if bytes.isEmpty { bytes = [0x30] }
            let offset = random.below(bytes.count)
            switch random.below(3) {
            case 0: bytes[offset] = UInt8.random(in: 0...255, using: &random)
            case 1: bytes.remove(at: offset)
            default: bytes.insert(random.pick(Array("{}[],:\"\\0e-.u \n".utf8)), at: offset)
            }
        }
        return bytes
    }

    // MARK: properties

    /// The round trip every parsed or generated value must make.
    static func expectRoundTrip(_ value: JSONValue, _ context: @autoclosure () -> String) {
        let compact = value.serialized()
        do {
            let reparsed = try JSONValue(parsing: compact)
            #expect(reparsed == value, "\(context()): compact \(compact)")
            #expect(reparsed.serialized() == compact, "\(context()): not a fixpoint")
            #expect(try JSONValue(parsing: value.serialized(pretty: true)) == value, "\(context()): pretty")
            #expect(try JSONValue(parsing: value.serialized(sortedKeys: false)) == value, "\(context()): unsorted")
        } catch {
            Issue.record("\(context()): serialized text \(compact) does not parse: \(error)")
        }
    }

    /// Parses `bytes`: a value must round-trip; an error must point inside the input.
    /// Returns whether the bytes parsed.
    static func expectParsesOrPositionedError(_ bytes: [UInt8], _ context: @autoclosure () -> String) -> Bool {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch {
            let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
            let inside =
                error.line >= 1 && error.line <= lines.count && error.column >= 1
                && error.column <= lines[error.line - 1].count + 1
            #expect(inside, "\(context()): \(error) outside \(bytes.count) bytes in \(lines.count) lines")
            #expect(!error.message.isEmpty, "\(context())")
            return false
        }
        expectRoundTrip(value, context())
        return true
    }

    @Test func generatedValuesRoundTrip() {
        var random = SeededGenerator(seed: Self.seed)
        var objects = 0
        for round in 0..<Self.rounds {
            let value = Self.value(&random, depth: 4)
            if case .object(let members) = value, !members.isEmpty { objects += 1 }
            Self.expectRoundTrip(value, "seed \(Self.seed) round \(round)")
        }
        #expect(objects > Self.rounds / 10)
    }

    @Test func mutatedTextParsesOrFailsWithAPosition() {
        var random = SeededGenerator(seed: Self.seed &+ 1)
        var parsed = 0
        var refused = 0
        for round in 0..<Self.rounds {
            let original = Array(Self.value(&random, depth: 3).serialized(pretty: random.chance(30)).utf8)
            let bytes = Self.mutate(original, &random)
            if Self.expectParsesOrPositionedError(bytes, "seed \(Self.seed &+ 1) round \(round)") {
                parsed += 1
            } else {
                refused += 1
            }
        }
        // Both outcomes must be exercised, or the property says little.
        #expect(parsed > Self.rounds / 20)
        #expect(refused > Self.rounds / 4)
    }

    @Test func randomBytesParseOrFailWithAPosition() {
        var random = SeededGenerator(seed: Self.seed &+ 2)
        var parsed = 0
        for round in 0..<Self.rounds {
            // Bias towards JSON's own bytes so that some inputs get deep into the parser.
            let alphabet = Array("{}[],:\"\\ \n0123456789-+.eEtrufalsn".utf8)
            let bytes = (0..<random.below(24)).map { _ in
                random.chance(70) ? random.pick(alphabet) : UInt8.random(in: 0...255, using: &random)
            }
            if Self.expectParsesOrPositionedError(bytes, "seed \(Self.seed &+ 2) round \(round): \(bytes)") {
                parsed += 1
            }
        }
        #expect(parsed > 0)
    }

    @Test func errorsPointAtTheOffendingByte() throws {
        // A known fault at a known place: the position is the place, not merely inside the text.
        let cases: [(String, Int, Int)] = [
            ("[1,]", 1, 4), ("{\n  \"a\" 1}", 2, 7), ("[1, 2]\n x", 2, 2), ("\"a\u{01}\"", 1, 3), ("[tru]", 1, 2),
        ]
        for (text, line, column) in cases {
            do {
                _ = try JSONValue(parsing: text)
                Issue.record("\(text) parsed")
            } catch {
                #expect(error.line == line && error.column == column, "\(text): \(error)")
            }
        }
    }
}
