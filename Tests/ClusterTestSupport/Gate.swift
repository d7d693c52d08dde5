import Foundation

/// Holds tasks until `open()`: lets a test release many requests at (nearly) the same instant.
///
/// `@unchecked Sendable`: `isOpen` and `waiters` are guarded by `lock`.
public final class Gate: @unchecked Sendable {
    private let lock = NSLock()
    private var isOpen = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    public init() {}

    public func wait() async {
        await withCheckedContinuation { waiter in
            let resumeNow = lock.withLock {
                if isOpen { return true }
                waiters.append(waiter)
                return false
            }
            if resumeNow { waiter.resume() }
        }
    }

    /// The number of tasks waiting.
    public var waiting: Int { lock.withLock { waiters.count } }

    public func open() {
        let released = lock.withLock {
            isOpen = true
            defer { waiters = [] }
            return waiters
        }
        for waiter in released { waiter.resume() }
    }
}
