/// A compiled `tools.allow` / `tools.deny` entry. A class, so that walking a list retains one
/// reference per entry instead of copying every field.
final class CompiledToolPattern: Sendable {
    let pattern: GlobPattern
    /// `tools.deny[0]`, for decisions and traces.
    let ruleID: String

    init(pattern: GlobPattern, ruleID: String) {
        self.pattern = pattern
        self.ruleID = ruleID
    }

    static func list(_ patterns: [PolicyDocument.Pattern], _ key: String) -> [CompiledToolPattern] {
        patterns.enumerated().map { CompiledToolPattern(pattern: GlobPattern($1.text), ruleID: "\(key)[\($0)]") }
    }
}
