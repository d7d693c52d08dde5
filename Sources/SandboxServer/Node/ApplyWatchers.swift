import Synchronization

/// Wakes long polls (`?wait=`) when the state this node applied changes for the key they wait
/// on. The state machine reports each applied batch (``notify(_:)``); a waiter registers first,
/// then reads the state, then waits, so a change between its read and its wait is not missed.
/// Waiters are bounded on the node (``capacity``) and per caller (``perOwner``: one agent key or
/// token cannot take the node's share); over either ``Full`` is thrown. Each waits at most
/// ``maxWait``, and ``shutdown()`` answers every one at once.
final class ApplyWatchers: Sendable {
    /// Why a wait ended.
    enum Wake: Sendable, Equatable {
        case changed
        case timedOut
        case shutDown
    }

    /// Too many waiters on this node, or of this caller (`owner` set).
    struct Full: Error, Sendable {
        var capacity: Int
        var owner: String?
    }

    /// A registered waiter (see ``register(_:)``).
    struct Ticket: Sendable, Hashable {
        fileprivate let id: UInt64
    }

    /// The longest a long poll waits.
    static let maxWait: Duration = .seconds(30)

    let capacity: Int
    let perOwner: Int
    private let state = Mutex(State())

    private struct Waiter {
        var key: WatchKey
        var owner: String?
        var continuation: CheckedContinuation<Wake, Never>?
        var wake: Wake?
    }

    private struct State {
        var nextID: UInt64 = 0
        var waiters: [UInt64: Waiter] = [:]
        var byKey: [WatchKey: Set<UInt64>] = [:]
        var byOwner: [String: Int] = [:]
        var closed = false
    }

    init(capacity: Int = 4096, perOwner: Int = 256) {
        self.capacity = capacity
        self.perOwner = perOwner
    }

    /// Waiters registered now.
    var count: Int { state.withLock { $0.waiters.count } }

    /// Registers a waiter on `key` for `owner` (the caller: an agent or a principal; nil is
    /// bounded by the node only); read the state after this, then ``wait(_:timeout:)``.
    func register(_ key: WatchKey, owner: String? = nil) throws(Full) -> Ticket {
        let id: Result<UInt64, Full> = state.withLock { state in
            guard state.waiters.count < capacity else { return .failure(Full(capacity: capacity)) }
            if let owner {
                guard state.byOwner[owner, default: 0] < perOwner else {
                    return .failure(Full(capacity: perOwner, owner: owner))
                }
                state.byOwner[owner, default: 0] += 1
            }
            state.nextID += 1
            let wake: Wake? = state.closed ? .shutDown : nil
            state.waiters[state.nextID] = Waiter(key: key, owner: owner, continuation: nil, wake: wake)
            state.byKey[key, default: []].insert(state.nextID)
            return .success(state.nextID)
        }
        return Ticket(id: try id.get())
    }

    /// Waiters of `owner` registered now.
    func count(of owner: String) -> Int { state.withLock { $0.byOwner[owner] ?? 0 } }

    /// Waits until the key changes (since ``register(_:)``), `timeout` (at most ``maxWait``)
    /// passes, the task is cancelled or the node shuts down; the ticket is spent.
    func wait(_ ticket: Ticket, timeout: Duration) async -> Wake {
        let timer = Task {
            try? await Task.sleep(for: min(max(timeout, .zero), Self.maxWait))
            self.resolve(ticket.id, .timedOut)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready: Wake? = state.withLock { state in
                    guard let waiter = state.waiters[ticket.id] else { return .timedOut }
                    if let wake = waiter.wake {
                        Self.remove(ticket.id, from: &state)
                        return wake
                    }
                    state.waiters[ticket.id]?.continuation = continuation
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            resolve(ticket.id, .timedOut)
        }
    }

    /// Forgets a ticket that will not wait (the state already answered).
    func cancel(_ ticket: Ticket) {
        state.withLock { state in Self.remove(ticket.id, from: &state) }
    }

    /// Wakes every waiter on these keys (called after each applied batch).
    func notify(_ keys: some Sequence<WatchKey>) {
        var woken: [CheckedContinuation<Wake, Never>] = []
        state.withLock { state in
            for key in keys {
                for id in state.byKey[key] ?? [] { woken += Self.mark(id, .changed, in: &state) }
            }
        }
        for continuation in woken { continuation.resume(returning: .changed) }
    }

    /// Wakes every waiter (after a snapshot replaced the state).
    func notifyAll() {
        wakeAll(.changed, close: false)
    }

    /// Answers every waiter and refuses none later: they return at once with `.shutDown`.
    func shutdown() {
        wakeAll(.shutDown, close: true)
    }

    private func wakeAll(_ wake: Wake, close: Bool) {
        let woken = state.withLock { state in
            if close { state.closed = true }
            return state.waiters.keys.flatMap { Self.mark($0, wake, in: &state) }
        }
        for continuation in woken { continuation.resume(returning: wake) }
    }

    private func resolve(_ id: UInt64, _ wake: Wake) {
        let woken = state.withLock { state in Self.mark(id, wake, in: &state) }
        for continuation in woken { continuation.resume(returning: wake) }
    }

    /// Records the wake of a waiter; returns its continuation to resume (outside the lock) when
    /// it is already waiting, and then forgets it.
    private static func mark(_ id: UInt64, _ wake: Wake, in state: inout State) -> [CheckedContinuation<Wake, Never>] {
        guard var waiter = state.waiters[id], waiter.wake == nil else { return [] }
        guard let continuation = waiter.continuation else {
            waiter.wake = wake
            state.waiters[id] = waiter
            return []
        }
        remove(id, from: &state)
        return [continuation]
    }

    private static func remove(_ id: UInt64, from state: inout State) {
        guard let waiter = state.waiters.removeValue(forKey: id) else { return }
        state.byKey[waiter.key]?.remove(id)
        if state.byKey[waiter.key]?.isEmpty == true { state.byKey[waiter.key] = nil }
        if let owner = waiter.owner {
            let left = (state.byOwner[owner] ?? 1) - 1
            state.byOwner[owner] = left > 0 ? left : nil
        }
    }
}
