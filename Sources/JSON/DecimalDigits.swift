/// Arithmetic on unsigned decimal digit strings (most significant first, values 0...9).
enum DecimalDigits {
    /// The digits as text (`[1, 5]` is `"15"`).
    static func text(_ digits: [UInt8]) -> String { String(decoding: digits.map { $0 + 48 }, as: UTF8.self) }

    /// The shortest plain or scientific form of sign × digits × 10^exponent (normalised digits).
    static func canonicalText(_ isNegative: Bool, _ digits: [UInt8], _ exponent: Int) -> String {
        let text = text(digits)
        let point = digits.count + exponent
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
