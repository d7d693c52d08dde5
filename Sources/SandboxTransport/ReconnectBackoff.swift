/// Capped exponential backoff with jitter between reconnection attempts to one peer. Pure: the
/// randomness comes from the generator passed in.
public struct ReconnectBackoff: Sendable, Hashable {
    /// The first delay, before jitter.
    public var initial: Duration
    /// No delay exceeds this, jitter included.
    public var maximum: Duration
    /// Failed attempts since the last success.
    public private(set) var failures = 0

    public init(initial: Duration = .milliseconds(20), maximum: Duration = .seconds(1)) {
        self.initial = initial
        self.maximum = maximum
    }

    /// The delay before the next attempt: `initial * 2^failures`, capped at `maximum`, then
    /// scaled by a random factor in [0.5, 1] so that peers do not reconnect in lockstep.
    public mutating func nextDelay(using random: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(failures, 30)
        failures += 1
        let base = min(initial * (1 << exponent), maximum)
        return base * Double.random(in: 0.5...1.0, using: &random)
    }

    /// A connection succeeded (the handshake was welcomed): start from `initial` again.
    public mutating func reset() { failures = 0 }
}
