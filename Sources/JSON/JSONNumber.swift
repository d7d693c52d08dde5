/// A JSON number, kept exactly as written: `1.0` is the integer 1, `0.1` is one tenth (not the
/// nearest binary double), and `12345678901234567890123` or `1e400` keep every digit.
///
/// Equality, hashing and ordering are by numeric value (`1 == 1.0 == 10e-1`).
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Normalised so that equal values have equal storage: an integer that fits `Int64` is always
    /// `.integer`, everything else is a `.decimal` with no leading or trailing zero digits.
    enum Storage: Sendable, Hashable {
        case integer(Int64)
        case decimal(ExactDecimal)
    }

    let storage: Storage

    init(storage: Storage) { self.storage = storage }

    public init(_ value: Int) { storage = .integer(Int64(value)) }

    public init(_ value: Int64) { storage = .integer(value) }

    /// The number nearest to `value` as Swift prints it (`0.1` is one tenth); `nil` for NaN and
    /// infinities, which JSON cannot represent.
    public init?(_ value: Double) {
        guard value.isFinite else { return nil }
        if abs(value) < 9.2e18, Double(Int64(value)) == value {
            storage = .integer(Int64(value))
            return
        }
        guard let parsed = JSONNumber(literal: "\(value)") else { return nil }
        self = parsed
    }

    /// Parses a JSON number literal (`-12`, `1.0`, `1e400`, `0.0075`) exactly; `nil` if `literal`
    /// is not one, or if its exponent is beyond ±``maximumExponent``.
    public init?(literal: String) {
        var literal = literal
        let parsed = literal.withUTF8 { buffer -> JSONNumber? in
            var index = 0
            guard let number = try? JSONNumber.scan(buffer, at: &index), index == buffer.count else { return nil }
            return number
        }
        guard let parsed else { return nil }
        self = parsed
    }

    /// The largest decimal exponent a number may carry (literals beyond it are rejected).
    public static let maximumExponent = 100_000_000

    /// The nearest `Double` (may be infinite for literals such as `1e400`).
    public var doubleValue: Double {
        switch storage {
        case .integer(let value): return Double(value)
        case .decimal(let decimal): return Double(decimal.scientificText) ?? .nan
        }
    }

    /// Whether the value has no fractional part (`1.0` and `1e3` are integers).
    public var isInteger: Bool {
        switch storage {
        case .integer: return true
        case .decimal(let decimal): return decimal.exponent >= 0
        }
    }

    /// The exact value as `Int64`, or `nil` if it is not an integer or out of range.
    public var int64Value: Int64? {
        if case .integer(let value) = storage { return value }
        return nil
    }

    /// Canonical text: integers without a fraction, other numbers in the shortest plain or
    /// scientific form (`0.0075`, `1.5e400`).
    public var description: String {
        switch storage {
        case .integer(let value): return String(value)
        case .decimal(let decimal): return decimal.canonicalText
        }
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool { compare(lhs, rhs) < 0 }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
    static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        if case .integer(let left) = lhs.storage, case .integer(let right) = rhs.storage {
            return left < right ? -1 : (left == right ? 0 : 1)
        }
        if case .decimal(let left) = lhs.storage, case .integer(let right) = rhs.storage {
            return compare(left, right)
        }
        if case .integer(let left) = lhs.storage, case .decimal(let right) = rhs.storage {
            return -compare(right, left)
        }
        let left = lhs.parts
        let right = rhs.parts
        if left.digits.isEmpty && right.digits.isEmpty { return 0 }
        if left.isNegative != right.isNegative || left.digits.isEmpty || right.digits.isEmpty {
            let leftSign = left.digits.isEmpty ? 0 : (left.isNegative ? -1 : 1)
            let rightSign = right.digits.isEmpty ? 0 : (right.isNegative ? -1 : 1)
            return leftSign < rightSign ? -1 : (leftSign == rightSign ? 0 : 1)
        }
        let magnitude = DecimalDigits.compareMagnitude(
            left.digits, left.exponent, right.digits, right.exponent)
        return left.isNegative ? -magnitude : magnitude
    }

    /// Compares a decimal with an integer without allocating (the common `minimum: 0` against
    /// `0.5` case).
    private static func compare(_ decimal: ExactDecimal, _ integer: Int64) -> Int {
        let decimalSign = decimal.isNegative ? -1 : 1
        let integerSign = integer == 0 ? 0 : (integer < 0 ? -1 : 1)
        if decimalSign != integerSign { return decimalSign < integerSign ? -1 : 1 }
        // Same sign (the decimal is never zero): compare magnitudes.
        var magnitude = integer.magnitude
        var integerDigits = 0
        var scale: UInt64 = 1
        while magnitude > 0 {
            integerDigits += 1
            magnitude /= 10
            if magnitude > 0 { scale = scale &* 10 }
        }
        let order = decimal.digits.count + decimal.exponent
        var result: Int
        if order != integerDigits {
            result = order < integerDigits ? -1 : 1
        } else {
            result = 0
            var rest = integer.magnitude
            var offset = 0
            while scale > 0 {
                let digit = UInt8(rest / scale)
                rest %= scale
                scale /= 10
                let other: UInt8 = offset < decimal.digits.count ? decimal.digits[offset] : 0
                offset += 1
                if other != digit {
                    result = other < digit ? -1 : 1
                    break
                }
            }
            if result == 0 && offset < decimal.digits.count { result = 1 }
        }
        return decimal.isNegative ? -result : result
    }

    /// Whether `self` is an integer multiple of `divisor` (which must be positive), computed
    /// exactly: `0.075` is a multiple of `0.0075`.
    public func isMultiple(of divisor: JSONNumber) -> Bool {
        if case .integer(let value) = storage, case .integer(let step) = divisor.storage, step > 0 {
            return value % step == 0
        }
        let value = parts
        let step = divisor.parts
        if value.digits.isEmpty { return true }
        if step.digits.isEmpty { return false }
        return DecimalDigits.isMultiple(value.digits, value.exponent, of: step.digits, step.exponent)
    }

    /// Sign, significant digits (most significant first, values 0...9, no leading or trailing
    /// zeros; empty for zero) and exponent.
    var parts: (isNegative: Bool, digits: [UInt8], exponent: Int) {
        switch storage {
        case .decimal(let decimal):
            return (decimal.isNegative, decimal.digits, decimal.exponent)
        case .integer(let value):
            if value == 0 { return (false, [], 0) }
            var magnitude = value.magnitude
            var exponent = 0
            while magnitude % 10 == 0 {
                magnitude /= 10
                exponent += 1
            }
            var digits: [UInt8] = []
            while magnitude > 0 {
                digits.append(UInt8(magnitude % 10))
                magnitude /= 10
            }
            digits.reverse()
            return (value < 0, digits, exponent)
        }
    }

    /// Builds a normalised number from a sign, digits (values 0...9, any leading or trailing
    /// zeros) and an exponent.
    static func normalized(isNegative: Bool, digits: [UInt8], exponent: Int) -> JSONNumber {
        var start = 0
        var end = digits.count
        while start < end && digits[start] == 0 { start += 1 }
        if start == end { return JSONNumber(storage: .integer(0)) }
        var exponent = exponent
        while end > start && digits[end - 1] == 0 {
            end -= 1
            exponent += 1
        }
        let count = end - start
        if exponent >= 0 && count + exponent <= 19 {
            var magnitude: UInt64 = 0
            var overflow = false
            for index in start..<end {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(digits[index]))
                magnitude = sum
                overflow = overflow || o1 || o2
            }
            for _ in 0..<exponent where !overflow {
                let (times10, o1) = magnitude.multipliedReportingOverflow(by: 10)
                magnitude = times10
                overflow = overflow || o1
            }
            if !overflow {
                if isNegative && magnitude <= UInt64(Int64.max) + 1 {
                    return JSONNumber(storage: .integer(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)))
                }
                if !isNegative && magnitude <= UInt64(Int64.max) {
                    return JSONNumber(storage: .integer(Int64(magnitude)))
                }
            }
        }
        let significant = start == 0 && end == digits.count ? digits : Array(digits[start..<end])
        return JSONNumber(
            storage: .decimal(ExactDecimal(isNegative: isNegative, digits: significant, exponent: exponent)))
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}

/// A number that is not an `Int64` integer: sign × digits × 10^exponent, normalised.
/// Immutable, so sharing instances across threads is safe.
final class ExactDecimal: Sendable, Hashable {
    let isNegative: Bool
    let digits: [UInt8]
    let exponent: Int

    init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        self.isNegative = isNegative
        self.digits = digits
        self.exponent = exponent
    }

    static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        lhs.isNegative == rhs.isNegative && lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(isNegative)
        hasher.combine(exponent)
        hasher.combine(digits)
    }

    private var digitText: String { String(decoding: digits.map { $0 + 48 }, as: UTF8.self) }

    /// `d.ddde±x` form, accepted by `Double.init(_:)`.
    var scientificText: String {
        (isNegative ? "-" : "") + digitText + "e" + String(exponent)
    }

    var canonicalText: String {
        let text = digitText
        let count = digits.count
        let point = count + exponent
        let sign = isNegative ? "-" : ""
        if exponent >= 0 && point <= 21 {
            return sign + text + String(repeating: "0", count: exponent)
        }
        if exponent < 0 && point > 0 {
            let split = text.index(text.startIndex, offsetBy: point)
            return sign + text[..<split] + "." + text[split...]
        }
        if exponent < 0 && point > -6 {
            return sign + "0." + String(repeating: "0", count: -point) + text
        }
        let head = text.prefix(1)
        let tail = text.dropFirst()
        return sign + head + (tail.isEmpty ? "" : "." + tail) + "e" + String(point - 1)
    }
}

/// Arithmetic on unsigned decimal digit strings (most significant first, values 0...9).
enum DecimalDigits {
    /// Compares two magnitudes given as normalised digits and exponents (both non-empty).
    static func compareMagnitude(_ a: [UInt8], _ aExponent: Int, _ b: [UInt8], _ bExponent: Int) -> Int {
        let aOrder = a.count + aExponent
        let bOrder = b.count + bExponent
        if aOrder != bOrder { return aOrder < bOrder ? -1 : 1 }
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0
            let y = index < b.count ? b[index] : 0
            if x != y { return x < y ? -1 : 1 }
        }
        return 0
    }

    /// Whether a × 10^aExponent is an integer multiple of b × 10^bExponent (both non-zero).
    static func isMultiple(_ a: [UInt8], _ aExponent: Int, of b: [UInt8], _ bExponent: Int) -> Bool {
        let shift = aExponent - bExponent
        if shift < 0 {
            // a must be divisible by b × 10^-shift: impossible if that is longer than a.
            let zeros = -shift
            if b.count + zeros > a.count { return false }
            return isZero(remainder(a, b + [UInt8](repeating: 0, count: zeros)))
        }
        if shift <= 64 {
            return isZero(remainder(a + [UInt8](repeating: 0, count: shift), b))
        }
        // Large shift: b = 2^x × 5^y × r with r coprime to 10 divides a × 10^shift exactly when
        // r divides a and the powers of 2 and 5 are covered.
        var rest = b
        var twos = 0
        var fives = 0
        while let quotient = exactQuotient(rest, by: 2) {
            rest = quotient
            twos += 1
        }
        while let quotient = exactQuotient(rest, by: 5) {
            rest = quotient
            fives += 1
        }
        return shift >= twos && shift >= fives && isZero(remainder(a, rest))
    }

    static func isZero(_ digits: [UInt8]) -> Bool { digits.allSatisfy { $0 == 0 } }

    /// `value / divisor` if it divides exactly, else nil.
    static func exactQuotient(_ value: [UInt8], by divisor: Int) -> [UInt8]? {
        var quotient: [UInt8] = []
        quotient.reserveCapacity(value.count)
        var carry = 0
        for digit in value {
            let current = carry * 10 + Int(digit)
            let next = UInt8(current / divisor)
            if !(quotient.isEmpty && next == 0) { quotient.append(next) }
            carry = current % divisor
        }
        return carry == 0 ? quotient : nil
    }

    /// `value mod divisor` (divisor non-zero), by schoolbook long division.
    static func remainder(_ value: [UInt8], _ divisor: [UInt8]) -> [UInt8] {
        if value.count <= 19 && divisor.count <= 19, let a = small(value), let b = small(divisor), b != 0 {
            return a % b == 0 ? [] : [1]
        }
        let divisor = Array(divisor.drop { $0 == 0 })
        if divisor.isEmpty { return value }
        var rest: [UInt8] = []
        for digit in value {
            if !(rest.isEmpty && digit == 0) { rest.append(digit) }
            while compare(rest, divisor) >= 0 { subtract(&rest, divisor) }
        }
        return rest
    }

    private static func small(_ digits: [UInt8]) -> UInt64? {
        var value: UInt64 = 0
        for digit in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit))
            if o1 || o2 { return nil }
            value = sum
        }
        return value
    }

    /// Compares magnitudes without leading zeros.
    private static func compare(_ a: [UInt8], _ b: [UInt8]) -> Int {
        if a.count != b.count { return a.count < b.count ? -1 : 1 }
        for index in a.indices where a[index] != b[index] { return a[index] < b[index] ? -1 : 1 }
        return 0
    }

    /// a -= b, for a >= b; keeps a free of leading zeros.
    private static func subtract(_ a: inout [UInt8], _ b: [UInt8]) {
        var borrow = 0
        var ai = a.count - 1
        var bi = b.count - 1
        while ai >= 0 {
            var digit = Int(a[ai]) - borrow - (bi >= 0 ? Int(b[bi]) : 0)
            borrow = 0
            if digit < 0 {
                digit += 10
                borrow = 1
            }
            a[ai] = UInt8(digit)
            ai -= 1
            bi -= 1
        }
        let leading = a.prefix { $0 == 0 }.count
        if leading > 0 { a.removeFirst(leading) }
    }
}
