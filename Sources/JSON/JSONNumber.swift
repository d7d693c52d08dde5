/// A JSON number, kept exactly as written: `1.0` is the integer 1, `0.1` is one tenth (not the
/// nearest binary double), and `12345678901234567890123` or `1e400` keep every digit.
///
/// Equality, hashing and ordering are by numeric value (`1 == 1.0 == 10e-1`).
public struct JSONNumber: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Normalised so that equal values have equal storage: an integer that fits `Int64` is always
    /// `.integer`; a number with a fractional part and at most 18 significant digits is always
    /// `.fraction` (held inline: copying it counts no reference); everything else is a
    /// `.decimal` with no leading or trailing zero digits.
    @usableFromInline
    enum Storage: Sendable, Hashable {
        case integer(Int64)
        /// `significand` × 10^`exponent`, with `exponent` < 0 and `significand` not a multiple
        /// of 10 and of at most ``JSONNumber/maximumFractionDigits`` digits.
        case fraction(Int64, exponent: Int16)
        case decimal(ExactDecimal)
    }

    /// The most significant digits a `.fraction` holds (10^18 - 1 fits `Int64`).
    static let maximumFractionDigits = 18

    @usableFromInline
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
        case .fraction(let significand, let exponent): return Double("\(significand)e\(exponent)") ?? .nan
        case .decimal(let decimal): return Double(decimal.scientificText) ?? .nan
        }
    }

    /// Whether the value has no fractional part (`1.0` and `1e3` are integers).
    public var isInteger: Bool {
        switch storage {
        case .integer: return true
        case .fraction: return false
        case .decimal(let decimal): return decimal.exponent >= 0
        }
    }

    /// The exact value as `Int64`, or `nil` if it is not an integer or out of range.
    public var int64Value: Int64? {
        if case .integer(let value) = storage { return value }
        return nil
    }

    /// The value as `significand` × 10^`exponent` with an `Int64` significand, when the number
    /// is held that way (every integer that fits `Int64`; every other number of at most 18
    /// significant digits, with a negative exponent); otherwise nil. No text in between.
    public var int64Decimal: (significand: Int64, exponent: Int)? {
        switch storage {
        case .integer(let value): return (value, 0)
        case .fraction(let significand, let exponent): return (significand, Int(exponent))
        case .decimal: return nil
        }
    }

    /// Canonical text: integers without a fraction, other numbers in the shortest plain or
    /// scientific form (`0.0075`, `1.5e400`).
    public var description: String {
        switch storage {
        case .integer(let value): return String(value)
        case .fraction:
            let parts = self.parts
            return DecimalDigits.canonicalText(parts.isNegative, parts.digits, parts.exponent)
        case .decimal(let decimal): return decimal.canonicalText
        }
    }
}

extension JSONNumber: ExpressibleByIntegerLiteral {
    public init(integerLiteral value: Int) { self.init(value) }
}
