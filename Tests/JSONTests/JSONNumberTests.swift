import Testing

@testable import JSON

@Suite struct JSONNumberTests {
    private func number(_ literal: String) -> JSONNumber { JSONNumber(literal: literal)! }

    @Test func integersWhateverTheirSpelling() {
        #expect(number("1.0").isInteger)
        #expect(number("1e3").int64Value == 1000)
        #expect(number("-0").int64Value == 0)
        #expect(!number("1.5").isInteger)
        #expect(number("12345678901234567890123").isInteger)
        #expect(number("12345678901234567890123").int64Value == nil)
        #expect(number("-9223372036854775808").int64Value == .min)
        #expect(number("9223372036854775808").int64Value == nil)
    }

    @Test func equalityAndOrderAreByValue() {
        #expect(number("1") == number("1.0"))
        #expect(number("1") == number("10e-1"))
        #expect(number("1").hashValue == number("1.00").hashValue)
        #expect(number("0.1") < number("0.11"))
        #expect(number("-1e400") < number("-5"))
        #expect(number("1e400") > number("9223372036854775807"))
        #expect(number("-0.5") < number("0"))
        #expect(number("12345678901234567890123") < number("12345678901234567890124"))
    }

    @Test func multipleOfIsExact() {
        #expect(number("0.075").isMultiple(of: number("0.0075")))
        #expect(!number("0.00751").isMultiple(of: number("0.0001")))
        #expect(number("19.99").isMultiple(of: number("0.01")))
        #expect(!number("1e308").isMultiple(of: number("0.123456789")))
        #expect(number("12391239123").isMultiple(of: number("1e-8")))
        #expect(number("1e100000").isMultiple(of: number("8")))
        #expect(!number("1e100000").isMultiple(of: number("3")))
        #expect(number("36893488147419103232").isMultiple(of: number("18446744073709551616")))
        #expect(!number("36893488147419103233").isMultiple(of: number("18446744073709551616")))
        #expect(!number("0.5").isMultiple(of: number("1e-100000")) == false)
    }

    @Test func canonicalText() {
        #expect(number("1.50").description == "1.5")
        #expect(number("0.0075").description == "0.0075")
        #expect(number("1e400").description == "1e400")
        #expect(number("-2.5e-10").description == "-2.5e-10")
        #expect(number("100").description == "100")
        #expect(JSONNumber(0.1)!.description == "0.1")
        #expect(JSONNumber(Double.nan) == nil)
        #expect(JSONNumber(Double.infinity) == nil)
        #expect(number("1e400").doubleValue == .infinity)
        #expect(number("0.25").doubleValue == 0.25)
    }
}

@Suite struct JSONNumberComparisonTests {
    @Test(arguments: [
        ("0.5", "0", 1), ("-0.5", "0", -1), ("0.5", "1", -1), ("10.5", "10", 1), ("9.5", "10", -1),
        ("1e20", "9223372036854775807", 1), ("-1e20", "-9223372036854775808", -1), ("99.99", "100", -1),
        ("100.01", "100", 1), ("-100.01", "-100", -1), ("1.5", "-2", 1), ("12345678901234567890", "12", 1),
    ])
    func decimalAgainstInteger(_ left: String, _ right: String, _ expected: Int) {
        let a = JSONNumber(literal: left)!
        let b = JSONNumber(literal: right)!
        #expect(JSONNumber.compare(a, b) == expected)
        #expect(JSONNumber.compare(b, a) == -expected)
    }
}
