import JSON
import JSONSchema

/// One token of the condition language.
struct ConditionToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        case identifier(String)
        /// `$tool`, `$chain_depth`, `$cost_usd`.
        case attribute(String)
        case string(String)
        case number(JSONNumber)
        case keyword(Keyword)
        case symbol(Symbol)
        case end
    }

    enum Keyword: String, Sendable, CaseIterable {
        case and, or, not, `in`, endswith, startswith, contains, matches, `true`, `false`, null
    }

    enum Symbol: String, Sendable {
        case openParen = "(", closeParen = ")", openBracket = "[", closeBracket = "]", comma = ","
        case dot = ".", equal = "==", notEqual = "!=", less = "<", lessOrEqual = "<="
        case greater = ">", greaterOrEqual = ">="
    }

    var kind: Kind
    /// Scalar offset of the token's first character.
    var offset: Int
}

extension ConditionToken.Kind {
    var spelling: String {
        switch self {
        case .identifier(let name): return "`\(name)`"
        case .attribute(let name): return "`$\(name)`"
        case .string: return "a string"
        case .number(let number): return "`\(number)`"
        case .keyword(let keyword): return "`\(keyword.rawValue)`"
        case .symbol(let symbol): return "`\(symbol.rawValue)`"
        case .end: return "the end of the condition"
        }
    }
}
