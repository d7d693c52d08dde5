import JSON
import JSONSchema
import TestSupport
import Testing

@testable import SandboxPolicy

/// Laws of the three-valued (Kleene) logic, checked on random conditions over fields that are
/// present, absent or of the wrong type.
@Suite struct ConditionPropertyTests {
    enum Truth: Equatable {
        case yes, no, unknown
    }

    static let parameters: JSONValue = ["a": 5, "b": "x@company.com", "c": true, "d": ["p", "q"]]
    static let atoms = [
        "a > 3", "a < 3", "b endswith '@company.com'", "b startswith 'y'", "c", "'p' in d", "missing > 1",
        "b > 1", "a endswith 'x'", "missing endswith 'z'", "a == 5", "d contains 'z'",
    ]

    static func truth(_ source: String) throws -> Truth {
        switch try Condition(source).evaluate(ConditionContext(parameters: parameters, tool: "t")) {
        case .true: return .yes
        case .false: return .no
        case .unknown: return .unknown
        }
    }

    static func random(_ generator: inout SeededGenerator, depth: Int) -> String {
        if depth == 0 || Int.random(in: 0..<3, using: &generator) == 0 { return generator.pick(atoms) }
        let left = random(&generator, depth: depth - 1)
        let right = random(&generator, depth: depth - 1)
        switch Int.random(in: 0..<3, using: &generator) {
        case 0: return "(\(left) and \(right))"
        case 1: return "(\(left) or \(right))"
        default: return "not (\(left))"
        }
    }

    @Test func kleeneLawsHold() throws {
        var generator = SeededGenerator(seed: 0x5EED_0007)
        for _ in 0..<400 {
            let x = ConditionPropertyTests.random(&generator, depth: 3)
            let y = ConditionPropertyTests.random(&generator, depth: 3)
            let tx = try ConditionPropertyTests.truth(x)
            let ty = try ConditionPropertyTests.truth(y)
            // Double negation, De Morgan, commutativity.
            #expect(try ConditionPropertyTests.truth("not (not (\(x)))") == tx, "\(x)")
            #expect(
                try ConditionPropertyTests.truth("not ((\(x)) and (\(y)))")
                    == ConditionPropertyTests.truth("(not (\(x))) or (not (\(y)))"), "\(x) | \(y)")
            #expect(
                try ConditionPropertyTests.truth("(\(x)) and (\(y))")
                    == ConditionPropertyTests.truth("(\(y)) and (\(x))"))
            #expect(
                try ConditionPropertyTests.truth("(\(x)) or (\(y))") == ConditionPropertyTests.truth("(\(y)) or (\(x))")
            )
            // The truth tables themselves.
            let and = try ConditionPropertyTests.truth("(\(x)) and (\(y))")
            let or = try ConditionPropertyTests.truth("(\(x)) or (\(y))")
            if tx == .no || ty == .no {
                #expect(and == .no)
            } else if tx == .yes && ty == .yes {
                #expect(and == .yes)
            } else {
                #expect(and == .unknown)
            }
            if tx == .yes || ty == .yes {
                #expect(or == .yes)
            } else if tx == .no && ty == .no {
                #expect(or == .no)
            } else {
                #expect(or == .unknown)
            }
        }
    }
}
