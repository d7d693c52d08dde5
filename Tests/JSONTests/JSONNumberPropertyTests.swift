import TestSupport
import Testing

@testable import JSON

/// The inline paths (integers and short fractions compared and divided in `Int64`, the parser's
/// compact path) against the general path on digit arrays, on random literals around the
/// boundaries of the inline storage (18 and 19 digits, large exponents, zeros, signs).
@Suite struct JSONNumberPropertyTests {
    private func randomLiteral(_ random: inout SeededGenerator) -> String {
        let digitCount = [1, 2, 3, 17, 18, 19, 20, 25].randomElement(using: &random)!
        var digits = (0..<digitCount).map { _ in
            Int.random(in: 0..<4, using: &random) == 0 ? "0" : String(Int.random(in: 0...9, using: &random))
        }.joined()
        if Bool.random(using: &random) {
            let point = Int.random(in: 1...digitCount, using: &random)
            if point < digitCount {
                digits.insert(".", at: digits.index(digits.startIndex, offsetBy: point))
            }
        }
        // A literal cannot start with a redundant 0 ("01"): drop leading zeros before the point.
        while digits.count > 1, digits.hasPrefix("0"), !digits.hasPrefix("0.") { digits.removeFirst() }
        let sign = Bool.random(using: &random) ? "-" : ""
        switch Int.random(in: 0..<6, using: &random) {
        case 0: return sign + digits + "e" + String(Int.random(in: -40...40, using: &random))
        case 1: return sign + digits + "e" + String(Int.random(in: -40_000...40_000, using: &random))
        default: return sign + digits
        }
    }

    /// The digits and exponent of a literal, as the general path builds them.
    private func byDigits(_ literal: String) -> JSONNumber {
        let mantissa = literal.split(separator: "e").first!
        let exponent = literal.contains("e") ? Int(literal.split(separator: "e").last!)! : 0
        let isNegative = mantissa.hasPrefix("-")
        let fraction = mantissa.split(separator: ".").dropFirst().first?.count ?? 0
        let digits = mantissa.compactMap { $0.wholeNumberValue.map(UInt8.init) }
        return JSONNumber.normalized(isNegative: isNegative, digits: digits, exponent: exponent - fraction)
    }

    @Test func inlinePathsAgreeWithDigitArrays() throws {
        var random = SeededGenerator(seed: 0x5eed_2026)
        var fractions = 0
        for _ in 0..<4_000 {
            let (leftText, rightText) = (randomLiteral(&random), randomLiteral(&random))
            let left = try #require(JSONNumber(literal: leftText), "\(leftText)")
            let right = try #require(JSONNumber(literal: rightText), "\(rightText)")
            #expect(left.storage == byDigits(leftText).storage, "\(leftText) parsed differently")
            if case .fraction = left.storage { fractions += 1 }
            let order = JSONNumber.compareByDigits(left, right)
            #expect(JSONNumber.compare(left, right) == order, "\(leftText) vs \(rightText)")
            #expect((left == right) == (order == 0), "\(leftText) == \(rightText)")
            if left == right { #expect(left.hashValue == right.hashValue) }
            let step = order < 0 ? JSONNumber.compareByDigits(right, 0) : JSONNumber.compareByDigits(left, 0)
            if step > 0 {
                let (value, divisor) = order < 0 ? (left, right) : (right, left)
                #expect(
                    value.isMultiple(of: divisor) == value.isMultipleByDigits(of: divisor), "\(value) % \(divisor)")
            }
            #expect(JSONNumber(literal: left.description)?.storage == left.storage, "\(leftText) round trip")
        }
        #expect(fractions > 500, "too few inline fractions generated: \(fractions)")
    }

    @Test func multiplesAcrossStorages() {
        let cases: [(String, String, Bool)] = [
            ("9.5", "0.25", true), ("1.1", "0.25", false), ("-7.5", "2.5", true),
            ("0.000000000000000001", "1e-18", true),
            ("123456789012345678", "0.5", true), ("12345678901234567.8", "0.1", true),
            ("12345678901234567.8", "0.3", true), ("12345678901234567.8", "0.7", false), ("1e-20", "1e-21", true),
            ("10", "0.1", true),
        ]
        for (value, step, expected) in cases {
            let number = JSONNumber(literal: value)!
            #expect(number.isMultiple(of: JSONNumber(literal: step)!) == expected, "\(value) % \(step)")
        }
    }
}
