import JSON
import JSONSchema

enum StringTest: String, Sendable {
    case `in`, endsWith = "endswith", startsWith = "startswith", contains, matches
}

extension StringTest {
    init?(_ keyword: ConditionToken.Keyword) {
        switch keyword {
        case .in: self = .in
        case .endswith: self = .endsWith
        case .startswith: self = .startsWith
        case .contains: self = .contains
        case .matches: self = .matches
        default: return nil
        }
    }
}
