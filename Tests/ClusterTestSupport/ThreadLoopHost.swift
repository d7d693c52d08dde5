import Foundation
import SandboxCluster

/// A `LoopHost` on one thread of its own, as strict as the event loop it stands for
/// (`TCPPeerTransport.loopHost`): work runs on that thread in the order it was queued, never
/// inline (work queued from the thread itself runs after what is queued), timed work once its
/// delay has passed, and nothing after `close()` (work queued later is dropped, as the
/// transport's host drops it once closed).
///
/// `@unchecked Sendable`: `queue`, `timers` and `closed` are guarded by `condition`.
public final class ThreadLoopHost: LoopHost, @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [@Sendable () -> Void] = []
    private var timers: [(due: ContinuousClock.Instant, order: UInt64, work: @Sendable () -> Void)] = []
    private var order: UInt64 = 0
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    public func execute(_ work: @escaping @Sendable () -> Void) {
        condition.withLock {
            guard !closed else { return }
            queue.append(work)
            condition.signal()
        }
    }

    public func execute(after delay: Duration, _ work: @escaping @Sendable () -> Void) {
        condition.withLock {
            guard !closed else { return }
            order += 1
            timers.append((ContinuousClock.now + max(delay, .zero), order, work))
            condition.signal()
        }
    }

    /// Drops what is queued and ends the thread (after the work running now); returns once it
    /// has ended.
    public func close() {
        condition.withLock {
            closed = true
            condition.signal()
        }
        finished.wait()
        finished.signal()
    }

    private func run() {
        while let work = next() { work() }
        finished.signal()
    }

    /// The next work to run: queued work first, then the earliest timer that is due; nil once
    /// closed.
    private func next() -> (@Sendable () -> Void)? {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            if !queue.isEmpty { return queue.removeFirst() }
            let now = ContinuousClock.now
            if let earliest = timers.indices.min(by: {
                (timers[$0].due, timers[$0].order) < (timers[$1].due, timers[$1].order)
            }) {
                if timers[earliest].due <= now { return timers.remove(at: earliest).work }
                let wait = timers[earliest].due - now
                _ = condition.wait(until: Date().addingTimeInterval(wait / .seconds(1)))
            } else {
                condition.wait()
            }
        }
        queue = []
        timers = []
        return nil
    }
}
