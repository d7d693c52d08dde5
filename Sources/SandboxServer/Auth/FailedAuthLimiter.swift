import SandboxState

/// Failed authentications per client address: a token bucket per address (a burst of
/// `burst` failures, then one every `1 / refillPerSecond` s), the addresses in a bounded LRU so
/// a flood of addresses cannot grow memory. Pure: the caller passes the time.
struct FailedAuthLimiter {
    struct Bucket {
        var tokens: Double
        var updatedNanos: UInt64
    }

    let burst: Double
    let refillPerSecond: Double
    private var buckets: LRUCache<String, Bucket>

    init(burst: Int = APILimits.failedAuthBurst, refillPerSecond: Double = 1, maxAddresses: Int = 10_000) {
        precondition(burst > 0 && refillPerSecond > 0, "a limiter must let something through")
        self.burst = Double(burst)
        self.refillPerSecond = refillPerSecond
        buckets = LRUCache(capacity: maxAddresses)
    }

    /// Seconds until `address` may try again; nil while it may (its bucket holds a token).
    mutating func retryAfter(_ address: String, nowNanos: UInt64) -> Int? {
        guard let bucket = refilled(address, nowNanos) else { return nil }
        buckets.set(bucket, for: address)
        guard bucket.tokens < 1 else { return nil }
        return max(1, Int(((1 - bucket.tokens) / refillPerSecond).rounded(.up)))
    }

    /// One failed authentication from `address` spends a token.
    mutating func recordFailure(_ address: String, nowNanos: UInt64) {
        var bucket = refilled(address, nowNanos) ?? Bucket(tokens: burst, updatedNanos: nowNanos)
        bucket.tokens = max(0, bucket.tokens - 1)
        buckets.set(bucket, for: address)
    }

    private mutating func refilled(_ address: String, _ nowNanos: UInt64) -> Bucket? {
        guard var bucket = buckets.value(for: address) else { return nil }
        let elapsed = Double(nowNanos &- min(nowNanos, bucket.updatedNanos)) / 1e9
        bucket.tokens = min(burst, bucket.tokens + elapsed * refillPerSecond)
        bucket.updatedNanos = max(nowNanos, bucket.updatedNanos)
        return bucket
    }
}
