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

    private static let whitespace =
        #"\t\n\x{B}\f\r \x{A0}\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}"#
    private static let word = "a-zA-Z0-9_"

    /// ECMA-262 pattern text to ICU pattern text; nil for syntax ICU cannot express.
    static func translate(_ source: String) -> String? {
        let scalars = Array(source.unicodeScalars)
        var output = ""
        var index = 0
        var inClass = false
        var classStart = false
        // Whether the last thing emitted inside a class can start a range.
        var classAtom = false
        func isDigit(_ scalar: Unicode.Scalar) -> Bool { scalar >= "0" && scalar <= "9" }
        func isHex(_ scalar: Unicode.Scalar) -> Bool {
            isDigit(scalar) || (scalar >= "a" && scalar <= "f") || (scalar >= "A" && scalar <= "F")
        }
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\" {
                guard index + 1 < scalars.count else { return nil }
                let next = scalars[index + 1]
                index += 2
                switch next {
                case "d": output += inClass ? "0-9" : "[0-9]"
                case "D": output += "[^0-9]"
                case "w": output += inClass ? word : "[\(word)]"
                case "W": output += "[^\(word)]"
                case "s": output += inClass ? whitespace : "[\(whitespace)]"
                case "S": output += "[^\(whitespace)]"
                case "b" where inClass: output += "\\x{8}"
                case "0" where index >= scalars.count || !isDigit(scalars[index]): output += "\\x{0}"
                case "u":
                    if index < scalars.count && scalars[index] == "{" {
                        guard let close = scalars[index...].firstIndex(of: "}") else { return nil }
                        output += "\\x{" + String(String.UnicodeScalarView(scalars[(index + 1)..<close])) + "}"
                        index = close + 1
                    } else if index + 4 <= scalars.count && scalars[index..<(index + 4)].allSatisfy(isHex) {
                        output += "\\x{" + String(String.UnicodeScalarView(scalars[index..<(index + 4)])) + "}"
                        index += 4
                    } else {
                        output += "u"
                    }
                case "p", "P":
                    guard index < scalars.count, scalars[index] == "{",
                        let close = scalars[index...].firstIndex(of: "}")
                    else { return nil }
                    output += "\\" + String(next) + String(String.UnicodeScalarView(scalars[index...close]))
                    index = close + 1
                case "c", "x", "k", "B", "b", "t", "n", "r", "f", "v", "1"..."9":
                    output += next == "v" ? "\\x{B}" : "\\" + String(next)
                default:
                    // Identity escape: the character itself, literally.
                    output += ECMARegex.literal(next)
                }
                classAtom = inClass
                classStart = false
                continue
            }
            index += 1
            if inClass {
                switch scalar {
                case "]" where classStart:
                    // `[]` matches nothing and `[^]` anything.
                    if output.hasSuffix("[^") {
                        output.removeLast(2)
                        output += "[\\x{0}-\\x{10FFFF}]"
                    } else {
                        output.removeLast()
                        output += "(?!)"
                    }
                    inClass = false
                case "]":
                    output += "]"
                    inClass = false
                case "^" where classStart && output.hasSuffix("["):
                    output += "^"
                    continue
                case "-":
                    let nextIsEnd = index >= scalars.count || scalars[index] == "]"
                    output += classAtom && !nextIsEnd ? "-" : "\\-"
                    classAtom = false
                    classStart = false
                    continue
                default:
                    output += ECMARegex.literal(scalar)
                }
                classAtom = true
                classStart = false
                continue
            }
            switch scalar {
            case "[":
                output += "["
                inClass = true
                classStart = true
                classAtom = false
            case "$": output += "\\z"
            case ".": output += "[^\\n\\r\\x{2028}\\x{2029}]"
            case "{":
                var end = index
                while end < scalars.count && (isDigit(scalars[end]) || scalars[end] == ",") { end += 1 }
                let body = String(String.UnicodeScalarView(scalars[index..<end]))
                let isQuantifier =
                    end < scalars.count && scalars[end] == "}" && !body.isEmpty && isDigit(body.unicodeScalars.first!)
                    && body.filter({ $0 == "," }).count <= 1
                if isQuantifier {
                    output += "{" + body + "}"
                    index = end + 1
                } else {
                    output += "\\{"
                }
            case "}": output += "\\}"
            default: output.unicodeScalars.append(scalar)
            }
        }
        return inClass ? nil : output
    }

    /// `scalar` as an ICU literal: ASCII punctuation escaped, anything else as is.
    private static func literal(_ scalar: Unicode.Scalar) -> String {
        if scalar.isASCII, !(scalar.properties.isAlphabetic || (scalar >= "0" && scalar <= "9")), scalar.value > 0x20 {
            return "\\" + String(scalar)
        }
        if scalar.value < 0x20 || scalar == " " { return "\\x{" + String(scalar.value, radix: 16) + "}" }
        return String(scalar)
    }
}
