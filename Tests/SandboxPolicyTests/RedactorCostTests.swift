import JSONSchema
import Testing

@testable import SandboxPolicy

#if canImport(Glibc)
    import Glibc
#else
    import Darwin
#endif

/// The redactor reads agent payloads for the audit log: its time must grow linearly (up to a
/// log factor) with the number of matches, not with its square (which took 57 s here, debug).
@Suite struct RedactorCostTests {
    /// CPU time of the calling thread: unlike the wall clock, it does not count the time other
    /// processes on a loaded machine take from this one.
    static func threadCPUTime() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    @Test func manyMatchesInOneStringAreRedactedQuickly() {
        let redactor = Redactor(classes: RedactionClass.allCases)
        let input = String(repeating: "a@b.cc 4111111111111111 +1 415 555 0100 ", count: 15_000)
        let start = RedactorCostTests.threadCPUTime()
        let output = redactor.redact(input)
        let elapsed = RedactorCostTests.threadCPUTime() - start
        let expected = String(
            repeating: "[REDACTED:EMAIL] [REDACTED:CREDIT_CARD] [REDACTED:PHONE] ", count: 15_000)
        #expect(output == expected)
        #expect(elapsed < 10, "redacting 45,000 matches took \(elapsed) s of CPU time")
    }
}
