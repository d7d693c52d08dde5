import Testing

@testable import SandboxServer

/// The failed-authentication limiter: a burst per address, then one a second; addresses in a
/// bounded LRU.
@Suite struct FailedAuthLimiterTests {
    static let second: UInt64 = 1_000_000_000

    @Test func aBurstOfFailuresThenOneASecond() {
        var limiter = FailedAuthLimiter(burst: 3, refillPerSecond: 1, maxAddresses: 10)
        for attempt in 0..<3 {
            #expect(limiter.retryAfter("10.0.0.1", nowNanos: 0) == nil, "attempt \(attempt)")
            limiter.recordFailure("10.0.0.1", nowNanos: 0)
        }
        #expect(limiter.retryAfter("10.0.0.1", nowNanos: 0) == 1)
        #expect(limiter.retryAfter("10.0.0.2", nowNanos: 0) == nil, "another address is not limited")
        #expect(limiter.retryAfter("10.0.0.1", nowNanos: Self.second / 2) == 1)
        #expect(limiter.retryAfter("10.0.0.1", nowNanos: Self.second) == nil, "a token came back after 1 s")
        limiter.recordFailure("10.0.0.1", nowNanos: Self.second)
        #expect(limiter.retryAfter("10.0.0.1", nowNanos: Self.second) == 1)
        #expect(limiter.retryAfter("10.0.0.1", nowNanos: 100 * Self.second) == nil)
    }

    @Test func theAddressTableIsBounded() {
        var limiter = FailedAuthLimiter(burst: 1, refillPerSecond: 0.001, maxAddresses: 2)
        for address in ["a", "b", "c"] { limiter.recordFailure(address, nowNanos: 0) }
        #expect(limiter.retryAfter("a", nowNanos: 0) == nil, "the oldest address was forgotten")
        #expect(limiter.retryAfter("c", nowNanos: 0) == 1000)
    }
}
