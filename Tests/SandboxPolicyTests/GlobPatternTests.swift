import TestSupport
import Testing

@testable import SandboxPolicy

@Suite struct GlobPatternTests {
    @Test(arguments: [
        ("crm.*", "crm.read", true), ("crm.*", "crm.", true), ("crm.*", "crm", false), ("crm.*", "crmx.read", false),
        ("payments.*", "payments.refund", true), ("*", "", true), ("*", "anything.at.all", true),
        ("*.read", "crm.read", true), ("*.read", "crm.write", false), ("a*b*c", "aXbYc", true),
        ("a*b*c", "abcbc", true), ("a*b*c", "acb", false), ("?", "é", true), ("??", "é", false),
        ("e?.send", "em.send", true), ("[ce]rm.read", "crm.read", true), ("[!c]rm.read", "crm.read", false),
        ("[^c]rm.read", "xrm.read", true), ("[a-c]x", "bx", true), ("[a-c]x", "dx", false), ("[]]", "]", true),
        ("[!]]", "a", true), ("[", "[", true), ("[abc", "[abc", true), ("\\*", "*", true), ("\\*", "a", false),
        ("a\\?", "a?", true), ("prod_db.write", "prod_db.write", true), ("prod_db.write", "prod_db.writes", false),
        ("*.*.*", "a.b.c", true), ("*.*.*", "a.b", false), ("[.]*", ".x", true), ("émail.*", "émail.x", true),
    ])
    func matchesLikeFnmatch(_ pattern: String, _ candidate: String, _ expected: Bool) {
        #expect(GlobPattern(pattern).matches(candidate) == expected, "\(pattern) ~ \(candidate)")
    }

    /// An independent, obviously-correct matcher (recursion over scalars) to compare against.
    static func reference(_ pattern: [Unicode.Scalar], _ text: [Unicode.Scalar]) -> Bool {
        var memo: [Int: Bool] = [:]
        func match(_ p: Int, _ t: Int) -> Bool {
            let key = p * 1000 + t
            if let known = memo[key] { return known }
            let result: Bool
            if p == pattern.count {
                result = t == text.count
            } else if pattern[p] == "*" {
                result = match(p + 1, t) || (t < text.count && match(p, t + 1))
            } else if t == text.count {
                result = false
            } else if pattern[p] == "?" {
                result = match(p + 1, t + 1)
            } else if pattern[p] == "[", let close = pattern[(p + 2)...].firstIndex(of: "]") ?? nil {
                var set = Array(pattern[(p + 1)..<close])
                let negated = set.first == "!"
                if negated { set.removeFirst() }
                let inSet = set.contains(text[t])
                result = inSet != negated && match(close + 1, t + 1)
            } else {
                result = pattern[p] == text[t] && match(p + 1, t + 1)
            }
            memo[key] = result
            return result
        }
        return match(0, 0)
    }

    @Test func agreesWithAReferenceMatcherOnRandomInputs() {
        var random = SeededGenerator(seed: 0x5EED_0001)
        // Sets here never start with `]` and have no ranges or escapes, so the reference stays simple.
        let pieces = ["a", "b", ".", "é", "*", "?", "[ab]", "[!a]", "[.é]", "**"]
        let letters: [Character] = ["a", "b", ".", "é", "c"]
        for _ in 0..<5000 {
            let pattern = (0..<Int.random(in: 0...6, using: &random)).map { _ in random.pick(pieces) }.joined()
            let text = String((0..<Int.random(in: 0...8, using: &random)).map { _ in random.pick(letters) })
            let expected = GlobPatternTests.reference(Array(pattern.unicodeScalars), Array(text.unicodeScalars))
            #expect(GlobPattern(pattern).matches(text) == expected, "\(pattern) ~ \(text)")
        }
    }

    @Test func starHeavyPatternsStayFast() {
        // Quadratic at worst: 40 stars against 4 KiB finishes quickly.
        let pattern = GlobPattern(String(repeating: "a*", count: 40) + "b")
        let text = String(repeating: "a", count: 4096)
        let clock = ContinuousClock()
        let elapsed = clock.measure { #expect(pattern.matches(text) == false) }
        #expect(elapsed < .seconds(2))
    }
}
