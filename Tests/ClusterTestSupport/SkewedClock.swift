import Foundation

/// A monotonic clock for drivers under test: `ContinuousClock` plus an offset the test moves
/// (a node whose clock jumps, or runs ahead of its peers).
///
/// `@unchecked Sendable`: `offset` is read and written only under `lock`.
public final class SkewedClock: @unchecked Sendable {
    private let lock = NSLock()
    private var offset: Duration

    public init(offset: Duration = .zero) {
        self.offset = offset
    }

    public func now() -> ContinuousClock.Instant { ContinuousClock.now + lock.withLock { offset } }

    public func advance(by duration: Duration) { lock.withLock { offset += duration } }
}
