import JSONSchema
import Testing

@testable import SandboxPolicy

/// The redactor reads agent payloads for the audit log: its time must grow linearly (up to a
/// log factor) with the number of matches, not with its square (which took 57 s here, debug).
@Suite struct RedactorCostTests {
    @Test func manyMatchesInOneStringAreRedactedQuickly() {
        let redactor = Redactor(classes: RedactionClass.allCases)
        let input = String(repeating: "a@b.cc 4111111111111111 +1 415 555 0100 ", count: 15_000)
        let clock = ContinuousClock()
        let start = clock.now
        let output = redactor.redact(input)
        let elapsed = clock.now - start
        let expected = String(
            repeating: "[REDACTED:EMAIL] [REDACTED:CREDIT_CARD] [REDACTED:PHONE] ", count: 15_000)
        #expect(output == expected)
        #expect(elapsed < .seconds(10), "redacting 45,000 matches took \(elapsed)")
    }
}
