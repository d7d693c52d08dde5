import JSON
import JSONSchema

/// Splits a condition into tokens. Bounded: a condition longer than ``maximumLength`` scalars or
/// with more than ``maximumTokens`` tokens is rejected.
struct ConditionLexer {
    static let maximumLength = 4096
    static let maximumTokens = 1024

    private let scalars: [Unicode.Scalar]
    private var index = 0

    init(_ source: String) {
        scalars = Array(source.unicodeScalars)
    }

    static func tokenize(_ source: String) throws(ConditionSyntaxError) -> [ConditionToken] {
        var lexer = ConditionLexer(source)
        guard lexer.scalars.count <= maximumLength else {
            throw ConditionSyntaxError(
                offset: 0, "the condition is \(lexer.scalars.count) characters long; the limit is \(maximumLength)")
        }
        var tokens: [ConditionToken] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
            guard tokens.count <= maximumTokens else {
                throw ConditionSyntaxError(offset: token.offset, "the condition has more than \(maximumTokens) tokens")
            }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        index + ahead < scalars.count ? scalars[index + ahead] : nil
    }

    private static func isIdentifierStart(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || scalar == "_"
    }

    private static func isIdentifierPart(_ scalar: Unicode.Scalar) -> Bool {
        isIdentifierStart(scalar) || ("0"..."9").contains(scalar) || scalar == "-"
    }

    private static func isDigit(_ scalar: Unicode.Scalar?) -> Bool {
        guard let scalar else { return false }
        return ("0"..."9").contains(scalar)
    }

    private mutating func next() throws(ConditionSyntaxError) -> ConditionToken {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            index += 1
        }
        let start = index
        guard let scalar = peek() else { return ConditionToken(kind: .end, offset: start) }
        func token(_ kind: ConditionToken.Kind) -> ConditionToken { ConditionToken(kind: kind, offset: start) }
        if ConditionLexer.isIdentifierStart(scalar) {
            let word = identifier()
            if let keyword = ConditionToken.Keyword(rawValue: word) { return token(.keyword(keyword)) }
            return token(.identifier(word))
        }
        if scalar == "$" {
            index += 1
            guard let first = peek(), ConditionLexer.isIdentifierStart(first) else {
                throw ConditionSyntaxError(offset: start, "expected a request attribute name after `$`")
            }
            return token(.attribute(identifier()))
        }
        if ConditionLexer.isDigit(scalar) || (scalar == "-" && ConditionLexer.isDigit(peek(1))) {
            return token(.number(try number()))
        }
        if scalar == "'" || scalar == "\"" { return token(.string(try string(quote: scalar))) }
        index += 1
        return token(try symbol(scalar, at: start))
    }

    /// The operator or punctuation that starts with `scalar` (already consumed, at `start`).
    private mutating func symbol(_ scalar: Unicode.Scalar, at start: Int) throws(ConditionSyntaxError)
        -> ConditionToken.Kind
    {
        switch scalar {
        case "(": return .symbol(.openParen)
        case ")": return .symbol(.closeParen)
        case "[": return .symbol(.openBracket)
        case "]": return .symbol(.closeBracket)
        case ",": return .symbol(.comma)
        case ".": return .symbol(.dot)
        case "=":
            guard peek() == "=" else {
                throw ConditionSyntaxError(offset: start, "unexpected `=`; did you mean `==`?")
            }
            index += 1
            return .symbol(.equal)
        case "!": return followedByEqual(.symbol(.notEqual), else: .keyword(.not))
        case "<": return followedByEqual(.symbol(.lessOrEqual), else: .symbol(.less))
        case ">": return followedByEqual(.symbol(.greaterOrEqual), else: .symbol(.greater))
        case "&" where peek() == "&":
            index += 1
            return .keyword(.and)
        case "|" where peek() == "|":
            index += 1
            return .keyword(.or)
        default:
            throw ConditionSyntaxError(offset: start, "unexpected character `\(scalar.escaped(asASCII: true))`")
        }
    }

    /// `withEqual` if `=` comes next (consumed), `otherwise` if not.
    private mutating func followedByEqual(_ withEqual: ConditionToken.Kind, else otherwise: ConditionToken.Kind)
        -> ConditionToken.Kind
    {
        guard peek() == "=" else { return otherwise }
        index += 1
        return withEqual
    }

    private mutating func identifier() -> String {
        var word = String.UnicodeScalarView()
        while let scalar = peek(), ConditionLexer.isIdentifierPart(scalar) {
            word.append(scalar)
            index += 1
        }
        return String(word)
    }

    private mutating func number() throws(ConditionSyntaxError) -> JSONNumber {
        let start = index
        var text = ""
        if peek() == "-" {
            text.append("-")
            index += 1
        }
        while let scalar = peek(),
            ConditionLexer.isDigit(scalar) || scalar == "." || scalar == "e" || scalar == "E"
                || ((scalar == "+" || scalar == "-") && (text.last == "e" || text.last == "E"))
        {
            // A dot not followed by a digit ends the number (`items.0` is not a thing, but be clear).
            if scalar == ".", !ConditionLexer.isDigit(peek(1)) { break }
            text.unicodeScalars.append(scalar)
            index += 1
        }
        guard let number = JSONNumber(literal: text) else {
            throw ConditionSyntaxError(offset: start, "`\(text)` is not a number")
        }
        return number
    }

    private mutating func string(quote: Unicode.Scalar) throws(ConditionSyntaxError) -> String {
        let start = index
        index += 1
        var value = String.UnicodeScalarView()
        while let scalar = peek() {
            index += 1
            if scalar == quote { return String(value) }
            guard scalar == "\\" else {
                value.append(scalar)
                continue
            }
            guard let escaped = peek() else { break }
            index += 1
            switch escaped {
            case "n": value.append("\n")
            case "t": value.append("\t")
            case "r": value.append("\r")
            case "\\", "'", "\"": value.append(escaped)
            default:
                throw ConditionSyntaxError(offset: index - 2, "unknown escape `\\\(escaped)` in a string")
            }
        }
        throw ConditionSyntaxError(offset: start, "unterminated string (missing \(quote))")
    }
}
