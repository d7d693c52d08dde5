import Dispatch
import Foundation

/// The driver's bounded inbox: any thread posts, the loop thread takes everything at once.
///
/// The loop waits on a semaphore with a `DispatchTime` timeout, which is monotonic: a change of
/// the wall clock neither stretches nor cuts the wait for the next tick (`NSCondition`'s timed
/// wait would follow the wall clock).
///
/// A quiet event (`post(_:quiet:)`: the apply worker's routine report) is queued without waking
/// the loop unless the loop said, as it went to wait, that it waits for one
/// (`take(waitingAtMost:wakingOnQuiet:)`); otherwise the loop takes it at its next wake-up (a
/// frame, a proposal, a tick).
///
/// An event tied to a log index (`post(_:wakingFrom:)`: a leader's outcomes, accepting
/// proposals at their indexes) wakes the loop only when the loop, as it went to wait, had
/// already handed that index to the apply worker (its `take`'s `handedOut`): otherwise the entry
/// is not committed here yet, and the message that commits it wakes the loop, which then takes
/// this event first.
///
/// A loop that runs on a `LoopHost` does not wait here: the inbox calls its `waker` where it
/// would signal a waiting loop (the waker schedules a pass of the loop on the host), and the
/// loop takes what is queued with `poll`, which sets the same flags as `take` as the loop goes
/// back to its host.
///
/// `@unchecked Sendable`: `events`, `closed`, `signalled`, `wakesOnQuiet`, `handedOut` and the
/// counts are read and written only with `lock` held.
final class EventInbox<Event>: @unchecked Sendable {
    private let lock = NSLock()
    /// Signalled once per batch of events the loop takes: by the first event posted since the
    /// last take that wakes the loop. A signal the loop did not wait for (it took the events
    /// before waiting) only makes a later wait return early, empty.
    private let arrived = DispatchSemaphore(value: 0)
    private var events: [Event] = []
    private var closed = false
    /// Whether `arrived` was signalled since the loop last took events.
    private var signalled = false
    /// Whether a quiet event wakes the loop (set by each `take`).
    private var wakesOnQuiet = true
    /// The highest index the loop had handed out at its last `take`.
    private var handedOut = UInt64.max
    private var signals: UInt64 = 0
    private var quietSignals: UInt64 = 0
    let capacity: Int
    /// Called instead of signalling the semaphore `take` waits on (a loop on a `LoopHost`).
    private let waker: (@Sendable () -> Void)?

    init(capacity: Int, waker: (@Sendable () -> Void)? = nil) {
        self.capacity = capacity
        self.waker = waker
    }

    /// Adds an event; false (and the event not added) when the inbox is full, unless `force`.
    /// A `quiet` one wakes the loop only when its last `take` asked for that.
    @discardableResult
    func post(_ event: Event, force: Bool = false, quiet: Bool = false) -> Bool {
        post(event, force: force, quiet: quiet, wakingFrom: nil)
    }

    /// Adds an event that wakes the loop only when the loop had handed out `index` as it went
    /// to wait; false (and the event not added) when the inbox is full.
    @discardableResult
    func post(_ event: Event, wakingFrom index: UInt64) -> Bool {
        post(event, force: false, quiet: false, wakingFrom: index)
    }

    private func post(_ event: Event, force: Bool, quiet: Bool, wakingFrom index: UInt64?) -> Bool {
        let (accepted, wake) = lock.withLock {
            guard !closed, force || events.count < capacity else { return (false, false) }
            events.append(event)
            guard !signalled, !quiet || wakesOnQuiet, index.map({ $0 <= handedOut }) ?? true else {
                return (true, false)
            }
            signalled = true
            signals += 1
            if quiet { quietSignals += 1 }
            return (true, true)
        }
        if wake {
            if let waker { waker() } else { arrived.signal() }
        }
        return accepted
    }

    /// The times a post woke the loop (signalled it), and those of them by quiet events.
    var wakeUps: (all: UInt64, byQuiet: UInt64) { lock.withLock { (signals, quietSignals) } }

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

    /// Every waiting event, waiting at most `timeout` for the first one; while it waits, a quiet
    /// event wakes it only when `wakingOnQuiet`, and an event tied to an index only when that
    /// index is at most `handedOut`. Events already queued are taken at once: the flags are set
    /// under the lock that queues them, so none is missed.
    func take(waitingAtMost timeout: Duration, wakingOnQuiet: Bool = true, handedOut: UInt64 = .max) -> [Event] {
        if let ready = takeAll(wakingOnQuiet: wakingOnQuiet, handedOut: handedOut) { return ready }
        let (seconds, attoseconds) = max(timeout, .zero).components
        let nanoseconds = min(seconds, 3_600) * 1_000_000_000 + attoseconds / 1_000_000_000
        _ = arrived.wait(timeout: .now() + .nanoseconds(Int(nanoseconds)))
        return takeAll(wakingOnQuiet: wakingOnQuiet, handedOut: handedOut) ?? []
    }

    /// Every waiting event, at once (none: an empty array), setting the flags as `take` does: for
    /// a loop on a `LoopHost`, which calls it as it goes back to its host.
    func poll(wakingOnQuiet: Bool, handedOut: UInt64) -> [Event] {
        takeAll(wakingOnQuiet: wakingOnQuiet, handedOut: handedOut) ?? []
    }

    private func takeAll(wakingOnQuiet: Bool, handedOut: UInt64) -> [Event]? {
        lock.withLock {
            wakesOnQuiet = wakingOnQuiet
            self.handedOut = handedOut
            guard !events.isEmpty else { return nil }
            signalled = false
            defer { events.removeAll(keepingCapacity: true) }
            return events
        }
    }
}
