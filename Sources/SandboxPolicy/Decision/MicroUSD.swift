import JSON

/// Dollar amounts in whole micro-dollars (1 USD = 1,000,000 µUSD), the unit a budget ledger adds
/// and compares exactly. Policies and requests write dollars as JSON numbers (`0.25`); these
/// conversions never go through floating point.
public enum MicroUSD {
    public static let perDollar: Int64 = 1_000_000

    /// `dollars` in micro-dollars when it is a whole number of them from 0 to `Int64.max`
    /// (at most six decimal places, at most about 9.2 trillion dollars); otherwise nil.
    public static func exact(_ dollars: JSONNumber) -> Int64? {
        guard case .value(let micro, exact: true) = convert(dollars) else { return nil }
        return micro
    }

    /// `dollars` in micro-dollars rounded up (a cost is never under-counted), saturating at
    /// `Int64.max`; a negative amount counts as 0.
    public static func roundedUp(_ dollars: JSONNumber) -> Int64 {
        switch convert(dollars) {
        case .negative: return 0
        case .overflow: return .max
        case .value(let micro, let exact): return exact || micro == .max ? micro : micro + 1
        }
    }

    /// `micro` micro-dollars as a dollar amount (`250000` → `0.25`).
    public static func dollars(_ micro: Int64) -> JSONNumber {
        let sign = micro < 0 ? "-" : ""
        let magnitude = micro.magnitude
        let whole = magnitude / UInt64(perDollar)
        let fraction = magnitude % UInt64(perDollar)
        guard fraction > 0 else { return JSONNumber(literal: "\(sign)\(whole)") ?? JSONNumber(0) }
        let digits = String(fraction)
        let padded = String(repeating: "0", count: 6 - digits.count) + digits
        return JSONNumber(literal: "\(sign)\(whole).\(padded)") ?? JSONNumber(0)
    }

    private enum Conversion {
        case negative
        case overflow
        /// The whole micro-dollars (truncated) and whether nothing was cut off.
        case value(Int64, exact: Bool)
    }

    /// Scales the number's significand (`12`, `0.25` = 25 × 10^-2) by 10^(exponent + 6); only a
    /// number of more than 18 significant digits is read from its exact decimal text.
    private static func convert(_ dollars: JSONNumber) -> Conversion {
        if let (significand, exponent) = dollars.int64Decimal {
            guard significand >= 0 else { return .negative }
            return scaled(significand, exponent + 6)
        }
        let text = dollars.description.utf8
        guard text.first != UInt8(ascii: "-") else { return .negative }
        var digits: [UInt8] = []
        var exponent = 0
        var afterPoint = false
        var index = text.startIndex
        while index < text.endIndex {
            let byte = text[index]
            index = text.index(after: index)
            if byte == UInt8(ascii: ".") {
                afterPoint = true
            } else if byte == UInt8(ascii: "e") || byte == UInt8(ascii: "E") {
                guard let written = Int(String(decoding: text[index...], as: UTF8.self)) else { return .overflow }
                exponent += written
                break
            } else {
                digits.append(byte &- UInt8(ascii: "0"))
                if afterPoint { exponent -= 1 }
            }
        }
        return scaled(digits, exponent + 6)
    }

    /// significand × 10^scale as an integer, truncated, with whether anything was cut off.
    private static func scaled(_ significand: Int64, _ scale: Int) -> Conversion {
        if scale >= 0 {
            var value = significand
            for _ in 0..<scale where value != 0 {
                let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
                guard !overflow else { return .overflow }
                value = times10
            }
            return .value(value, exact: true)
        }
        // 10^18 is the largest power of ten in Int64; a significand (< 2^63 < 10^19) divided by
        // more is 0 with the whole significand cut off.
        guard scale >= -18 else { return .value(0, exact: significand == 0) }
        var divisor: Int64 = 1
        for _ in 0..<(-scale) { divisor *= 10 }
        return .value(significand / divisor, exact: significand % divisor == 0)
    }

    /// digits × 10^scale as an integer, truncated, with whether anything was cut off.
    private static func scaled(_ digits: [UInt8], _ scale: Int) -> Conversion {
        let kept = scale >= 0 ? digits.count : max(0, digits.count + scale)
        let exact = digits[kept...].allSatisfy { $0 == 0 }
        guard scale <= 19 else { return digits.allSatisfy { $0 == 0 } ? .value(0, exact: true) : .overflow }
        var value: Int64 = 0
        for digit in digits[..<kept] {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(Int64(digit))
            guard !o1, !o2 else { return .overflow }
            value = sum
        }
        for _ in 0..<max(0, scale) {
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return .overflow }
            value = times10
        }
        return .value(value, exact: exact)
    }
}
