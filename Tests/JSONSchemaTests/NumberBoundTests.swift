import JSON
import TestSupport
import Testing

@testable import JSONSchema

/// `NumberBound`'s in-place paths (integer arithmetic on significands and exponents) against
/// `JSONNumber`'s general comparison and divisibility, on random numbers around the limits of
/// the inline form (18 and 19 digits, exponents far apart, zeros, signs).
@Suite struct NumberBoundTests {
    private func randomNumber(_ random: inout SeededGenerator) -> JSONNumber {
        let digitCount = [1, 2, 3, 17, 18, 19].randomElement(using: &random)!
        var digits = String(Int.random(in: 1...9, using: &random))
        for _ in 1..<digitCount { digits += String(Int.random(in: 0...9, using: &random)) }
        if Int.random(in: 0..<8, using: &random) == 0 { digits = "0" }
        let exponent = [0, 0, -1, -2, -5, -17, 3, 20].randomElement(using: &random)!
        let sign = Bool.random(using: &random) ? "-" : ""
        return JSONNumber(literal: "\(sign)\(digits)e\(exponent)")!
    }

    @Test func inPlaceComparisonAgreesWithJSONNumber() {
        var random = SeededGenerator(seed: 0xB0_0D)
        var inPlace = 0
        for _ in 0..<5_000 {
            let (number, boundValue) = (randomNumber(&random), randomNumber(&random))
            let bound = NumberBound(boundValue)
            guard let scaled = number.scaled, let order = bound.compare(scaled: scaled) else { continue }
            inPlace += 1
            let expected = number < boundValue ? -1 : (number == boundValue ? 0 : 1)
            #expect(order == expected, "\(number) vs \(boundValue)")
            if boundValue > JSONNumber(0), let divides = bound.divides(scaled: scaled) {
                #expect(divides == number.isMultiple(of: boundValue), "\(number) % \(boundValue)")
            }
        }
        #expect(inPlace > 2_000, "too few numbers took the in-place path: \(inPlace)")
    }

    @Test func boundsOutsideTheInlineFormUseTheGeneralPath() {
        let bound = NumberBound(JSONNumber(literal: "1e400")!)
        #expect(bound.compare(scaled: (1, 0)) == nil)
        #expect(bound.divides(scaled: (1, 0)) == nil)
        let schema = try? CompiledSchema(["maximum": .number(JSONNumber(literal: "1e400")!)])
        #expect(schema?.isValid(.number(JSONNumber(literal: "9.5")!)) == true)
        #expect(schema?.isValid(.number(JSONNumber(literal: "1e401")!)) == false)
    }
}
