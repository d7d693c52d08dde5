import JSON
import TestSupport
import Testing

@testable import SandboxPolicy

/// Property: on random conditions over random parameters, the engine's three-valued evaluation
/// equals a small reference evaluator's, written here from the language's definition
/// (docs/policy.md): a missing field is unknown, `==`/`!=` compare any values, `<`... compare two
/// numbers or two strings (byte order) and are unknown otherwise, string tests need a string,
/// a bare field must be a boolean, and `and`/`or`/`not` are Kleene's.
@Suite struct ConditionReferenceTests {
    enum Value: Equatable {
        case number(Double), string(String), bool(Bool), null
    }

    /// A condition as a tree, printed for the engine and evaluated by the reference.
    indirect enum Node {
        case compare(String, String, Value)
        case test(String, String, String, negated: Bool)
        case bare(String)
        case and(Node, Node), or(Node, Node), not(Node)

        var source: String {
            switch self {
            case .compare(let field, let op, let literal):
                return "\(field) \(op) \(ConditionReferenceTests.text(literal))"
            case .test(let field, let test, let literal, let negated):
                return "\(field) \(negated ? "not " : "")\(test) '\(literal)'"
            case .bare(let field): return field
            case .and(let a, let b): return "(\(a.source)) and (\(b.source))"
            case .or(let a, let b): return "(\(a.source)) or (\(b.source))"
            case .not(let a): return "not (\(a.source))"
            }
        }
    }

    static func text(_ value: Value) -> String {
        switch value {
        case .number(let n): return n == n.rounded() ? String(Int(n)) : String(n)
        case .string(let s): return "'\(s)'"
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        }
    }

    static let fields = ["a", "f", "s", "t", "b", "n", "missing"]
    static let strings = ["", "ab", "abc", "b@x.com", "B", "x.com"]
    static let numbers: [Double] = [-3, -1.5, 0, 0.5, 2, 3]

    static func randomValue(_ random: inout SeededGenerator) -> Value {
        random.chance(50) ? .number(random.pick(numbers)) : .string(random.pick(strings))
    }

    static func node(_ random: inout SeededGenerator, depth: Int) -> Node {
        if depth == 0 || random.chance(40) {
            switch random.below(3) {
            case 0:
                return .compare(
                    random.pick(fields), random.pick(["==", "!=", "<", "<=", ">", ">="]), randomValue(&random))
            case 1:
                return .test(
                    random.pick(fields), random.pick(["endswith", "startswith"]), random.pick(strings),
                    negated: random.chance(30))
            default: return .bare(random.pick(fields))
            }
        }
        switch random.below(3) {
        case 0: return .and(node(&random, depth: depth - 1), node(&random, depth: depth - 1))
        case 1: return .or(node(&random, depth: depth - 1), node(&random, depth: depth - 1))
        default: return .not(node(&random, depth: depth - 1))
        }
    }

    // MARK: the reference (nil is unknown)

    static func truth(_ node: Node, _ parameters: [String: Value]) -> Bool? {
        switch node {
        case .compare(let field, let op, let literal):
            guard let value = parameters[field] else { return nil }
            if op == "==" { return value == literal }
            if op == "!=" { return value != literal }
            let order: Int
            switch (value, literal) {
            case (.number(let x), .number(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
            case (.string(let x), .string(let y)):
                order = Array(x.utf8).lexicographicallyPrecedes(Array(y.utf8)) ? -1 : (x == y ? 0 : 1)
            default: return nil
            }
            switch op {
            case "<": return order < 0
            case "<=": return order <= 0
            case ">": return order > 0
            default: return order >= 0
            }
        case .test(let field, let test, let literal, let negated):
            guard case .string(let value)? = parameters[field] else { return nil }
            let holds = test == "endswith" ? value.hasSuffix(literal) : value.hasPrefix(literal)
            return negated ? !holds : holds
        case .bare(let field):
            guard case .bool(let flag)? = parameters[field] else { return nil }
            return flag
        case .and(let a, let b):
            let (x, y) = (truth(a, parameters), truth(b, parameters))
            if x == false || y == false { return false }
            return x == true && y == true ? true : nil
        case .or(let a, let b):
            let (x, y) = (truth(a, parameters), truth(b, parameters))
            if x == true || y == true { return true }
            return x == false && y == false ? false : nil
        case .not(let a):
            return truth(a, parameters).map { !$0 }
        }
    }

    static func json(_ value: Value) -> JSONValue {
        switch value {
        case .number(let n): return n == n.rounded() ? .number(JSONNumber(Int(n))) : .number(JSONNumber(n)!)
        case .string(let s): return .string(s)
        case .bool(let b): return .bool(b)
        case .null: return .null
        }
    }

    @Test func theEngineAgreesWithTheReference() throws {
        var random = SeededGenerator(seed: 0x5EED_0011)
        var outcomes: [Bool?: Int] = [:]
        for _ in 0..<3_000 {
            let parameters: [String: Value] = [
                "a": .number(random.pick(ConditionReferenceTests.numbers)),
                "f": .number(random.pick([-1.5, 0.5, 2.5])),
                "s": .string(random.pick(ConditionReferenceTests.strings)),
                "t": .string(random.pick(ConditionReferenceTests.strings)),
                "b": .bool(random.chance(50)), "n": .null,
            ]
            let node = ConditionReferenceTests.node(&random, depth: 3)
            let condition = try Condition(node.source)
            let context = ConditionContext(
                parameters: .object(parameters.mapValues(ConditionReferenceTests.json)), tool: "t")
            let engine: Bool?
            switch condition.evaluate(context) {
            case .true: engine = true
            case .false: engine = false
            case .unknown: engine = nil
            }
            let expected = ConditionReferenceTests.truth(node, parameters)
            #expect(engine == expected, "\(node.source) with \(parameters)")
            outcomes[expected, default: 0] += 1
        }
        // Every outcome is reached often, so the comparison has teeth.
        #expect(outcomes.count == 3 && outcomes.values.allSatisfy { $0 > 300 }, "\(outcomes)")
    }
}
