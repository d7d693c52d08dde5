import Foundation
import Raft

/// Applies committed entries to the state machine on a thread of its own, in order, while the
/// driver's loop goes on replicating and persisting. The proposals waiting for a run's entries
/// when the loop handed it out travel with it: once the run is applied, the worker publishes the
/// applied index (`publish`) and answers them itself, so a client's answer does not wait for the
/// loop (often in an fdatasync) to take the report; then each applied item is reported to the
/// loop through `report`, which acknowledges it to Raft and answers what came in later. Results
/// the machine hands out before storing them (`ReplicatedStateMachine.apply(_:computed:)`:
/// decisions) are answered before the write.
///
/// The queue is bounded by the Raft core: it hands out at most `RaftLimits.maxUnappliedBytes`
/// (plus one `Ready`) of committed entries that are not yet acknowledged as applied.
///
/// `@unchecked Sendable`: `queue`, `busy`, `stopped` and `stopError` are guarded by `condition`; `started`
/// is touched only by the owner (the driver's loop, or its creator before the loop starts); `machine`
/// is touched by the worker thread only, except while the worker is idle (`waitUntilIdle`):
/// then the loop may use it (a snapshot install reloads it).
final class ApplyWorker<Machine: ReplicatedStateMachine>: @unchecked Sendable {
    typealias Waiting = ProposalWaiters<Machine.Result>.Appended

    enum Item: Sendable {
        /// A run of normal entries, applied in one write, with the proposals waiting for them
        /// (by index: the worker answers those whose term matches the applied entry's).
        case entries([Entry], [(index: UInt64, waiting: Waiting)])
        /// A configuration change entry, with the membership Raft computed from it.
        case membership(Entry, ConfState)
    }

    private let machine: Machine
    private let report: @Sendable (ApplyReport<Machine.Result>) -> Void
    private let publish: @Sendable (UInt64) -> Void
    private let condition = NSCondition()
    private var queue: [Item] = []
    private var busy = false
    private var stopped = false
    /// What the waiters of items never applied are answered with (set by `stop`).
    private var stopError = ClusterError.stopped("shut down")
    private let finished = DispatchSemaphore(value: 0)

    private let name: String
    private var started = false

    /// `publish` makes an applied index visible (the driver's status) before the waiters it
    /// releases are answered; `report` hands each applied item to the loop.
    init(
        machine: Machine, name: String, publish: @escaping @Sendable (UInt64) -> Void,
        report: @escaping @Sendable (ApplyReport<Machine.Result>) -> Void
    ) {
        self.machine = machine
        self.name = name
        self.publish = publish
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
    /// it are dropped: they are applied again from the log after a restart; their waiters are
    /// answered with `error`); returns once it no longer touches the machine.
    func stop(_ error: ClusterError) {
        let dropped: [Item] = condition.withLock {
            stopped = true
            stopError = error
            defer { queue = [] }
            condition.broadcast()
            return queue
        }
        Self.fail(dropped, error)
        guard started else { return }
        finished.wait()
        finished.signal()  // a second stop() returns at once
    }

    private func run() {
        OSThreadName.set(name)
        defer { finished.signal() }
        while let items = next() {
            let joined = Self.coalesced(items)
            for (position, item) in joined.enumerated() {
                let error: ClusterError? = condition.withLock { stopped ? stopError : nil }
                if let error {
                    return Self.fail(joined[position...], error)
                }
                guard apply(item) else {
                    return Self.fail(joined[(position + 1)...], condition.withLock { stopError })
                }
            }
        }
    }

    /// Answers the waiters of items that will not be applied.
    private static func fail(_ items: some Sequence<Item>, _ error: ClusterError) {
        for case .entries(_, let waiting) in items {
            for (_, appended) in waiting { appended.queued.waiter.resume(throwing: error) }
        }
    }

    /// Applies one item, answers its waiters and reports it to the loop; false when applying
    /// failed (the worker stops).
    private func apply(_ item: Item) -> Bool {
        let outcome: ApplyReport<Machine.Result>
        do {
            switch item {
            case .entries(let entries, let waiting):
                let results = try machine.apply(entries) { computed in
                    answerEarly(waiting, entries, computed)
                }
                outcome = .entries(entries, results, replaced: answer(waiting, entries, results))
            case .membership(let entry, let conf):
                try machine.applyMembership(conf, at: entry.index)
                outcome = .membership(entry, conf)
            }
        } catch {
            let reason = "applying committed entries failed: \(error)"
            condition.withLock {
                stopped = true
                stopError = .stopped(reason)
            }
            if case .entries(_, let waiting) = item {
                for (_, appended) in waiting { appended.queued.waiter.resume(throwing: ClusterError.stopped(reason)) }
            }
            report(.failed(reason))
            return false
        }
        report(outcome)
        return true
    }

    /// Answers the waiters whose results the machine handed out before storing them (the
    /// entry's term must match, as in `answer`): their clients need not wait for the write, nor
    /// for whatever it queues behind in RocksDB. The rest are answered by
    /// `answer` after the write (a waiter answered here ignores the second answer).
    private func answerEarly(
        _ waiting: [(index: UInt64, waiting: Waiting)], _ entries: [Entry],
        _ computed: [(index: UInt64, result: Machine.Result)]
    ) {
        guard !waiting.isEmpty, let first = entries.first, let last = entries.last else { return }
        var results: [UInt64: Machine.Result] = [:]
        results.reserveCapacity(computed.count)
        for (index, result) in computed where index >= first.index && index <= last.index { results[index] = result }
        for (index, appended) in waiting {
            guard let result = results[index], appended.term == entries[Int(index - first.index)].term else { continue }
            appended.queued.waiter.resume(returning: result)
        }
    }

    /// Publishes the run's last index, then answers the waiters whose entry it applied; returns
    /// those whose index holds another term's entry (replaced: certainly not applied), for the
    /// loop to propose again or refuse.
    private func answer(_ waiting: [(index: UInt64, waiting: Waiting)], _ entries: [Entry], _ results: [Machine.Result])
        -> [ProposalWaiters<Machine.Result>.Queued]
    {
        guard let first = entries.first, let last = entries.last else { return [] }
        publish(last.index)
        var replaced: [ProposalWaiters<Machine.Result>.Queued] = []
        for (index, appended) in waiting {
            precondition(index >= first.index && index <= last.index, "a waiter travelled with another run")
            let position = Int(index - first.index)
            if appended.term == entries[position].term {
                appended.queued.waiter.resume(returning: results[position])
            } else {
                replaced.append(appended.queued)
            }
        }
        return replaced
    }

    /// The items taken together, with each run of consecutive normal entries joined into one
    /// item: one state write and one report to the loop for everything that queued up while the
    /// worker was busy, rather than one per `Ready` (a wake-up of the loop each).
    static func coalesced(_ items: [Item]) -> [Item] {
        var joined: [Item] = []
        joined.reserveCapacity(items.count)
        for item in items {
            if case .entries(let more, let moreWaiting) = item, case .entries(let run, let waiting)? = joined.last {
                joined[joined.count - 1] = .entries(run + more, waiting + moreWaiting)
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
