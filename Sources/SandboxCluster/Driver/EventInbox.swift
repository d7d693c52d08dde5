import Foundation

/// The driver's bounded inbox: any thread posts, the loop thread takes everything at once.
///
/// `@unchecked Sendable`: `events` is read and written only with `condition` locked.
final class EventInbox<Event>: @unchecked Sendable {
    private let condition = NSCondition()
    private var events: [Event] = []
    private var closed = false
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
    }

    /// Adds an event; false (and the event not added) when the inbox is full, unless `force`.
    @discardableResult
    func post(_ event: Event, force: Bool = false) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        guard !closed, force || events.count < capacity else { return false }
        events.append(event)
        if events.count == 1 { condition.signal() }
        return true
    }

    /// Whether `close()` was called: posts are refused from then on.
    var isClosed: Bool { condition.withLock { closed } }

    /// Refuses every later post and returns the events still waiting (to be answered).
    func close() -> [Event] {
        condition.lock()
        defer { condition.unlock() }
        closed = true
        defer { events.removeAll() }
        return events
    }

    /// Every waiting event, waiting until `deadline` for the first one.
    func take(waitingUntil deadline: Date) -> [Event] {
        condition.lock()
        defer { condition.unlock() }
        while events.isEmpty {
            if !condition.wait(until: deadline) { break }
        }
        defer { events.removeAll(keepingCapacity: true) }
        return events
    }
}
