import Foundation
import SandboxCluster

/// A `LoopHost` on one thread of its own, as strict as the event loop it stands for
/// (`TCPPeerTransport.makeLoopHost()`): the thread goes round as an event loop does, first its
/// "I/O" (the wake-up: the `onWake` work runs once however many `wake()`s came since the last
/// run, and a `wake()` from within the run is for the next round), then the timers that are due;
/// timed work runs once its delay has passed, nothing runs inline, and nothing runs after
/// `close()` (later work is dropped, as the transport's host drops it once closed).
///
/// `@unchecked Sendable`: `work`, `woken`, `timers`, `order` and `closed` are guarded by
/// `condition`.
public final class ThreadLoopHost: LoopHost, @unchecked Sendable {
    private let condition = NSCondition()
    private var work: (@Sendable () -> Void)?
    private var woken = false
    private var timers: [(due: ContinuousClock.Instant, order: UInt64, work: @Sendable () -> Void)] = []
    private var order: UInt64 = 0
    private var closed = false
    private let finished = DispatchSemaphore(value: 0)

    public init(name: String) {
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    public func onWake(_ work: @escaping @Sendable () -> Void) {
        condition.withLock { self.work = work }
    }

    public func wake() {
        condition.withLock {
            woken = true
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

    /// The in-memory transports deliver a frame when it is sent, so there is nothing to write;
    /// like the event loop's host it may be called only on the host's thread (from the pass).
    public func flushOutput() {
        let onHost = Thread.current.threadDictionary[Self.marker] as? ObjectIdentifier == ObjectIdentifier(self)
        precondition(onHost, "flushOutput() off the host's thread")
    }

    private static let marker = "ThreadLoopHost"

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
        Thread.current.threadDictionary[Self.marker] = ObjectIdentifier(self)
        while let round = nextRound() {
            round.wake?()
            for timer in round.timers { timer() }
        }
        finished.signal()
    }

    /// The next round: the wake-up's work if woken, and the timers due (in order); waits until
    /// there is one. Nil once closed.
    private func nextRound() -> (wake: (@Sendable () -> Void)?, timers: [@Sendable () -> Void])? {
        condition.lock()
        defer { condition.unlock() }
        while !closed {
            let now = ContinuousClock.now
            let due = timers.filter { $0.due <= now }.sorted { ($0.due, $0.order) < ($1.due, $1.order) }
            if woken || !due.isEmpty {
                timers.removeAll { $0.due <= now }
                defer { woken = false }
                return (woken ? work : nil, due.map(\.work))
            }
            if let earliest = timers.map(\.due).min() {
                _ = condition.wait(until: Date().addingTimeInterval((earliest - now) / .seconds(1)))
            } else {
                condition.wait()
            }
        }
        timers = []
        return nil
    }
}
