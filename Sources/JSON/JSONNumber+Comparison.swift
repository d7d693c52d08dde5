extension JSONNumber {
    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool { compare(lhs, rhs) < 0 }

    /// -1, 0 or 1 as `lhs` is less than, equal to or greater than `rhs`.
    static func compare(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
        if case .integer(let left) = lhs.storage, case .integer(let right) = rhs.storage {
            return left < right ? -1 : (left == right ? 0 : 1)
        }
        if let left = lhs.scaled, let right = rhs.scaled { return compareScaled(left, right) }
        if case .decimal(let left) = lhs.storage, case .integer(let right) = rhs.storage {
            return compare(left, right)
        }
        if case .integer(let left) = lhs.storage, case .decimal(let right) = rhs.storage {
            return -compare(right, left)
        }
        return compareByDigits(lhs, rhs)
    }

    /// Whether `self` is an integer multiple of `divisor` (which must be positive), computed
    /// exactly: `0.075` is a multiple of `0.0075`.
    public func isMultiple(of divisor: JSONNumber) -> Bool {
        if let value = scaled, let step = divisor.scaled, step.significand > 0,
            let answer = JSONNumber.isMultipleScaled(value, of: step)
        {
            return answer
        }
        return isMultipleByDigits(of: divisor)
    }

    /// The value as significand × 10^exponent in one `Int64`, for integers and fractions
    /// (`nil` for the rest: long decimals and large exponents). Inlinable, like
    /// ``compareScaled(_:_:)``, so that a validator comparing many numbers with one bound does it
    /// in place.
    @inlinable @inline(__always)
    package var scaled: (significand: Int64, exponent: Int)? {
        switch storage {
        case .integer(let value): return (value, 0)
        case .fraction(let significand, let exponent): return (significand, Int(exponent))
        case .decimal: return nil
        }
    }

    /// Compares a × 10^ea with b × 10^eb without digit arrays. Scaling the one with the larger
    /// exponent up either fits `Int64` or makes it larger in magnitude than any `Int64`.
    @inlinable
    package static func compareScaled(
        _ a: (significand: Int64, exponent: Int), _ b: (significand: Int64, exponent: Int)
    ) -> Int {
        var (left, right) = (a.significand, b.significand)
        if a.exponent > b.exponent && left != 0 {
            guard let scaled = scaledUp(left, by: a.exponent - b.exponent) else { return left < 0 ? -1 : 1 }
            left = scaled
        } else if b.exponent > a.exponent && right != 0 {
            guard let scaled = scaledUp(right, by: b.exponent - a.exponent) else { return right < 0 ? 1 : -1 }
            right = scaled
        }
        return left < right ? -1 : (left == right ? 0 : 1)
    }

    /// `value` × 10^`shift`, or nil if that overflows `Int64` (then its magnitude exceeds every
    /// `Int64`).
    @inlinable @inline(__always)
    static func scaledUp(_ value: Int64, by shift: Int) -> Int64? {
        // 10^19 overflows `Int64`, and `value` is not zero.
        guard shift <= 18, case (let scaled, false) = value.multipliedReportingOverflow(by: powerOfTen(shift))
        else { return nil }
        return scaled
    }

    /// Whether a × 10^ea is a multiple of b × 10^eb (b > 0), or nil when bringing both to the
    /// smaller exponent overflows `Int64`.
    package static func isMultipleScaled(
        _ a: (significand: Int64, exponent: Int), of b: (significand: Int64, exponent: Int)
    )
        -> Bool?
    {
        if a.significand == 0 { return true }
        let exponent = min(a.exponent, b.exponent)
        guard a.exponent - exponent <= maximumFractionDigits, b.exponent - exponent <= maximumFractionDigits,
            case (let value, false) = a.significand.multipliedReportingOverflow(by: powerOfTen(a.exponent - exponent)),
            case (let step, false) = b.significand.multipliedReportingOverflow(by: powerOfTen(b.exponent - exponent))
        else { return nil }
        return value % step == 0
    }

    /// 10^`exponent`, for 0...18.
    @inlinable @inline(__always)
    static func powerOfTen(_ exponent: Int) -> Int64 {
        var power: Int64 = 1
        for _ in 0..<exponent { power &*= 10 }
        return power
    }

    /// ``compare(_:_:)`` on digit arrays, for any storage (the general path, and the reference
    /// the faster paths are tested against).
    static func compareByDigits(_ lhs: JSONNumber, _ rhs: JSONNumber) -> Int {
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

    /// ``isMultiple(of:)`` on digit arrays, for any storage.
    func isMultipleByDigits(of divisor: JSONNumber) -> Bool {
        let value = parts
        let step = divisor.parts
        if value.digits.isEmpty { return true }
        if step.digits.isEmpty { return false }
        return DecimalDigits.isMultiple(value.digits, value.exponent, of: step.digits, step.exponent)
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
}
