import Foundation
import Synchronization
import Testing

@testable import SandboxCluster

/// The results of recently applied entries (answers for outcomes that arrive late) are a ring
/// of the last 4,096: the oldest goes as a new one comes, and nothing else.
@Suite struct ProposalWaitersTests {
    @Test func theRecentResultsKeepTheLast4096() {
        var waiters = ProposalWaiters<Int>()
        for index in UInt64(1)...10_000 { waiters.remember(Int(index), index: index, term: 1) }
        #expect(waiters.recentResult(at: 10_000 - 4_096) == nil)
        for index in UInt64(10_000 - 4_095)...10_000 {
            #expect(waiters.recentResult(at: index)?.result == Int(index))
        }
    }

    /// A waiter answers exactly once: the first answer wins, and one dropped unanswered still
    /// answers (outcome unknown) so that no caller waits forever.
    @Test func aWaiterAnswersOnceEvenWhenDroppedUnanswered() {
        let answers = Mutex<[String]>([])
        let record: @Sendable (Result<Int, any Error>) -> Void = { result in
            let text: String
            switch result {
            case .success(let value): text = "\(value)"
            case .failure(ClusterError.unknownOutcome): text = "unknown outcome"
            case .failure(let error): text = "\(error)"
            }
            answers.withLock { $0.append(text) }
        }
        do {
            let waiter = OnceWaiter<Int>(record)
            #expect(waiter.resume(returning: 7))
            #expect(!waiter.resume(throwing: ClusterError.stopped("late")))
        }
        #expect(answers.withLock { $0 } == ["7"])
        do { _ = OnceWaiter<Int>(record) }
        #expect(answers.withLock { $0 } == ["7", "unknown outcome"])
    }

    @Test func anIndexRememberedAgainKeepsItsNewestResult() {
        var waiters = ProposalWaiters<Int>()
        for index in UInt64(1)...4_096 { waiters.remember(0, index: index, term: 1) }
        waiters.remember(7, index: 1, term: 2)  // the oldest slot holds index 1 itself
        #expect(waiters.recentResult(at: 1)?.term == 2)
        #expect(waiters.recentResult(at: 1)?.result == 7)
        #expect(waiters.recentResult(at: 2)?.result == 0)
    }
}

/// Waiters whose entry will not be applied as theirs are answered at once, not at their deadline.
@Suite struct ProposalWaitersAnswerTests {
    /// A proposal's waiter, and the outcome its caller sees.
    final class Pending: Sendable {
        let outcome: Task<String, Never>

        init() {
            let holder = Holder()
            outcome = Task {
                do {
                    return "result \(try await withCheckedThrowingContinuation { holder.set($0) })"
                } catch ClusterError.unknownOutcome {
                    return "unknown"
                } catch ClusterError.notApplied {
                    return "not applied"
                } catch {
                    return "\(error)"
                }
            }
            self.holderRef = holder
        }

        private let holderRef: Holder

        func waiter() async -> OnceWaiter<Int> { OnceWaiter(await holderRef.get()) }
    }

    final class Holder: @unchecked Sendable {  // under `lock`
        private let lock = NSLock()
        private var continuation: CheckedContinuation<Int, any Error>?
        func set(_ c: CheckedContinuation<Int, any Error>) { lock.withLock { continuation = c } }
        func get() async -> CheckedContinuation<Int, any Error> {
            while true {
                if let c = lock.withLock({ continuation }) { return c }
                await Task.yield()
            }
        }
    }

    func queued(_ pending: Pending, deadline: ContinuousClock.Instant) async -> ProposalWaiters<Int>.Queued {
        .init(command: [1], waiter: await pending.waiter(), deadline: deadline)
    }

    @Test func waitersAtOrBelowAnInstalledSnapshotAreAnsweredAtOnce() async {
        var waiters = ProposalWaiters<Int>()
        let later = ContinuousClock.now + .seconds(60)
        let (below, at, above) = (Pending(), Pending(), Pending())
        waiters.appended[5] = [.init(term: 1, queued: await queued(below, deadline: later))]
        waiters.appended[10] = [.init(term: 1, queued: await queued(at, deadline: later))]
        waiters.appended[11] = [.init(term: 1, queued: await queued(above, deadline: later))]
        waiters.passed(bySnapshotAt: 10)
        #expect(await below.outcome.value == "unknown")
        #expect(await at.outcome.value == "unknown")
        #expect(waiters.appended.keys.sorted() == [11])
        waiters.failAll(.stopped("test over"))
        #expect(await above.outcome.value.contains("test over"))
    }

    @Test func aReplacedWaiterIsProposedAgainUntilItsDeadlineThenRefused() async {
        var waiters = ProposalWaiters<Int>()
        let now = ContinuousClock.now
        let (early, late, answered) = (Pending(), Pending(), Pending())
        waiters.replaced(await queued(early, deadline: now + .seconds(60)), now: now)
        #expect(waiters.queue.count == 1, "queued to be proposed again")
        waiters.replaced(await queued(late, deadline: now - .seconds(1)), now: now)
        #expect(await late.outcome.value == "not applied")
        let done = await queued(answered, deadline: now + .seconds(60))
        done.waiter.resume(throwing: ClusterError.unknownOutcome("expired on the apply thread"))
        waiters.replaced(done, now: now)
        #expect(waiters.queue.count == 1, "an answered waiter is not proposed again")
        #expect(await answered.outcome.value == "unknown")
        waiters.failAll(.stopped("test over"))
        #expect(await early.outcome.value.contains("test over"))
    }
}
