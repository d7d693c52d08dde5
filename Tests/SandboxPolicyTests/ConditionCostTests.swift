import JSONSchema
import TestSupport
import Testing

@testable import SandboxPolicy

/// Conditions that compare two request parameters must cost time linear in their size: both
/// sides are attacker-controlled.
@Suite struct ConditionCostTests {
    @Test func substringTestsOfTwoLongParametersAreLinear() throws {
        // The worst case for a naive search: a needle that fails only at its last byte.
        let needle = String(repeating: "a", count: 40_000) + "b"
        let haystack = String(repeating: "a", count: 80_000)
        let context = ConditionContext(parameters: ["n": .string(needle), "h": .string(haystack)], tool: "t")
        let clock = ContinuousClock()
        let start = clock.now
        #expect(try Condition("n in h").evaluate(context) == .false)
        #expect(try Condition("h contains n").evaluate(context) == .false)
        #expect(try Condition("h contains [n, 'x']").evaluate(context) == .false)
        #expect(clock.now - start < .seconds(2), "naive search is quadratic in the parameter sizes")
    }

    /// The long-needle path against a plain scan, on random texts over a skewed alphabet.
    @Test func longNeedleSearchAgreesWithTheNaiveSearch() {
        var random = SeededGenerator(seed: 0x5EA2_C401)
        // Mostly `a`, so that long needles do occur in the haystacks (and nearly occur).
        let alphabet = Array("aaaaaaaaaaaaaaaaaaab".unicodeScalars)
        func text(_ count: Int) -> String {
            var text = ""
            for _ in 0..<count { text.unicodeScalars.append(random.pick(alphabet)) }
            return text
        }
        var found = 0
        for _ in 0..<300 {
            let haystack = text(Int.random(in: 0...400, using: &random))
            let needle = text(
                Int.random(in: UTF8Text.naiveSearchLimit + 1...UTF8Text.naiveSearchLimit + 8, using: &random))
            let expected =
                haystack.utf8.count >= needle.utf8.count
                && (0...(haystack.utf8.count - needle.utf8.count)).contains { offset in
                    haystack.utf8.dropFirst(offset).starts(with: needle.utf8)
                }
            #expect(UTF8Text.contains(needle, in: haystack) == expected, "\(needle) in \(haystack)")
            if expected { found += 1 }
        }
        // Also a needle cut from the haystack, which must be found.
        for _ in 0..<100 {
            let haystack = text(200)
            let start = Int.random(in: 0...100, using: &random)
            let needle = String(haystack.dropFirst(start).prefix(UTF8Text.naiveSearchLimit + 20))
            #expect(UTF8Text.contains(needle, in: haystack), "\(needle) in \(haystack)")
        }
        #expect(found > 0, "the random cases never matched; the comparison is one-sided")
    }
}
