import Foundation

/// A regular expression with ECMA-262 syntax, compiled once to an ICU `NSRegularExpression` and,
/// when the pattern allows, to a ``LinearRegex`` that runs instead (linear time, no Foundation).
///
/// ECMA-262 and ICU differ in a few places; the translation makes these behave as ECMA-262 says:
/// `\d`, `\w` (and their negations) are ASCII-only; `\s` is ECMA's whitespace set; `.` excludes
/// only `\n`, `\r`, U+2028 and U+2029; `$` matches only at the very end; `\0` is NUL; `[]` never
/// matches and `[^]` matches anything; a `{` that does not start a quantifier is literal; `[`, `&`
/// and `-` inside a class are literal where ECMA treats them so. `\p{...}` and `\P{...}` are
/// passed to ICU, which knows the same Unicode properties. Matching is unanchored, as in `RegExp.test`.
///
/// Thread safety: `NSRegularExpression` is immutable after creation and documented as safe to use
/// from several threads at once, which is what makes the `@unchecked Sendable` sound.
final class ECMARegex: @unchecked Sendable {
    let source: String
    private let expression: NSRegularExpression
    /// The same pattern for the linear-time matcher, when it is within that matcher's subset
    /// (most tool-parameter patterns are); ICU runs the rest.
    private let linear: LinearRegex?

    /// Compiles `source`; nil if it is not a regular expression this module can run. ICU decides
    /// validity, so both matchers accept exactly the same patterns.
    init?(_ source: String) {
        guard let translated = ECMARegex.translate(source),
            let expression = try? NSRegularExpression(pattern: translated, options: [])
        else { return nil }
        self.source = source
        self.expression = expression
        linear = LinearRegex(source)
    }

    /// Whether the pattern runs on the linear-time matcher.
    var isLinear: Bool { linear != nil }

    /// The most progress reports ICU may make during one validation (all its ICU matches together)
    /// before matching is stopped. ICU reports progress at a fixed interval of its own matching
    /// steps (about 5,000 reports a second on the development machine), so the bound is
    /// deterministic: the same schema and instance give up at the same point in every build, after
    /// about 0.2 s of backtracking in all.
    static let maximumICUProgressReports = 1_000

    /// Whether the expression matches anywhere in `text`; nil if ICU (only patterns outside the
    /// linear-time subset run on it) used up `budget` progress reports: `^(?=a)(a|aa)+$` on 60
    /// `a`s and a `b` would otherwise run for hours. Each report spends one unit of `budget`.
    func matches(_ text: String, budget: inout Int) -> Bool? {
        if let linear { return linear.matches(text) }
        return matchesWithICU(text, budget: &budget)
    }

    /// ICU's answer (also for the differential tests of the linear matcher); nil if it used up
    /// `budget`.
    func matchesWithICU(_ text: String, budget: inout Int) -> Bool? {
        let range = NSRange(location: 0, length: text.utf16.count)
        var found = false
        var left = budget
        expression.enumerateMatches(in: text, options: [.reportProgress], range: range) { result, _, stop in
            if result != nil {
                found = true
                stop.pointee = true
                return
            }
            left -= 1
            if left < 0 { stop.pointee = true }
        }
        budget = max(left, 0)
        if found { return true }
        return left < 0 ? nil : false
    }
}
