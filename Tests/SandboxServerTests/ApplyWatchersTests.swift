import Synchronization
import Testing

@testable import SandboxServer

/// The long-poll hub: a change wakes the waiters of its key (even one made between the read and
/// the wait), others time out, the cap refuses, shutdown answers everyone.
@Suite struct ApplyWatchersTests {
    @Test func aChangeWakesOnlyTheWaitersOfItsKey() async throws {
        let hub = ApplyWatchers()
        let policy = try hub.register(.policy(agent: "a"))
        let approval = try hub.register(.approval(7))
        async let policyWake = hub.wait(policy, timeout: .milliseconds(300))
        async let approvalWake = hub.wait(approval, timeout: .seconds(20))
        try await waitUntil { hub.count == 2 }
        hub.notify([.approval(7), .approval(8)])
        #expect(await approvalWake == .changed)
        #expect(await policyWake == .timedOut)
        #expect(hub.count == 0)
    }

    @Test func aChangeBeforeTheWaitIsNotMissed() async throws {
        let hub = ApplyWatchers()
        let ticket = try hub.register(.approval(1))
        hub.notify([.approval(1)])
        let clock = ContinuousClock()
        let started = clock.now
        #expect(await hub.wait(ticket, timeout: .seconds(20)) == .changed)
        #expect(clock.now - started < .seconds(10))
    }

    @Test func theCapRefusesAndFreesOnCancel() throws {
        let hub = ApplyWatchers(capacity: 2)
        let first = try hub.register(.approval(1))
        _ = try hub.register(.approval(1))
        #expect(throws: ApplyWatchers.Full.self) { try hub.register(.approval(2)) }
        hub.cancel(first)
        _ = try hub.register(.approval(2))
    }

    /// One caller (an agent key, a token) cannot take the node's whole share: its own bound
    /// refuses it while others still register; a wait that ends frees its place.
    @Test func eachCallerHasItsOwnCap() async throws {
        let hub = ApplyWatchers(capacity: 5, perOwner: 2)
        let first = try hub.register(.approval(1), owner: "agent\u{0}a")
        _ = try hub.register(.approval(2), owner: "agent\u{0}a")
        #expect {
            try hub.register(.approval(3), owner: "agent\u{0}a")
        } throws: { ($0 as? ApplyWatchers.Full)?.owner == "agent\u{0}a" }
        _ = try hub.register(.approval(3), owner: "principal\u{0}a")
        _ = try hub.register(.approval(4))
        #expect(hub.count(of: "agent\u{0}a") == 2 && hub.count == 4)
        #expect(await hub.wait(first, timeout: .milliseconds(10)) == .timedOut)
        #expect(hub.count(of: "agent\u{0}a") == 1)
        _ = try hub.register(.approval(5), owner: "agent\u{0}a")
        _ = try hub.register(.approval(6))
        #expect(hub.count == 5)
        #expect {
            try hub.register(.approval(7), owner: "principal\u{0}b")
        } throws: { ($0 as? ApplyWatchers.Full)?.owner == nil }
        let refusal = LongPoll.refusal(ApplyWatchers.Full(capacity: 2, owner: "agent\u{0}a"))
        #expect(refusal.status == .tooManyRequests && refusal.code == "too_many_long_polls" && refusal.retryable)
        #expect(LongPoll.refusal(ApplyWatchers.Full(capacity: 5)).status == .serviceUnavailable)
    }

    @Test func shutdownAnswersEveryWaiterAndLaterOnesAtOnce() async throws {
        let hub = ApplyWatchers()
        let tickets = try (0..<20).map { try hub.register(.approval(UInt64($0))) }
        let wakes = Task {
            await withTaskGroup(of: ApplyWatchers.Wake.self) { group in
                for ticket in tickets { group.addTask { await hub.wait(ticket, timeout: .seconds(25)) } }
                return await group.reduce(into: []) { $0.append($1) }
            }
        }
        try await waitUntil { hub.count == 20 }
        hub.shutdown()
        #expect(await wakes.value == Array(repeating: .shutDown, count: 20))
        let late = try hub.register(.policy(agent: "x"))
        #expect(await hub.wait(late, timeout: .seconds(25)) == .shutDown)
    }

    @Test func cancellingTheTaskEndsItsWait() async throws {
        let hub = ApplyWatchers()
        let ticket = try hub.register(.approval(3))
        let waiting = Task { await hub.wait(ticket, timeout: .seconds(25)) }
        try await Task.sleep(for: .milliseconds(20))
        waiting.cancel()
        #expect(await waiting.value == .timedOut)
        #expect(hub.count == 0)
    }

    @Test func pollReturnsTheValueOnceTheStateHasItOrNilAtTheDeadline() async throws {
        let hub = ApplyWatchers()
        let box = Box()
        let poll = Task { try await hub.poll(.approval(9), timeout: .seconds(20)) { box.value } }
        try await waitUntil { hub.count == 1 }
        box.value = 42
        hub.notify([.approval(9)])
        #expect(try await poll.value == 42)
        let clock = ContinuousClock()
        let started = clock.now
        let none: Int? = try await hub.poll(.approval(10), timeout: .milliseconds(200)) { nil }
        #expect(none == nil)
        #expect(clock.now - started >= .milliseconds(200))
    }

    /// Bounded polling for a condition another task makes true.
    private func waitUntil(_ condition: () -> Bool) async throws {
        for _ in 0..<1000 where !condition() { try await Task.sleep(for: .milliseconds(5)) }
        #expect(condition())
    }
}

private final class Box: Sendable {
    private let stored = Mutex<Int?>(nil)
    var value: Int? {
        get { stored.withLock { $0 } }
        set { stored.withLock { $0 = newValue } }
    }
}
