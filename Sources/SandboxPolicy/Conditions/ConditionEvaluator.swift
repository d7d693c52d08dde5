import JSON
import JSONSchema

/// Walks a ``ConditionExpression`` with a step budget.
struct ConditionEvaluator {
    enum Operand {
        case value(JSONValue)
        case unknown(ConditionUnknown)
    }

    let context: ConditionContext
    var steps: Int

    mutating func truth(of expression: ConditionExpression) -> ConditionOutcome {
        steps -= 1
        guard steps >= 0 else { return .unknown(.tooManySteps) }
        switch expression {
        case .not(let inner):
            switch truth(of: inner) {
            case .true: return .false
            case .false: return .true
            case .unknown(let why): return .unknown(why)
            }
        case .and(let left, let right):
            let first = truth(of: left)
            if first == .false { return .false }
            let second = truth(of: right)
            if second == .false { return .false }
            if case .unknown = first { return first }
            return second
        case .or(let left, let right):
            let first = truth(of: left)
            if first == .true { return .true }
            let second = truth(of: right)
            if second == .true { return .true }
            if case .unknown = first { return first }
            return second
        case .comparison(let left, let operation, let right):
            return withOperands(left, right) { $0.compare($1, operation, $2) }
        case .test(let left, let test, let right, let negated):
            return negate(withOperands(left, right) { $0.stringTest($1, test, $2) }, negated)
        case .matches(let left, let pattern, let negated):
            switch operand(left) {
            case .unknown(let why): return .unknown(why)
            case .value(.string(let text)): return negate(pattern.matches(text) ? .true : .false, negated)
            case .value(let other): return .unknown(.wrongType(operation: "matches", found: other.kindName))
            }
        case .literal, .list, .parameter, .attribute, .function:
            switch operand(expression) {
            case .unknown(let why): return .unknown(why)
            case .value(.bool(let flag)): return flag ? .true : .false
            case .value(let other): return .unknown(.wrongType(operation: "a condition", found: other.kindName))
            }
        }
    }

    private func negate(_ outcome: ConditionOutcome, _ negated: Bool) -> ConditionOutcome {
        guard negated else { return outcome }
        switch outcome {
        case .true: return .false
        case .false: return .true
        case .unknown: return outcome
        }
    }

    mutating func operand(_ expression: ConditionExpression) -> Operand {
        steps -= 1
        guard steps >= 0 else { return .unknown(.tooManySteps) }
        switch expression {
        case .literal(let value):
            return .value(value)
        case .parameter(let path):
            guard let value = path.resolve(in: context.parameters) else { return .unknown(.missingField(path)) }
            return .value(value)
        case .attribute(let attribute):
            switch attribute {
            case .tool: return .value(.string(context.tool))
            case .chain_depth: return .value(.number(JSONNumber(context.chainDepth)))
            case .cost_usd:
                guard let cost = context.costUSD else { return .unknown(.missingAttribute("cost_usd")) }
                return .value(.number(cost))
            }
        case .list(let items):
            var values: [JSONValue] = []
            for item in items {
                switch operand(item) {
                case .value(let value): values.append(value)
                case .unknown(let why): return .unknown(why)
                }
            }
            return .value(.array(values))
        case .function(let function, let argument):
            let input: JSONValue
            switch operand(argument) {
            case .value(let value): input = value
            case .unknown(let why): return .unknown(why)
            }
            switch (function, input) {
            case (.lower, .string(let text)): return .value(.string(text.lowercased()))
            case (.upper, .string(let text)): return .value(.string(text.uppercased()))
            case (.len, .string(let text)): return .value(.number(JSONNumber(text.unicodeScalars.count)))
            case (.len, .array(let items)): return .value(.number(JSONNumber(items.count)))
            case (.len, .object(let members)): return .value(.number(JSONNumber(members.count)))
            default: return .unknown(.wrongType(operation: function.rawValue, found: input.kindName))
            }
        case .not, .and, .or, .comparison, .test, .matches:
            switch truth(of: expression) {
            case .true: return .value(.bool(true))
            case .false: return .value(.bool(false))
            case .unknown(let why): return .unknown(why)
            }
        }
    }

    private enum OperandPair {
        case values(JSONValue, JSONValue)
        case unknown(ConditionUnknown)
    }

    /// Resolves both sides of a binary test, left first; the first unknown side decides.
    private mutating func operands(
        _ leftExpression: ConditionExpression, _ rightExpression: ConditionExpression
    ) -> OperandPair {
        let left: JSONValue
        switch operand(leftExpression) {
        case .value(let value): left = value
        case .unknown(let why): return .unknown(why)
        }
        switch operand(rightExpression) {
        case .value(let value): return .values(left, value)
        case .unknown(let why): return .unknown(why)
        }
    }

    /// `test` on the values of both sides of a binary test, or the first side's unknown.
    private mutating func withOperands(
        _ leftExpression: ConditionExpression, _ rightExpression: ConditionExpression,
        _ test: (inout ConditionEvaluator, JSONValue, JSONValue) -> ConditionOutcome
    ) -> ConditionOutcome {
        switch operands(leftExpression, rightExpression) {
        case .values(let left, let right): return test(&self, left, right)
        case .unknown(let why): return .unknown(why)
        }
    }

    private func compare(_ left: JSONValue, _ operation: ComparisonOperator, _ right: JSONValue) -> ConditionOutcome {
        switch operation {
        case .equal: return left == right ? .true : .false
        case .notEqual: return left == right ? .false : .true
        default: break
        }
        let order: Int
        switch (left, right) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a == b ? 0 : 1)
        case (.string(let a), .string(let b)): order = ConditionEvaluator.compareBytes(a, b)
        default:
            return .unknown(.wrongType(operation: operation.rawValue, found: "\(left.kindName) and \(right.kindName)"))
        }
        let holds: Bool
        switch operation {
        case .less: holds = order < 0
        case .lessOrEqual: holds = order <= 0
        case .greater: holds = order > 0
        default: holds = order >= 0
        }
        return holds ? .true : .false
    }

    /// Orders strings by Unicode code point (UTF-8 byte order), not by locale.
    static func compareBytes(_ a: String, _ b: String) -> Int {
        var a = a
        var b = b
        return a.withUTF8 { x in
            b.withUTF8 { y in
                let common = min(x.count, y.count)
                var index = 0
                while index < common {
                    if x[index] != y[index] { return x[index] < y[index] ? -1 : 1 }
                    index += 1
                }
                return x.count == y.count ? 0 : (x.count < y.count ? -1 : 1)
            }
        }
    }

    private mutating func stringTest(_ left: JSONValue, _ test: StringTest, _ right: JSONValue) -> ConditionOutcome {
        if test == .in {
            switch right {
            case .array(let items):
                for item in items {
                    steps -= 1
                    guard steps >= 0 else { return .unknown(.tooManySteps) }
                    if item == left { return .true }
                }
                return .false
            case .string(let haystack):
                guard case .string(let needle) = left else {
                    return .unknown(.wrongType(operation: "in", found: "\(left.kindName) in a string"))
                }
                return UTF8Text.contains(needle, in: haystack) ? .true : .false
            case .object(let members):
                guard case .string(let key) = left else {
                    return .unknown(.wrongType(operation: "in", found: "\(left.kindName) in an object"))
                }
                return members[key] != nil ? .true : .false
            default:
                return .unknown(.wrongType(operation: "in", found: right.kindName))
            }
        }
        if test == .contains, case .array(let items) = left {
            for item in items {
                steps -= 1
                guard steps >= 0 else { return .unknown(.tooManySteps) }
                if item == right { return .true }
            }
            return .false
        }
        guard case .string(let text) = left else {
            return .unknown(.wrongType(operation: test.rawValue, found: left.kindName))
        }
        // `x endswith ['a', 'b']`: true when any of them holds (Python's tuple form).
        guard case .array(let items) = right else { return affixTest(test, text, right) }
        for candidate in items {
            steps -= 1
            guard steps >= 0 else { return .unknown(.tooManySteps) }
            let outcome = affixTest(test, text, candidate)
            if outcome != .false { return outcome }
        }
        return .false
    }

    private func affixTest(_ test: StringTest, _ text: String, _ candidate: JSONValue) -> ConditionOutcome {
        guard case .string(let affix) = candidate else {
            return .unknown(.wrongType(operation: test.rawValue, found: "\(candidate.kindName) as the argument"))
        }
        let holds: Bool
        switch test {
        case .endsWith: holds = UTF8Text.hasSuffix(affix, text)
        case .startsWith: holds = UTF8Text.hasPrefix(affix, text)
        default: holds = UTF8Text.contains(affix, in: text)
        }
        return holds ? .true : .false
    }
}
