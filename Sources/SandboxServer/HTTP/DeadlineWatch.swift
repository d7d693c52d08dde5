import Synchronization

/// Deadlines that are seldom reached, kept by one sweeper task instead of a timer each. The
/// request body's deadline (`APILimits.bodyDeadline`, 30 s) was a `Task.sleep` per request: a
/// dispatch timer armed and cancelled every time, about 4% of a node's CPU at 64 clients
/// (bench/README.md, "Cluster"). Here watching a deadline is an insert and a removal under a
/// lock; the sweeper runs only while something is watched, once per `tick`, so an action runs
/// between its deadline and one `tick` after it.
final class DeadlineWatch: Sendable {
    /// One watched deadline; `fired` once its action ran.
    final class Ticket: Sendable {
        fileprivate let id: UInt64
        private let firedFlag = Atomic<Bool>(false)

        fileprivate init(id: UInt64) { self.id = id }

        var fired: Bool { firedFlag.load(ordering: .acquiring) }
        fileprivate func fire() { firedFlag.store(true, ordering: .releasing) }
    }

    private struct Watched {
        var deadline: ContinuousClock.Instant
        var ticket: Ticket
        var action: @Sendable () -> Void
    }

    private struct Table {
        var watched: [UInt64: Watched] = [:]
        var lastID: UInt64 = 0
        var sweeping = false
    }

    /// The process's watch for request bodies.
    static let shared = DeadlineWatch(tick: .seconds(1))

    let tick: Duration
    private let table = Mutex(Table())

    init(tick: Duration) { self.tick = tick }

    /// Runs `action` (on the sweeper's task) once `timeout` passed, unless ``end(_:)`` comes first.
    func watch(_ timeout: Duration, onExpiry action: @escaping @Sendable () -> Void) -> Ticket {
        let deadline = ContinuousClock.now + timeout
        let (ticket, startSweeper) = table.withLock { table in
            table.lastID += 1
            let ticket = Ticket(id: table.lastID)
            table.watched[ticket.id] = Watched(deadline: deadline, ticket: ticket, action: action)
            defer { table.sweeping = true }
            return (ticket, !table.sweeping)
        }
        if startSweeper { Task.detached { await self.sweep() } }
        return ticket
    }

    /// Stops watching `ticket` (its action will not run if it has not yet).
    func end(_ ticket: Ticket) {
        _ = table.withLock { $0.watched.removeValue(forKey: ticket.id) }
    }

    /// How many deadlines are watched.
    var count: Int { table.withLock { $0.watched.count } }

    private func sweep() async {
        while true {
            try? await Task.sleep(for: tick)
            let now = ContinuousClock.now
            let (due, idle) = table.withLock { table in
                let due = table.watched.values.filter { $0.deadline <= now }
                for watched in due { table.watched.removeValue(forKey: watched.ticket.id) }
                if table.watched.isEmpty { table.sweeping = false }
                return (due, table.watched.isEmpty)
            }
            for watched in due {
                watched.ticket.fire()
                watched.action()
            }
            if idle { return }
        }
    }
}
