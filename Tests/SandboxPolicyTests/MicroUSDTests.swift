import JSON
import TestSupport
import Testing

@testable import SandboxPolicy

/// Dollar amounts convert to whole micro-dollars exactly, never through floating point.
@Suite struct MicroUSDTests {
    static func number(_ text: String) -> JSONNumber { JSONNumber(literal: text)! }

    @Test(
        arguments: [
            ("0", 0), ("1", 1_000_000), ("0.25", 250_000), ("25.125", 25_125_000), ("0.000001", 1), ("1e-6", 1),
            ("1.5e3", 1_500_000_000), ("12.000000", 12_000_000), ("9223372036854.775807", Int64.max),
        ] as [(String, Int64)])
    func exactAmountsConvert(_ text: String, _ micro: Int64) {
        #expect(MicroUSD.exact(MicroUSDTests.number(text)) == micro)
        #expect(MicroUSD.roundedUp(MicroUSDTests.number(text)) == micro)
    }

    @Test(
        arguments: [
            ("0.0000001", 1), ("0.0000015", 2), ("1.0000001", 1_000_001), ("1e-30", 1), ("-0.5", 0),
            ("9223372036854.775808", Int64.max), ("1e40", Int64.max),
        ] as [(String, Int64)])
    func inexactAmountsAreRefusedOrRoundedUp(_ text: String, _ roundedUp: Int64) {
        #expect(MicroUSD.exact(MicroUSDTests.number(text)) == nil)
        #expect(MicroUSD.roundedUp(MicroUSDTests.number(text)) == roundedUp)
    }

    /// Property: any amount converts as its digits say, with the decimal point moved six places
    /// in the text (the reference here): up to 18 significant digits the number is scaled as
    /// held, 19 and more are read from the text.
    @Test func amountsConvertAsTheirDigitsSay() {
        var random = SeededGenerator(seed: 9)
        for _ in 0..<5_000 {
            // A JSON literal has no leading zero; trailing zeros are kept.
            let rest = (0..<random.below(20)).map { _ in String(random.below(10)) }
            let digits = String(1 + random.below(9)) + rest.joined()
            let exponent = random.below(30) - 25
            let number = MicroUSDTests.number("\(digits)e\(exponent)")
            let scale = exponent + 6
            let kept = scale >= 0 ? digits.count : max(0, digits.count + scale)
            let whole = String(digits.prefix(kept)) + String(repeating: "0", count: max(0, scale))
            let exact = digits.dropFirst(kept).allSatisfy { $0 == "0" }
            let micro = whole.isEmpty ? 0 : Int64(whole)  // nil: over Int64.max
            #expect(MicroUSD.exact(number) == (exact ? micro : nil), "\(digits)e\(exponent)")
            let roundedUp = micro.map { exact || $0 == .max ? $0 : $0 + 1 } ?? .max
            #expect(MicroUSD.roundedUp(number) == roundedUp, "\(digits)e\(exponent)")
        }
    }

    /// Property: micro-dollars → dollars → micro-dollars is the identity.
    @Test func dollarsRoundTrip() {
        var random = SeededGenerator(seed: 8)
        for _ in 0..<5_000 {
            let micro =
                random.chance(50) ? Int64(random.below(10_000_000)) : Int64.random(in: 0...Int64.max, using: &random)
            let dollars = MicroUSD.dollars(micro)
            #expect(MicroUSD.exact(dollars) == micro, "\(micro) -> \(dollars)")
        }
        #expect(MicroUSD.dollars(250_000) == JSONNumber(0.25))
    }
}
