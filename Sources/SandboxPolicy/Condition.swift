import JSON
import JSONSchema

/// A compiled condition on a tool call's parameters, such as
/// `recipient not endswith('@company.com')` or `amount > 100 and currency in ['USD', 'EUR']`.
///
/// Evaluation is three-valued: a condition is true, false, or *unknown* when a field it reads is
/// missing or has the wrong type. The policy decides what unknown means per action, failing
/// closed (see ``CompiledPolicy``). Evaluation is bounded by ``maximumSteps``.
public struct Condition: Sendable, CustomStringConvertible {
    /// The most evaluation steps (nodes visited plus list elements compared) one evaluation may
    /// take; past it the condition is unknown.
    public static let maximumSteps = 10_000

    /// The condition as written.
    public let source: String
    let expression: ConditionExpression

    /// Parses and compiles `source`.
    public init(_ source: String) throws(ConditionSyntaxError) {
        self.source = source
        self.expression = try ConditionParser.parse(source)
    }

    public var description: String { source }

    /// Evaluates the condition for a tool call.
    public func evaluate(_ context: ConditionContext) -> ConditionOutcome {
        var evaluator = ConditionEvaluator(context: context, steps: Condition.maximumSteps)
        return evaluator.truth(of: expression)
    }
}

/// What a condition reads: the tool call's parameters and a few request attributes.
public struct ConditionContext: Sendable {
    public var parameters: JSONValue
    public var tool: String
    public var chainDepth: Int
    public var costUSD: JSONNumber?

    public init(parameters: JSONValue, tool: String, chainDepth: Int = 0, costUSD: JSONNumber? = nil) {
        self.parameters = parameters
        self.tool = tool
        self.chainDepth = chainDepth
        self.costUSD = costUSD
    }
}

/// The result of a condition: true, false or unknown (with why).
public enum ConditionOutcome: Sendable, Hashable, CustomStringConvertible {
    case `true`
    case `false`
    case unknown(ConditionUnknown)

    public var description: String {
        switch self {
        case .true: return "true"
        case .false: return "false"
        case .unknown(let why): return "unknown (\(why))"
        }
    }
}

/// Why a condition could not be decided.
public enum ConditionUnknown: Sendable, Hashable, CustomStringConvertible {
    /// A parameter the condition reads is absent.
    case missingField(FieldPath)
    /// An operator got a value of a type it does not apply to.
    case wrongType(operation: String, found: String)
    /// A request attribute (`$cost_usd`) is absent from the request.
    case missingAttribute(String)
    /// Evaluation took more than ``Condition/maximumSteps``.
    case tooManySteps

    public var description: String {
        switch self {
        case .missingField(let path): return "parameter `\(path)` is missing"
        case .wrongType(let operation, let found): return "`\(operation)` does not apply to \(found)"
        case .missingAttribute(let name): return "the request has no `$\(name)`"
        case .tooManySteps: return "evaluation took more than \(Condition.maximumSteps) steps"
        }
    }
}

/// A path into the parameters: `customer.address.country`, `items[0].price`, `params["a-b"]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public enum Component: Sendable, Hashable {
        case key(String)
        case index(Int)
    }

    public var components: [Component]

    public var description: String {
        if components.isEmpty { return "params" }
        var text = ""
        for component in components {
            switch component {
            case .key(let key):
                if key.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || $0 == "_" || ("0"..."9").contains($0) }
                ),
                    !key.isEmpty
                {
                    text += text.isEmpty ? key : ".\(key)"
                } else {
                    text += "[\"\(key)\"]"
                }
            case .index(let index): text += "[\(index)]"
            }
        }
        return text
    }

    /// The value at this path in `root`, or nil when absent.
    func resolve(in root: JSONValue) -> JSONValue? {
        // The common case, one key: a single dictionary lookup.
        if components.count == 1, case .key(let key) = components[0], case .object(let members) = root {
            return members[key]
        }
        var value = root
        for component in components {
            switch (component, value) {
            case (.key(let key), .object(let members)):
                guard let member = members[key] else { return nil }
                value = member
            case (.index(let index), .array(let items)):
                guard index < items.count else { return nil }
                value = items[index]
            default:
                return nil
            }
        }
        return value
    }
}

/// Request attributes a condition may read with `$name`.
public enum RequestAttribute: String, Sendable, CaseIterable {
    case tool
    case chain_depth
    case cost_usd
}

enum ComparisonOperator: String, Sendable {
    case equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
}

enum StringTest: String, Sendable {
    case `in`, endsWith = "endswith", startsWith = "startswith", contains, matches
}

enum ConditionFunction: String, Sendable {
    case lower, upper, len
}

indirect enum ConditionExpression: Sendable {
    case literal(JSONValue)
    case list([ConditionExpression])
    case parameter(FieldPath)
    case attribute(RequestAttribute)
    case function(ConditionFunction, ConditionExpression)
    case not(ConditionExpression)
    case and(ConditionExpression, ConditionExpression)
    case or(ConditionExpression, ConditionExpression)
    case comparison(ConditionExpression, ComparisonOperator, ConditionExpression)
    case test(ConditionExpression, StringTest, ConditionExpression, negated: Bool)
    case matches(ConditionExpression, GlobPattern, negated: Bool)

    /// The values of `items` when every item is a literal (so the list is built once, at compile).
    static func literalValues(_ items: [ConditionExpression]) -> [JSONValue]? {
        var values: [JSONValue] = []
        for item in items {
            guard case .literal(let value) = item else { return nil }
            values.append(value)
        }
        return values
    }
}

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
            return compare(left, operation, right)
        case .test(let left, let test, let right, let negated):
            return negate(stringTest(left, test, right), negated)
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

    private mutating func compare(
        _ leftExpression: ConditionExpression, _ operation: ComparisonOperator, _ rightExpression: ConditionExpression
    ) -> ConditionOutcome {
        let left: JSONValue
        let right: JSONValue
        switch operands(leftExpression, rightExpression) {
        case .values(let first, let second): (left, right) = (first, second)
        case .unknown(let why): return .unknown(why)
        }
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

    private mutating func stringTest(
        _ leftExpression: ConditionExpression, _ test: StringTest, _ rightExpression: ConditionExpression
    ) -> ConditionOutcome {
        let left: JSONValue
        let right: JSONValue
        switch operands(leftExpression, rightExpression) {
        case .values(let first, let second): (left, right) = (first, second)
        case .unknown(let why): return .unknown(why)
        }
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

/// Byte-wise (code point) string tests over UTF-8, without Foundation or canonical equivalence.
enum UTF8Text {
    static func hasSuffix(_ suffix: String, _ text: String) -> Bool {
        var suffix = suffix
        var text = text
        return suffix.withUTF8 { s in
            text.withUTF8 { t in
                guard s.count <= t.count else { return false }
                let offset = t.count - s.count
                var index = 0
                while index < s.count {
                    if s[index] != t[offset + index] { return false }
                    index += 1
                }
                return true
            }
        }
    }

    static func hasPrefix(_ prefix: String, _ text: String) -> Bool {
        var prefix = prefix
        var text = text
        return prefix.withUTF8 { p in
            text.withUTF8 { t in
                guard p.count <= t.count else { return false }
                var index = 0
                while index < p.count {
                    if p[index] != t[index] { return false }
                    index += 1
                }
                return true
            }
        }
    }

    /// Needles up to this many bytes are searched naively (at most this many comparisons per
    /// haystack byte, no allocation); longer ones with Knuth-Morris-Pratt, so that two request
    /// parameters compared with `in` / `contains` cost linear, not quadratic, time.
    static let naiveSearchLimit = 32

    static func contains(_ needle: String, in haystack: String) -> Bool {
        var needle = needle
        var haystack = haystack
        return needle.withUTF8 { n in
            haystack.withUTF8 { h in
                guard n.count <= h.count else { return false }
                if n.isEmpty { return true }
                if n.count > naiveSearchLimit { return searchLinear(n, in: h) }
                var start = 0
                while start + n.count <= h.count {
                    var index = 0
                    while index < n.count && h[start + index] == n[index] { index += 1 }
                    if index == n.count { return true }
                    start += 1
                }
                return false
            }
        }
    }

    /// Knuth-Morris-Pratt: O(needle + haystack) comparisons.
    private static func searchLinear(_ n: UnsafeBufferPointer<UInt8>, in h: UnsafeBufferPointer<UInt8>) -> Bool {
        // border[i]: length of the longest proper prefix of n[0...i] that is also its suffix.
        var border = [Int](repeating: 0, count: n.count)
        var length = 0
        for index in 1..<n.count {
            while length > 0 && n[index] != n[length] { length = border[length - 1] }
            if n[index] == n[length] { length += 1 }
            border[index] = length
        }
        var matched = 0
        for byte in h {
            while matched > 0 && byte != n[matched] { matched = border[matched - 1] }
            if byte == n[matched] { matched += 1 }
            if matched == n.count { return true }
        }
        return false
    }
}

extension JSONValue {
    /// "a string", "a number", ... for messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "a list"
        case .object: return "an object"
        }
    }
}
