import Foundation
import Synchronization
import Testing

@testable import SandboxServer

/// The request body's deadline: one sweeper for every watched deadline, which runs an action
/// once its deadline passed and never one that ended before.
@Suite struct DeadlineWatchTests {
    /// Polls `condition` every 10 ms for at most 5 s (a loaded machine delays the sweeper).
    func eventually(_ condition: () -> Bool) async throws -> Bool {
        for _ in 0..<500 {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func aPassedDeadlineRunsItsActionOnceAndAnEndedOneNever() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(20))
        let runs = Mutex(0)
        let started = ContinuousClock.now
        let due = watch.watch(.milliseconds(100)) { runs.withLock { $0 += 1 } }
        let ended = watch.watch(.milliseconds(100)) { runs.withLock { $0 += 100 } }
        watch.end(ended)
        #expect(try await eventually { due.fired })
        #expect(ContinuousClock.now - started >= .milliseconds(100), "fired before its deadline")
        #expect(try await eventually { watch.count == 0 })
        try await Task.sleep(for: .milliseconds(200))  // several ticks after both deadlines
        #expect(runs.withLock { $0 } == 1)
        #expect(!ended.fired)
    }

    @Test func theSweeperStopsWhenIdleAndStartsAgain() async throws {
        let watch = DeadlineWatch(tick: .milliseconds(10))
        let first = watch.watch(.milliseconds(20)) {}
        #expect(try await eventually { first.fired && watch.count == 0 })
        try await Task.sleep(for: .milliseconds(50))  // the sweeper has found nothing and ended
        let second = watch.watch(.milliseconds(20)) {}
        #expect(try await eventually { second.fired }, "a deadline watched after an idle spell never fired")
        let far = watch.watch(.seconds(60)) {}
        try await Task.sleep(for: .milliseconds(50))
        #expect(!far.fired && watch.count == 1)
        watch.end(far)
        #expect(watch.count == 0)
    }
}
