/// A number that is neither an `Int64` integer nor a short fraction (see `JSONNumber.Storage`): sign × digits × 10^exponent, normalised.
/// Immutable, so sharing instances across threads is safe.
@usableFromInline
final class ExactDecimal: Sendable, Hashable {
    let isNegative: Bool
    let digits: [UInt8]
    let exponent: Int

    init(isNegative: Bool, digits: [UInt8], exponent: Int) {
        self.isNegative = isNegative
        self.digits = digits
        self.exponent = exponent
    }

    @usableFromInline
    static func == (lhs: ExactDecimal, rhs: ExactDecimal) -> Bool {
        lhs.isNegative == rhs.isNegative && lhs.exponent == rhs.exponent && lhs.digits == rhs.digits
    }

    @usableFromInline
    func hash(into hasher: inout Hasher) {
        hasher.combine(isNegative)
        hasher.combine(exponent)
        hasher.combine(digits)
    }

    /// `d.ddde±x` form, accepted by `Double.init(_:)`.
    var scientificText: String {
        (isNegative ? "-" : "") + DecimalDigits.text(digits) + "e" + String(exponent)
    }

    var canonicalText: String { DecimalDigits.canonicalText(isNegative, digits, exponent) }
}
