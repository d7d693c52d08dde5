import JSONSchema

/// Recursive-descent parser for the condition language (grammar in `docs/policy.md`):
///
///     expression := and ("or" and)*
///     and        := unary ("and" unary)*
///     unary      := "not" unary | predicate
///     predicate  := operand [ comparison operand | ["not"] test operand ]
///     operand    := literal | path | $attribute | list | function "(" expression ")" | "(" expression ")"
///
/// Bounded: nesting deeper than ``maximumDepth`` and lists longer than ``maximumListLength`` are
/// rejected.
struct ConditionParser {
    static let maximumDepth = 32
    static let maximumListLength = 256

    private let tokens: [ConditionToken]
    private var position = 0
    private var depth = 0

    static func parse(_ source: String) throws(ConditionSyntaxError) -> ConditionExpression {
        var parser = ConditionParser(tokens: try ConditionLexer.tokenize(source))
        guard parser.tokens.count > 1 else { throw ConditionSyntaxError(offset: 0, "the condition is empty") }
        let expression = try parser.parseExpression()
        let trailing = parser.current
        guard trailing.kind == .end else {
            throw ConditionSyntaxError(
                offset: trailing.offset, "unexpected \(trailing.kind.spelling) after a complete condition")
        }
        return expression
    }

    private init(tokens: [ConditionToken]) { self.tokens = tokens }

    private var current: ConditionToken { tokens[position] }

    private mutating func advance() { if position < tokens.count - 1 { position += 1 } }

    private mutating func consume(_ symbol: ConditionToken.Symbol) -> Bool {
        if current.kind == .symbol(symbol) {
            advance()
            return true
        }
        return false
    }

    private mutating func expect(_ symbol: ConditionToken.Symbol, _ context: String) throws(ConditionSyntaxError) {
        guard consume(symbol) else {
            throw ConditionSyntaxError(
                offset: current.offset, "expected `\(symbol.rawValue)` \(context), found \(current.kind.spelling)")
        }
    }

    private mutating func nested<T>(
        _ body: (inout ConditionParser) throws(ConditionSyntaxError) -> T
    ) throws(ConditionSyntaxError) -> T {
        depth += 1
        defer { depth -= 1 }
        guard depth <= ConditionParser.maximumDepth else {
            throw ConditionSyntaxError(
                offset: current.offset, "the condition nests deeper than \(ConditionParser.maximumDepth) levels")
        }
        return try body(&self)
    }

    private mutating func parseExpression() throws(ConditionSyntaxError) -> ConditionExpression {
        try nested { (parser: inout ConditionParser) throws(ConditionSyntaxError) in
            var left = try parser.parseAnd()
            while parser.current.kind == .keyword(.or) {
                parser.advance()
                left = .or(left, try parser.parseAnd())
            }
            return left
        }
    }

    private mutating func parseAnd() throws(ConditionSyntaxError) -> ConditionExpression {
        var left = try parseUnary()
        while current.kind == .keyword(.and) {
            advance()
            left = .and(left, try parseUnary())
        }
        return left
    }

    private mutating func parseUnary() throws(ConditionSyntaxError) -> ConditionExpression {
        if current.kind == .keyword(.not) {
            advance()
            return try nested { (parser: inout ConditionParser) throws(ConditionSyntaxError) in
                .not(try parser.parseUnary())
            }
        }
        return try parsePredicate()
    }

    private mutating func parsePredicate() throws(ConditionSyntaxError) -> ConditionExpression {
        let left = try parseOperand()
        if case .symbol(let symbol) = current.kind, let comparison = ComparisonOperator(symbol) {
            advance()
            return .comparison(left, comparison, try parseOperand())
        }
        var negated = false
        if current.kind == .keyword(.not) {
            negated = true
            advance()
        }
        guard case .keyword(let keyword) = current.kind, let test = StringTest(keyword) else {
            if negated {
                throw ConditionSyntaxError(
                    offset: current.offset,
                    "expected `in`, `endswith`, `startswith`, `contains` or `matches` after `not`, found \(current.kind.spelling)"
                )
            }
            return left
        }
        let testOffset = current.offset
        advance()
        let right = try parseOperand()
        if test == .matches {
            guard case .literal(.string(let pattern)) = right else {
                throw ConditionSyntaxError(offset: testOffset, "`matches` takes a quoted glob pattern, such as 'INV-*'")
            }
            return .matches(left, GlobPattern(pattern), negated: negated)
        }
        return .test(left, test, right, negated: negated)
    }

    private mutating func parseOperand() throws(ConditionSyntaxError) -> ConditionExpression {
        let token = current
        switch token.kind {
        case .string(let value):
            advance()
            return .literal(.string(value))
        case .number(let value):
            advance()
            return .literal(.number(value))
        case .keyword(.true):
            advance()
            return .literal(.bool(true))
        case .keyword(.false):
            advance()
            return .literal(.bool(false))
        case .keyword(.null):
            advance()
            return .literal(.null)
        case .attribute(let name):
            guard let attribute = RequestAttribute(rawValue: name) else {
                let known = RequestAttribute.allCases.map { "$\($0.rawValue)" }.joined(separator: ", ")
                throw ConditionSyntaxError(
                    offset: token.offset, "unknown request attribute `$\(name)`; known: \(known)")
            }
            advance()
            return .attribute(attribute)
        case .identifier(let name):
            advance()
            return try parseCallOrPath(name, at: token.offset)
        case .symbol(.openParen):
            advance()
            let inner = try parseExpression()
            try expect(.closeParen, "to close `(`")
            return inner
        case .symbol(.openBracket):
            advance()
            return try parseList()
        default:
            throw ConditionSyntaxError(
                offset: token.offset, "expected a value or a field, found \(token.kind.spelling)")
        }
    }

    /// After an identifier (`name`, at `offset`): a function call if `(` follows, else a field path.
    private mutating func parseCallOrPath(_ name: String, at offset: Int) throws(ConditionSyntaxError)
        -> ConditionExpression
    {
        guard current.kind == .symbol(.openParen) else { return .parameter(try parsePath(first: name)) }
        guard let function = ConditionFunction(rawValue: name) else {
            throw ConditionSyntaxError(offset: offset, "unknown function `\(name)`; known: lower, upper, len")
        }
        advance()
        let argument = try parseExpression()
        try expect(.closeParen, "to close the call of `\(name)`")
        return .function(function, argument)
    }

    /// The rest of a list after `[`: operands separated by commas, then `]`.
    private mutating func parseList() throws(ConditionSyntaxError) -> ConditionExpression {
        var items: [ConditionExpression] = []
        if !consume(.closeBracket) {
            repeat {
                guard items.count < ConditionParser.maximumListLength else {
                    throw ConditionSyntaxError(
                        offset: current.offset, "a list may hold at most \(ConditionParser.maximumListLength) items")
                }
                items.append(
                    try nested { (parser: inout ConditionParser) throws(ConditionSyntaxError) in
                        try parser.parseOperand()
                    })
            } while consume(.comma)
            try expect(.closeBracket, "to close the list")
        }
        if let values = ConditionExpression.literalValues(items) { return .literal(.array(values)) }
        return .list(items)
    }

    private mutating func parsePath(first: String) throws(ConditionSyntaxError) -> FieldPath {
        var components: [FieldPath.Component] = []
        // `params` names the parameter object itself; `params.x` is the same as `x`.
        if first != "params" { components.append(.key(first)) }
        while true {
            if consume(.dot) {
                guard case .identifier(let name) = current.kind else {
                    // Keywords are fine as field names after a dot (`msg.in`).
                    if case .keyword(let keyword) = current.kind {
                        components.append(.key(keyword.rawValue))
                        advance()
                        continue
                    }
                    throw ConditionSyntaxError(offset: current.offset, "expected a field name after `.`")
                }
                components.append(.key(name))
                advance()
            } else if consume(.openBracket) {
                switch current.kind {
                case .string(let key): components.append(.key(key))
                case .number(let number):
                    guard let index = number.int64Value, index >= 0, index < Int64(Int32.max) else {
                        throw ConditionSyntaxError(offset: current.offset, "a list index must be a whole number ≥ 0")
                    }
                    components.append(.index(Int(index)))
                default:
                    throw ConditionSyntaxError(offset: current.offset, "expected a quoted key or an index inside `[]`")
                }
                advance()
                try expect(.closeBracket, "after the key or index")
            } else {
                return FieldPath(components: components)
            }
            guard components.count <= ConditionParser.maximumDepth else {
                throw ConditionSyntaxError(offset: current.offset, "the field path is too long")
            }
        }
    }
}
