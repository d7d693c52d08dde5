import JSON

/// The number of a `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` or `multipleOf`,
/// with its value split once into an `Int64` significand and a decimal exponent when it fits
/// (integers and short fractions: nearly every bound). An instance number that fits too is then
/// compared or divided with integer arithmetic on plain fields, in place: no copy of either
/// number (which counts a reference for long decimals) and no general comparison.
final class NumberBound: Sendable {
    let value: JSONNumber
    private let significand: Int64
    private let exponent: Int
    private let isScaled: Bool

    init(_ value: JSONNumber) {
        self.value = value
        let scaled = value.scaled
        significand = scaled?.significand ?? 0
        exponent = scaled?.exponent ?? 0
        isScaled = scaled != nil
    }

    /// -1, 0 or 1 as the number `scaled` (significand × 10^exponent) is less than, equal to or
    /// greater than the bound; nil if the bound does not fit that form.
    @inline(__always)
    func compare(scaled: (significand: Int64, exponent: Int)) -> Int? {
        guard isScaled else { return nil }
        return JSONNumber.compareScaled(scaled, (significand, exponent))
    }

    /// Whether the number `scaled` is an integer multiple of the bound (which is positive); nil
    /// if that cannot be decided on `Int64`s.
    @inline(__always)
    func divides(scaled: (significand: Int64, exponent: Int)) -> Bool? {
        guard isScaled else { return nil }
        return JSONNumber.isMultipleScaled(scaled, of: (significand, exponent))
    }
}
