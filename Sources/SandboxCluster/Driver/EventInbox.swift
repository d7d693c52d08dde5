import Dispatch
import Foundation

/// The driver's bounded inbox: any thread posts, the loop thread takes everything at once.
///
/// The loop waits on a semaphore with a `DispatchTime` timeout, which is monotonic: a change of
/// the wall clock neither stretches nor cuts the wait for the next tick (`NSCondition`'s timed
/// wait would follow the wall clock).
///
/// `@unchecked Sendable`: `events` and `closed` are read and written only with `lock` held.
final class EventInbox<Event>: @unchecked Sendable {
    private let lock = NSLock()
    /// Signalled when the inbox goes from empty to not empty. A signal the loop did not wait
    /// for (it took the events before waiting) only makes a later wait return early, empty.
    private let arrived = DispatchSemaphore(value: 0)
    private var events: [Event] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an event; false (and the event not added) when the inbox is full, unless `force`.
    @discardableResult
    func post(_ event: Event, force: Bool = false) -> Bool {
        let (accepted, wake) = lock.withLock {
            guard !closed, force || events.count < capacity else { return (false, false) }
            events.append(event)
            return (true, events.count == 1)
        }
        if wake { arrived.signal() }
        return accepted
    }

    /// Whether `close()` was called: posts are refused from then on.
    var isClosed: Bool { lock.withLock { closed } }

    /// Refuses every later post and returns the events still waiting (to be answered).
    func close() -> [Event] {
        lock.withLock {
            closed = true
            defer { events.removeAll() }
            return events
        }
    }

    /// Every waiting event, waiting at most `timeout` for the first one.
    func take(waitingAtMost timeout: Duration) -> [Event] {
        if let ready = takeAll() { return ready }
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = min(seconds, 3_600) * 1_000_000_000 + attoseconds / 1_000_000_000
        _ = arrived.wait(timeout: .now() + .nanoseconds(Int(nanoseconds)))
        return takeAll() ?? []
    }

    private func takeAll() -> [Event]? {
        lock.withLock {
            guard !events.isEmpty else { return nil }
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
