import Foundation
import Raft

/// Applies committed entries to the state machine on a thread of its own, in order, while the
/// driver's loop goes on replicating and persisting; each applied item is reported back to the
/// loop through `report`, which acknowledges it to Raft and answers its waiters there.
///
/// The queue is bounded by the Raft core: it hands out at most `RaftLimits.maxUnappliedBytes`
/// (plus one `Ready`) of committed entries that are not yet acknowledged as applied.
///
/// `@unchecked Sendable`: `queue`, `busy` and `stopped` are guarded by `condition`; `started`
/// is touched only by the owner (the driver's loop, or its creator before the loop starts); `machine`
/// is touched by the worker thread only, except while the worker is idle (`waitUntilIdle`):
/// then the loop may use it (a snapshot install reloads it).
final class ApplyWorker<Machine: ReplicatedStateMachine>: @unchecked Sendable {
    enum Item: Sendable {
        /// A run of normal entries, applied in one write.
        case entries([Entry])
        /// A configuration change entry, with the membership Raft computed from it.
        case membership(Entry, ConfState)
    }

    private let machine: Machine
    private let report: @Sendable (ApplyReport<Machine.Result>) -> Void
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var busy = false
    private var stopped = false
    private let finished = DispatchSemaphore(value: 0)

    private let name: String
    private var started = false

    init(machine: Machine, name: String, report: @escaping @Sendable (ApplyReport<Machine.Result>) -> Void) {
        self.machine = machine
        self.name = name
        self.report = report
    }

    /// Starts the thread (once, from the thread that owns the worker).
    func start() {
        precondition(!started, "an apply worker starts once")
        started = true
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.start()
    }

    /// Queues an item behind those already queued.
    func submit(_ item: Item) {
        condition.withLock {
            queue.append(item)
            condition.signal()
        }
    }

    /// Returns once everything submitted has been applied (or the worker stopped).
    func waitUntilIdle() {
        condition.lock()
        while !stopped, busy || !queue.isEmpty { condition.wait() }
        condition.unlock()
    }

    /// Stops the thread after the item in hand (the queued ones and the rest of those taken with
    /// it are dropped: they are applied again from the log after a restart); returns once it no
    /// longer touches the machine.
    func stop() {
        guard started else { return }
        condition.withLock {
            stopped = true
            queue = []
            condition.broadcast()
        }
        finished.wait()
        finished.signal()  // a second stop() returns at once
    }

    private func run() {
        OSThreadName.set(name)
        defer { finished.signal() }
        while let items = next() {
            for item in Self.coalesced(items) {
                guard !condition.withLock({ stopped }), apply(item) else { return }
            }
        }
    }

    /// Applies one item and reports it to the loop; false when applying failed (the worker stops).
    private func apply(_ item: Item) -> Bool {
        let outcome: ApplyReport<Machine.Result>
        do {
            switch item {
            case .entries(let entries): outcome = .entries(entries, try machine.apply(entries))
            case .membership(let entry, let conf):
                try machine.applyMembership(conf, at: entry.index)
                outcome = .membership(entry, conf)
            }
        } catch {
            condition.withLock { stopped = true }
            report(.failed("applying committed entries failed: \(error)"))
            return false
        }
        report(outcome)
        return true
    }

    /// The items taken together, with each run of consecutive normal entries joined into one
    /// item: one state write and one report to the loop for everything that queued up while the
    /// worker was busy, rather than one per `Ready` (a wake-up of the loop each).
    static func coalesced(_ items: [Item]) -> [Item] {
        var joined: [Item] = []
        joined.reserveCapacity(items.count)
        for item in items {
            if case .entries(let more) = item, case .entries(let run)? = joined.last {
                joined[joined.count - 1] = .entries(run + more)
            } else {
                joined.append(item)
            }
        }
        return joined
    }

    /// Every queued item, waiting for one; nil once stopped.
    private func next() -> [Item]? {
        condition.lock()
        defer { condition.unlock() }
        busy = false
        condition.broadcast()  // wakes `waitUntilIdle`
        while !stopped, queue.isEmpty { condition.wait() }
        guard !stopped else { return nil }
        busy = true
        let items = queue
        queue = []
        return items
    }
}
