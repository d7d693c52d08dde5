extension JSONNumber {
    /// Sign, significant digits (most significant first, values 0...9, no leading or trailing
    /// zeros; empty for zero) and exponent.
    var parts: (isNegative: Bool, digits: [UInt8], exponent: Int) {
        switch storage {
        case .decimal(let decimal):
            return (decimal.isNegative, decimal.digits, decimal.exponent)
        case .integer(let value):
            return JSONNumber.parts(value, exponent: 0)
        case .fraction(let significand, let exponent):
            return JSONNumber.parts(significand, exponent: Int(exponent))
        }
    }

    /// The parts of `value` × 10^`exponent`.
    private static func parts(_ value: Int64, exponent: Int) -> (isNegative: Bool, digits: [UInt8], exponent: Int) {
        if value == 0 { return (false, [], 0) }
        var magnitude = value.magnitude
        var exponent = exponent
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

    /// Builds a normalised number (see ``Storage``) from a sign, digits (values 0...9, any
    /// leading or trailing zeros) and an exponent.
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
        if exponent < 0 && count <= maximumFractionDigits && exponent >= Int(Int16.min) {
            var magnitude: Int64 = 0
            for index in start..<end { magnitude = magnitude * 10 + Int64(digits[index]) }
            return JSONNumber(storage: .fraction(isNegative ? -magnitude : magnitude, exponent: Int16(exponent)))
        }
        let significant = start == 0 && end == digits.count ? digits : Array(digits[start..<end])
        return JSONNumber(
            storage: .decimal(ExactDecimal(isNegative: isNegative, digits: significant, exponent: exponent)))
    }

    /// The normalised number `magnitude` × 10^`exponent` (negated if `isNegative`), or nil if it
    /// is neither an `Int64` integer nor a `.fraction`. `magnitude` has at most
    /// ``maximumFractionDigits`` digits. Builds no digit array (the parser's common case).
    static func compact(isNegative: Bool, magnitude: Int64, exponent: Int) -> JSONNumber? {
        var magnitude = magnitude
        var exponent = exponent
        if magnitude == 0 { return JSONNumber(storage: .integer(0)) }
        while exponent < 0 && magnitude % 10 == 0 {
            magnitude /= 10
            exponent += 1
        }
        if exponent >= 0 {
            guard exponent <= maximumFractionDigits,
                case (let value, false) = magnitude.multipliedReportingOverflow(by: powerOfTen(exponent))
            else { return nil }
            return JSONNumber(storage: .integer(isNegative ? -value : value))
        }
        guard exponent >= Int(Int16.min) else { return nil }
        return JSONNumber(storage: .fraction(isNegative ? -magnitude : magnitude, exponent: Int16(exponent)))
    }
}
